"""EarlyStopping: stop training when a monitored metric stops improving (Keras's callback).

The sheet: "stops the training process as soon as the validation loss
reaches a plateau or starts to increase". In practice a noisy validation
curve needs ``patience`` (how many epochs without improvement to tolerate)
and ``min_delta`` (how large a change counts as an improvement), and the
weights worth keeping are those of the best epoch, not the last one
(``restore_best_weights``).

Semantics (those of Keras 3's ``keras.callbacks.EarlyStopping``), in mode "min":

    improvement over a reference r:   current < r - min_delta      ("max": current > r + min_delta)

    at the end of each epoch >= start_from_epoch:
        wait += 1
        if improvement over best:
            best, best_epoch = current, epoch      (and a copy of the weights)
            if baseline is None or improvement over baseline:
                wait = 0
            continue training                      (an improving epoch never stops)
        elif wait >= patience and epoch > 0:
            stop: model.stop_training = True, stopped_epoch = epoch

So with no baseline, training stops at epoch best_epoch + max(patience, 1)
if nothing improves by more than min_delta in between (patience = 0 stops at
the first epoch that does not improve). With a baseline, an epoch that improves on the
best but not on the baseline does not reset ``wait``: if the baseline is
never beaten, training stops at the first non-improving epoch once ``wait``
has reached ``patience``.

``restore_best_weights``: when training ends (stopped by this callback, by
another one, or because the epochs ran out) the weights of ``best_epoch``
are loaded back. This is Keras 3's behaviour; tf.keras 2.x restored them
only when it stopped training itself, a long-standing surprise
(keras-team/keras#12511).

Where dlkit departs from Keras, on purpose:
    - a monitored metric missing from the logs raises ValueError listing the
      logged keys (Keras only warns and never stops);
    - an unknown ``mode`` or a negative ``patience``/``min_delta`` raises
      ValueError (Keras falls back to "auto" and takes abs(min_delta));
    - ``stopped_epoch`` and ``best_epoch`` are None until set (Keras uses 0);
    - ``best`` is reset in ``on_train_begin`` with the rest of the state, so one
      instance can be reused. (Keras 3 sets best = +-inf only once, at its first
      epoch ever, so a reused Keras instance compares with the previous run's best.)
A NaN value is never an improvement (as in Keras, where NaN < best is False).
"""

from __future__ import annotations

import math
import numbers

from ._validate import check_float, check_int
from .callbacks import Callback

_MAX_NAMES = ("acc", "auc", "precision", "recall", "f1", "iou", "r2")
_MIN_NAMES = ("loss", "error", "mse", "mae", "penalty", "entropy")


def infer_mode(monitor: str) -> str:
    """'min' for losses and errors, 'max' for accuracies and scores (Keras's "auto")."""
    name = monitor.removeprefix("val_").lower()
    if any(key in name for key in _MIN_NAMES):
        return "min"
    if any(key in name for key in _MAX_NAMES):
        return "max"
    raise ValueError(
        f"mode='auto' cannot tell whether monitor={monitor!r} should go down or up: "
        "pass mode='min' (a loss) or mode='max' (an accuracy)"
    )


def _snapshot(model):
    """A copy of every parameter value: model.state_dict() when it has one."""
    if hasattr(model, "state_dict"):
        return model.state_dict()
    return [p.value.copy() for p in model.parameters()]


def _restore(model, state) -> None:
    if hasattr(model, "load_state_dict"):
        model.load_state_dict(state)
    else:
        for p, value in zip(model.parameters(), state):
            p.value[...] = value


class EarlyStopping(Callback):
    """Stop ``fit`` when ``monitor`` has not improved for ``patience`` epochs.

    Parameters (Keras's names and defaults)
    ----------
    monitor : key of the epoch logs, e.g. "val_loss", "val_accuracy", "loss"
    min_delta : float >= 0; a change smaller than this is no improvement
    patience : int >= 0; epochs without improvement tolerated before stopping
    verbose : print a line when stopping and when restoring weights
    mode : "auto" (from the name: losses go down, accuracies up), "min" or "max"
    baseline : a value the metric must beat for ``wait`` to be reset (None: none)
    restore_best_weights : load the best epoch's weights when training ends
    start_from_epoch : epochs (from 0) to ignore before monitoring starts (warm-up)

    Attributes after training: ``best`` (best value seen), ``best_epoch``,
    ``stopped_epoch`` (None if this callback did not stop training), ``wait``.
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 verbose: bool = False, mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False, start_from_epoch: int = 0):
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(f"monitor must be the name of a logged metric, got {monitor!r}")
        self.monitor = monitor
        self.min_delta = check_float(min_delta, "min_delta", low=0.0)
        self.patience = check_int(patience, "patience", low=0)
        self.start_from_epoch = check_int(start_from_epoch, "start_from_epoch", low=0)
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.mode = infer_mode(monitor) if mode == "auto" else mode
        if baseline is not None:
            baseline = check_float(baseline, "baseline")
        self.baseline = baseline
        self.restore_best_weights = bool(restore_best_weights)
        self.verbose = bool(verbose)
        self.on_train_begin()

    # -- the decision ----------------------------------------------------------------
    def is_improvement(self, current: float, reference: float | None) -> bool:
        """current beats reference by more than min_delta (in the mode's direction)."""
        if reference is None:
            return True
        if self.mode == "min":
            return current < reference - self.min_delta
        return current > reference + self.min_delta

    def _current(self, logs) -> float:
        logs = logs or {}
        if self.monitor not in logs:
            hint = (" (pass validation_data to fit to log val_* metrics)"
                    if self.monitor.startswith("val_") else "")
            raise ValueError(
                f"EarlyStopping: monitor={self.monitor!r} is not in the epoch logs; "
                f"available keys: {sorted(logs)}{hint}"
            )
        value = logs[self.monitor]
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"logs[{self.monitor!r}] must be a number, got {value!r}")
        return float(value)

    # -- callback hooks ----------------------------------------------------------------
    def on_train_begin(self, logs=None):
        """Reset all state, so the same instance can be used for another fit."""
        self.wait = 0
        self.best = None
        self.best_epoch = None
        self.best_weights = None
        self.stopped_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        current = self._current(logs)
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # nothing better seen yet: the current weights are the best so far
            self.best_weights = _snapshot(self.model)
            self.best_epoch = epoch
        self.wait += 1
        if not math.isnan(current) and self.is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = _snapshot(self.model)
            if self.baseline is None or self.is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch is not None and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print(f"Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            _restore(self.model, self.best_weights)

    def __repr__(self) -> str:
        return (f"EarlyStopping(monitor={self.monitor!r}, min_delta={self.min_delta:g}, "
                f"patience={self.patience}, mode={self.mode!r})")


class _Weights:
    """A stand-in model for replaying a metric sequence: no parameters, a stop flag."""

    def __init__(self):
        self.stop_training = False

    def parameters(self):
        return []


def simulate_early_stopping(values, **kwargs) -> EarlyStopping:
    """Replay a sequence of metric values (one per epoch) through EarlyStopping.

    Returns the callback after the replay: ``stopped_epoch`` (None if it never
    stopped), ``best_epoch``, ``best``, ``wait``. kwargs are EarlyStopping's
    (monitor defaults to "val_loss"). Training stops where fit would: the
    replay ends at the epoch that sets ``stop_training``.
    """
    callback = EarlyStopping(**kwargs)
    model = _Weights()
    callback.set_context(model, None)
    callback.on_train_begin({})
    for epoch, value in enumerate(values):
        callback.on_epoch_end(epoch, {callback.monitor: float(value)})
        if model.stop_training:
            break
    callback.on_train_end({})
    return callback
