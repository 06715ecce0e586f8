"""fit: the sheet's three-step loop, repeated over mini-batches and epochs.

    for epoch in range(epochs):                      # one pass over the data
        for X_b, y_b in mini-batches(X, y):          # one iteration each
            z = model.forward(X_b)                   # step 1: forward, loss
            L, dz = loss(z, y_b)
            optimizer.zero_grad()
            model.backward(dz)                       # step 2: gradients
            optimizer.step()                         # step 3: update

plus what a real training loop needs: shuffling with an rng, on-the-fly data
augmentation, weight penalties, a learning-rate schedule, validation after
each epoch, callbacks, and a stop with a clear message when the loss stops
being finite.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validate import check_array, check_int, check_rng
from .callbacks import Callback, History, LearningRateScheduler
from .layer import Layer
from .losses import get_loss
from .minibatch import batch_indices
from .optimizers import SGD, Optimizer
from .parameter import Parameter


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite. ``.history`` holds the epochs before it."""

    def __init__(self, message: str, history: History):
        super().__init__(message)
        self.history = history


# -- the checks fit and overfit_one_batch share -------------------------------------------
def check_model(model) -> list[Parameter]:
    """The parameters of ``model``, a dlkit Layer with something to train."""
    if not isinstance(model, Layer):
        raise TypeError(f"model must be a dlkit Layer or Sequential, got {type(model).__name__}")
    params = model.parameters()
    if not params:
        raise ValueError("model has no parameters to train")
    return params


def check_data(model: Layer, X, y, dtype) -> tuple[np.ndarray, np.ndarray]:
    """X as an (N, features...) array of the model's dtype, y with one entry per row."""
    X = check_array(X, "X", dtype=dtype)
    if X.ndim < 2 or X.shape[0] == 0:
        raise ValueError(f"X must have shape (N, features...) with N >= 1, got {X.shape}")
    y = np.asarray(y)
    if y.ndim == 0 or y.shape[0] != X.shape[0]:
        raise ValueError(f"y must have one entry per row of X ({X.shape[0]}), got shape {y.shape}")
    first = model.layers[0] if getattr(model, "layers", None) else model
    n_in = getattr(first, "in_features", None)
    if n_in is not None and (X.ndim != 2 or X.shape[1] != n_in):
        raise ValueError(f"X has rows of shape {X.shape[1:]} but the model's first layer "
                         f"{first!r} expects {n_in} features")
    return X, y


def check_optimizer(optimizer, lr, params: list[Parameter]) -> Optimizer:
    """``optimizer`` itself, or SGD(params, lr) when none is given (lr 0.1 by default)."""
    if optimizer is None:
        return SGD(params, lr=0.1 if lr is None else lr)
    if lr is not None:
        raise ValueError(f"lr={lr!r} given together with optimizer: set the optimizer's lr instead")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be a dlkit Optimizer, got {type(optimizer).__name__}")
    return optimizer


def check_penalty(penalty):
    """None, or an object with penalty(w) and grad(w) (L1, L2, ElasticNet)."""
    if penalty is None:
        return None
    if isinstance(penalty, type):
        raise TypeError(f"penalty must be an instance such as {penalty.__name__}(lam=0.01), "
                        f"got the class {penalty.__name__} itself")
    if not all(callable(getattr(penalty, m, None)) for m in ("penalty", "grad")):
        raise TypeError(
            f"penalty must have penalty(w) and grad(w) methods (L1, L2, ElasticNet), "
            f"got {type(penalty).__name__}"
        )
    return penalty


def check_validation_data(validation_data, X: np.ndarray):
    """None, or (X_val, y_val) with rows shaped like X's and one target per row."""
    if validation_data is None:
        return None
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
        raise ValueError("validation_data must be a pair (X_val, y_val)")
    X_val = check_array(validation_data[0], "validation_data[0] (X_val)", dtype=X.dtype)
    y_val = np.asarray(validation_data[1])
    if X_val.shape[1:] != X.shape[1:]:
        raise ValueError(f"X_val rows have shape {X_val.shape[1:]} but X rows have {X.shape[1:]}")
    if y_val.ndim == 0 or len(y_val) != len(X_val):
        raise ValueError(f"y_val has {y_val.size} entries but X_val has {len(X_val)} rows")
    return X_val, y_val


def check_callbacks(callbacks, lr_schedule, model: Layer, optimizer: Optimizer) -> list[Callback]:
    """The callbacks, an lr_schedule turned into the first of them, each given the context."""
    callbacks = list(callbacks or [])
    if lr_schedule is not None:
        callbacks.insert(0, LearningRateScheduler(lr_schedule))
    for i, cb in enumerate(callbacks):
        if not isinstance(cb, Callback):
            raise TypeError(f"callbacks[{i}] must be a dlkit Callback, got {type(cb).__name__}")
        cb.set_context(model, optimizer)
    return callbacks


def check_augment(augment):
    if augment is not None and not callable(augment):
        raise TypeError(f"augment must be a function (X_batch, rng) -> X_batch, got {augment!r}")
    return augment


# -- evaluation -----------------------------------------------------------------------------
def evaluate(model: Layer, X, y, loss="binary_cross_entropy", batch_size: int | None = None):
    """(loss, accuracy or None) of ``model`` on (X, y) in evaluation mode."""
    loss_fn, accuracy = get_loss(loss)
    z = _predict_logits(model, X, batch_size)
    return loss_fn(z, y)[0], (accuracy(z, y) if accuracy is not None else None)


def _predict_logits(model: Layer, X, batch_size: int | None = None) -> np.ndarray:
    """The model's logits on X in evaluation mode (the mode is restored afterwards)."""
    was_training = model.training
    model.eval()
    try:
        if batch_size is None or batch_size >= len(X):
            return model.forward(X)
        return np.concatenate([model.forward(X[i:i + batch_size])
                               for i in range(0, len(X), batch_size)])
    finally:
        if was_training:
            model.train()


# -- training ---------------------------------------------------------------------------------
@dataclass
class _Training:
    """What fit checked once, for its loop."""

    model: Layer
    loss: Callable
    accuracy: Callable | None
    optimizer: Optimizer
    penalty: object | None
    augment: Callable | None
    callbacks: list[Callback]
    history: History


def fit(model: Layer, X, y, *, loss="binary_cross_entropy", optimizer: Optimizer | None = None,
        lr: float | None = None, epochs: int = 10, batch_size: int = 32,
        validation_data: tuple | None = None, shuffle: bool = True,
        rng: np.random.Generator | None = None, callbacks: list[Callback] | None = None,
        augment=None, penalty=None, lr_schedule=None, verbose: bool = False) -> History:
    """Train ``model`` with mini-batch gradient descent and return its History.

    model : a Layer (usually a Sequential) producing logits
    X : (N, ...) inputs; y : (N,) or (N, 1) targets
    loss : "binary_cross_entropy", "softmax_cross_entropy", "mse", or a function
        (logits, y) -> (value, dlogits)
    optimizer : an Optimizer over model.parameters(); default SGD(lr=lr)
    lr : learning rate of the default SGD (0.1 if not given); not with optimizer
    epochs : passes over the data; batch_size : examples per iteration (at most N)
    validation_data : (X_val, y_val), evaluated in eval mode after each epoch
    shuffle, rng : reshuffle every epoch with this Generator (same rng, same run)
    callbacks : Callback objects (EarlyStopping, LearningRateScheduler, ...)
    augment : function (X_batch, rng) -> X_batch, a fresh draw for every mini-batch
    penalty : L1 / L2 / ElasticNet; its grad is added to every parameter with
        ``regularize=True`` (weights, not biases); its value is logged as "penalty"
    lr_schedule : function epoch -> lr, applied at the start of each epoch
    verbose : show a progress bar (tqdm)

    Logs per epoch: loss and accuracy (means over its mini-batches, in training mode),
    penalty, val_loss, val_accuracy, lr. A NaN or infinite loss raises TrainingDiverged.
    """
    params = check_model(model)
    X, y = check_data(model, X, y, params[0].dtype)
    loss_fn, accuracy = get_loss(loss)
    optimizer = check_optimizer(optimizer, lr, params)
    epochs, rng = check_int(epochs, "epochs", low=1), check_rng(rng)
    batch_size = min(check_int(batch_size, "batch_size", low=1), len(X))
    validation_data = check_validation_data(validation_data, X)
    history = History(epochs=epochs, batch_size=batch_size, n=len(X),
                      steps_per_epoch=math.ceil(len(X) / batch_size))
    callbacks = check_callbacks(callbacks, lr_schedule, model, optimizer)
    run = _Training(model, loss_fn, accuracy, optimizer, check_penalty(penalty),
                    check_augment(augment), callbacks, history)
    model.stop_training = False
    for cb in run.callbacks:
        cb.on_train_begin({})
    with _progress_bar(verbose, epochs) as progress, np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):                          # one pass over the data
            for cb in run.callbacks:
                cb.on_epoch_begin(epoch, {})
            batches = batch_indices(len(X), batch_size, rng, shuffle)
            logs = _train_epoch(run, X, y, batches, rng, epoch)
            if validation_data is not None:
                logs.update(_validation_logs(run, *validation_data, epoch))
            logs["lr"] = optimizer.lr
            history.append(epoch, logs)
            for cb in run.callbacks:
                cb.on_epoch_end(epoch, logs)
            progress(logs)
            if model.stop_training:
                history.stopped_epoch = epoch
                break
    for cb in run.callbacks:
        cb.on_train_end({})
    return history


def _train_epoch(run: _Training, X, y, batches, rng, epoch: int) -> dict:
    """One epoch: the sheet's three steps on every mini-batch. Returns the epoch's logs."""
    model, optimizer = run.model, run.optimizer
    regularized = [p for p in model.parameters() if p.regularize and p.trainable]
    model.train()
    total_loss, total_correct, seen = 0.0, 0.0, 0
    for b, idx in enumerate(batches):                        # one iteration each
        X_b, y_b = _augmented(run.augment, X[idx], rng), y[idx]
        z = model.forward(X_b)                               # step 1: forward and loss
        if not np.all(np.isfinite(z)):
            raise _diverged(run, "the model's output became NaN or infinite", epoch, b)
        value, dz = run.loss(z, y_b)
        if not math.isfinite(value):
            raise _diverged(run, f"the loss became {value}", epoch, b)
        optimizer.zero_grad()
        model.backward(dz)                                   # step 2: gradients
        if run.penalty is not None:
            for p in regularized:
                p.grad += run.penalty.grad(p.value)
        optimizer.step()                                     # step 3: update
        run.history.batch_loss.append(value)
        total_loss += value * len(idx)
        if run.accuracy is not None:
            total_correct += run.accuracy(z, y_b) * len(idx)
        seen += len(idx)
        for cb in run.callbacks:
            cb.on_batch_end(b, {"loss": value, "size": len(idx)})
    logs = {"loss": total_loss / seen}
    if run.accuracy is not None:
        logs["accuracy"] = total_correct / seen
    if run.penalty is not None:
        logs["penalty"] = float(sum(run.penalty.penalty(p.value) for p in regularized))
    return logs


def _diverged(run: _Training, what: str, epoch: int, iteration: int) -> TrainingDiverged:
    """The error fit raises when training stops being finite (history up to this epoch)."""
    run.history.stopped_epoch = epoch
    return TrainingDiverged(
        f"training diverged: {what} at epoch {epoch}, iteration {iteration} "
        f"(lr={run.optimizer.lr:g}). Lower the learning rate, check the initialization, "
        "or normalize the inputs.", run.history)


def _augmented(augment, X_b: np.ndarray, rng) -> np.ndarray:
    """augment(X_b, rng), checked to be a batch of as many rows; X_b when augment is None."""
    if augment is None:
        return X_b
    out = augment(X_b, rng)
    if not isinstance(out, np.ndarray) or out.ndim == 0 or out.shape[0] != len(X_b):
        raise ValueError(f"augment must return the batch as an array of {len(X_b)} rows, "
                         f"got {getattr(out, 'shape', type(out).__name__)}")
    return out


def _validation_logs(run: _Training, X_val, y_val, epoch: int) -> dict:
    """val_loss (and val_accuracy) of the model in evaluation mode after an epoch."""
    z_val = _predict_logits(run.model, X_val)
    val_loss = run.loss(z_val, y_val)[0] if np.all(np.isfinite(z_val)) else math.nan
    if not math.isfinite(val_loss):
        run.history.stopped_epoch = epoch
        raise TrainingDiverged(f"training diverged: the validation loss became {val_loss} "
                               f"after epoch {epoch} (lr={run.optimizer.lr:g}).", run.history)
    logs = {"val_loss": val_loss}
    if run.accuracy is not None:
        logs["val_accuracy"] = run.accuracy(z_val, y_val)
    return logs


@contextlib.contextmanager
def _progress_bar(verbose: bool, epochs: int):
    """A function logs -> None that advances a tqdm bar by one epoch (nothing if not verbose)."""
    if not verbose:
        yield lambda logs: None
        return
    from tqdm.auto import tqdm

    with tqdm(total=epochs, desc="epochs", unit="epoch") as bar:
        def advance(logs: dict) -> None:
            bar.update(1)
            bar.set_postfix({k: f"{v:.4f}" for k, v in logs.items() if k != "lr"})
        yield advance
