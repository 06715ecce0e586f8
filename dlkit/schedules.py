"""Learning-rate schedules: functions epoch -> lr (epoch counts from 0).

The sheet: the learning rate "can be fixed or adaptively changed". A
schedule changes it with time, independently of the gradients (adaptive
optimizers such as Adam change the step per weight; the two combine).

    Constant(lr0)                         lr = lr0
    StepDecay(lr0, drop, every)           lr = lr0 * drop^floor(epoch / every)
    ExponentialDecay(lr0, gamma)          lr = lr0 * gamma^epoch
    InverseTimeDecay(lr0, decay_rate)     lr = lr0 / (1 + decay_rate * epoch)      ("1/t")
    CosineDecay(lr0, epochs, lr_min, warmup)
        warmup:  lr = lr0 * (epoch + 1) / warmup                 for epoch < warmup
        then:    lr = lr_min + (lr0 - lr_min) (1 + cos(pi * q)) / 2,
                 q = (epoch - warmup) / (epochs - warmup), capped at 1

Each is a callable object, usable directly in ``fit(..., lr_schedule=...)``
(fit sets ``optimizer.lr = schedule(epoch)`` at the start of every epoch):

    fit(model, X, y, optimizer=opt, epochs=30, lr_schedule=StepDecay(0.1, 0.5, 10))
"""

from __future__ import annotations

import math

import numpy as np

from ._validate import check_float, check_int


class Schedule:
    """Base class: ``schedule(epoch) -> lr``; ``schedule.values(n)`` for the first n epochs."""

    def __init__(self, lr0: float):
        self.lr0 = check_float(lr0, "lr0", low=0.0, low_open=True)

    def __call__(self, epoch: int) -> float:
        return float(self.lr(check_int(epoch, "epoch", low=0)))

    def lr(self, epoch: int) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def values(self, epochs: int) -> np.ndarray:
        """The learning rates of epochs 0 .. epochs-1, shape (epochs,)."""
        epochs = check_int(epochs, "epochs", low=1)
        return np.array([self(e) for e in range(epochs)])

    def _args(self) -> str:
        return f"lr0={self.lr0:g}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._args()})"


class Constant(Schedule):
    """lr = lr0 at every epoch."""

    def lr(self, epoch: int) -> float:
        return self.lr0


class StepDecay(Schedule):
    """lr = lr0 * drop^floor(epoch / every): divide by 1/drop every ``every`` epochs."""

    def __init__(self, lr0: float, drop: float = 0.5, every: int = 10):
        super().__init__(lr0)
        self.drop = check_float(drop, "drop", low=0.0, high=1.0, low_open=True)
        self.every = check_int(every, "every", low=1)

    def lr(self, epoch: int) -> float:
        return self.lr0 * self.drop ** (epoch // self.every)

    def _args(self) -> str:
        return f"lr0={self.lr0:g}, drop={self.drop:g}, every={self.every}"


class ExponentialDecay(Schedule):
    """lr = lr0 * gamma^epoch (PyTorch's ExponentialLR), 0 < gamma <= 1."""

    def __init__(self, lr0: float, gamma: float = 0.95):
        super().__init__(lr0)
        self.gamma = check_float(gamma, "gamma", low=0.0, high=1.0, low_open=True)

    def lr(self, epoch: int) -> float:
        return self.lr0 * self.gamma ** epoch

    def _args(self) -> str:
        return f"lr0={self.lr0:g}, gamma={self.gamma:g}"


class InverseTimeDecay(Schedule):
    """lr = lr0 / (1 + decay_rate * epoch): the "1/t" decay (Keras's InverseTimeDecay)."""

    def __init__(self, lr0: float, decay_rate: float = 0.1):
        super().__init__(lr0)
        self.decay_rate = check_float(decay_rate, "decay_rate", low=0.0)

    def lr(self, epoch: int) -> float:
        return self.lr0 / (1.0 + self.decay_rate * epoch)

    def _args(self) -> str:
        return f"lr0={self.lr0:g}, decay_rate={self.decay_rate:g}"


class CosineDecay(Schedule):
    """Half a cosine from lr0 down to lr_min over ``epochs``, after an optional linear warmup.

    warmup epochs 0 .. warmup-1 ramp up linearly: lr0 / warmup, 2 lr0 / warmup, ..., lr0.
    Then lr = lr_min + (lr0 - lr_min) (1 + cos(pi q)) / 2 with
    q = (epoch - warmup) / (epochs - warmup); from ``epochs`` on, lr = lr_min
    (which must then be > 0 for fit to accept it).
    """

    def __init__(self, lr0: float, epochs: int, lr_min: float = 0.0, warmup: int = 0):
        super().__init__(lr0)
        self.epochs = check_int(epochs, "epochs", low=1)
        self.lr_min = check_float(lr_min, "lr_min", low=0.0, high=self.lr0)
        self.warmup = check_int(warmup, "warmup", low=0, high=self.epochs - 1)

    def lr(self, epoch: int) -> float:
        if epoch < self.warmup:
            return self.lr0 * (epoch + 1) / self.warmup
        q = min(1.0, (epoch - self.warmup) / (self.epochs - self.warmup))
        return self.lr_min + (self.lr0 - self.lr_min) * (1.0 + math.cos(math.pi * q)) / 2.0

    def _args(self) -> str:
        return (f"lr0={self.lr0:g}, epochs={self.epochs}, lr_min={self.lr_min:g}, "
                f"warmup={self.warmup}")


SCHEDULES: dict[str, type[Schedule]] = {
    "constant": Constant,
    "step": StepDecay,
    "exponential": ExponentialDecay,
    "inverse_time": InverseTimeDecay,
    "cosine": CosineDecay,
}


def get_schedule(name: str, lr0: float, **kwargs) -> Schedule:
    """A schedule by name: constant, step, exponential, inverse_time, cosine."""
    if not isinstance(name, str) or name.lower() not in SCHEDULES:
        raise ValueError(f"unknown schedule name {name!r}; known: {sorted(SCHEDULES)}")
    return SCHEDULES[name.lower()](lr0, **kwargs)
