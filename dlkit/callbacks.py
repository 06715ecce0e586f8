"""Callbacks: code that ``fit`` calls at fixed points of training (Keras's names).

    on_train_begin(logs)          once, before the first epoch
    on_epoch_begin(epoch, logs)   epoch counts from 0
    on_batch_end(batch, logs)     after each weight update; logs["loss"] is the batch loss
    on_epoch_end(epoch, logs)     logs has loss, accuracy, val_loss, val_accuracy, lr, ...
    on_train_end(logs)            once, after the last epoch (or an early stop)

Before ``on_train_begin``, fit sets ``callback.model`` and
``callback.optimizer``. A callback stops training by setting
``self.model.stop_training = True``; fit checks it after every epoch.
"""

from __future__ import annotations

from collections.abc import Callable

from ._validate import check_float


class Callback:
    """Base class: every hook does nothing."""

    model = None
    optimizer = None

    def set_context(self, model, optimizer) -> None:
        self.model = model
        self.optimizer = optimizer

    def on_train_begin(self, logs=None):
        pass

    def on_epoch_begin(self, epoch: int, logs=None):
        pass

    def on_batch_end(self, batch: int, logs=None):
        pass

    def on_epoch_end(self, epoch: int, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass


class LambdaCallback(Callback):
    """A callback from plain functions, e.g. ``LambdaCallback(on_epoch_end=lambda e, logs: ...)``."""

    def __init__(self, **hooks: Callable):
        names = {"on_train_begin", "on_epoch_begin", "on_batch_end", "on_epoch_end",
                 "on_train_end"}
        for key, fn in hooks.items():
            if key not in names:
                raise ValueError(f"unknown hook {key!r}; expected one of {sorted(names)}")
            if not callable(fn):
                raise TypeError(f"{key} must be callable, got {type(fn).__name__}")
            setattr(self, key, fn)


class LearningRateScheduler(Callback):
    """Set ``optimizer.lr = schedule(epoch)`` at the start of every epoch.

    ``schedule`` is any function of the epoch (from 0) returning a positive
    learning rate, e.g. one from ``dlkit.schedules``.
    """

    def __init__(self, schedule: Callable[[int], float]):
        if not callable(schedule):
            raise TypeError(f"schedule must be callable epoch -> lr, got {type(schedule).__name__}")
        self.schedule = schedule

    def on_epoch_begin(self, epoch, logs=None):
        lr = check_float(self.schedule(epoch), f"schedule({epoch})", low=0.0, low_open=True)
        self.optimizer.lr = lr


class History:
    """What ``fit`` returns: per-epoch logs and per-iteration losses.

    history.history["loss"][e]   mean training loss during epoch e
    history.history["val_loss"]  validation loss after epoch e (if validation data)
    history.batch_loss           the loss of every iteration (mini-batch update)
    history.epoch                [0, 1, 2, ...]
    history.params               how it was trained (epochs, batch_size, n, steps_per_epoch)
    """

    def __init__(self, **params):
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.batch_loss: list[float] = []
        self.params: dict = params
        self.stopped_epoch: int | None = None

    def append(self, epoch: int, logs: dict) -> None:
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)

    def __getitem__(self, key: str) -> list[float]:
        if key not in self.history:
            raise KeyError(f"{key!r} was not logged; logged: {sorted(self.history)}")
        return self.history[key]

    def __contains__(self, key: str) -> bool:
        return key in self.history

    def __len__(self) -> int:
        return len(self.epoch)

    def __repr__(self) -> str:
        return f"History(epochs={len(self)}, keys={sorted(self.history)})"
