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

import math

import numpy as np

from ._validate import check_array, check_int, check_rng
from .callbacks import Callback, History, LearningRateScheduler
from .layer import Layer
from .losses import LossSpec, get_loss_spec
from .minibatch import batch_indices
from .optimizers import SGD, Optimizer
from .sequential import Sequential


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite. ``.history`` holds the epochs before it."""

    def __init__(self, message: str, history: History):
        super().__init__(message)
        self.history = history


def _check_penalty(penalty):
    if penalty is None:
        return None
    if isinstance(penalty, type):
        raise TypeError(f"penalty must be an instance such as {penalty.__name__}(lam=0.01), "
                        f"got the class {penalty.__name__} itself")
    methods = (getattr(penalty, "penalty", None), getattr(penalty, "grad", None))
    if not all(callable(m) for m in methods):
        raise TypeError(
            f"penalty must have penalty(w) and grad(w) methods (L1, L2, ElasticNet), "
            f"got {type(penalty).__name__}"
        )
    return penalty


def evaluate(model: Layer, X, y, loss="binary_cross_entropy", batch_size: int | None = None):
    """(loss, accuracy or None) of ``model`` on (X, y) in evaluation mode."""
    spec = loss if isinstance(loss, LossSpec) else get_loss_spec(loss)
    z = _predict_logits(model, X, batch_size)
    value, _ = spec.fn(z, y)
    return value, (spec.accuracy(z, y) if spec.accuracy is not None else None)


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


def fit(
    model: Layer,
    X,
    y,
    *,
    loss="binary_cross_entropy",
    optimizer: Optimizer | None = None,
    lr: float | None = None,
    epochs: int = 10,
    batch_size: int = 32,
    validation_data: tuple | None = None,
    shuffle: bool = True,
    rng: np.random.Generator | None = None,
    callbacks: list[Callback] | None = None,
    augment=None,
    penalty=None,
    lr_schedule=None,
    verbose: bool = False,
) -> History:
    """Train ``model`` with mini-batch gradient descent and return its History.

    Parameters
    ----------
    model : a Layer (usually a Sequential) producing logits
    X : (N, ...) inputs; y : (N,) or (N, 1) targets
    loss : name ("binary_cross_entropy", "softmax_cross_entropy", "mse") or
        a function (logits, y) -> (value, dlogits)
    optimizer : an Optimizer over model.parameters(); default SGD(lr=lr)
    lr : learning rate of the default SGD (0.1 if not given); not with optimizer
    epochs : passes over the training set (int >= 1)
    batch_size : examples per iteration (int >= 1; capped at N = full batch)
    validation_data : (X_val, y_val), evaluated in eval mode after each epoch
    shuffle, rng : reshuffle every epoch with this Generator (same rng, same run)
    callbacks : Callback objects (EarlyStopping, LearningRateScheduler, ...)
    augment : function (X_batch, rng) -> X_batch applied to every training
        mini-batch, a fresh random draw each time; nothing is stored
    penalty : L1 / L2 / ElasticNet-like object; its grad is added to every
        parameter with ``regularize=True`` (weights, not biases); its value is
        logged as "penalty", separately from the data loss
    lr_schedule : function epoch -> lr, applied at the start of each epoch
    verbose : show a progress bar (tqdm)

    Logs per epoch: loss and accuracy (means over the epoch's mini-batches,
    in training mode), val_loss and val_accuracy, lr, and penalty.

    Raises TrainingDiverged when a mini-batch loss is NaN or infinite.
    """
    if not isinstance(model, Layer):
        raise TypeError(f"model must be a dlkit Layer or Sequential, got {type(model).__name__}")
    params = model.parameters()
    if not params:
        raise ValueError("model has no parameters to train")
    dtype = params[0].dtype
    X = check_array(X, "X", dtype=dtype)
    if X.ndim < 2:
        raise ValueError(f"X must have shape (N, features...), got {X.shape}")
    n = X.shape[0]
    if n == 0:
        raise ValueError("X is empty: shape " + str(X.shape))
    y_arr = np.asarray(y)
    if y_arr.ndim == 0 or y_arr.shape[0] != n:
        raise ValueError(f"y must have one entry per row of X ({n}), got shape {y_arr.shape}")
    first = model.layers[0] if hasattr(model, "layers") and model.layers else model
    n_in = getattr(first, "in_features", None)
    if n_in is not None and (X.ndim != 2 or X.shape[1] != n_in):
        raise ValueError(f"X has rows of shape {X.shape[1:]} but the model's first layer "
                         f"{first!r} expects {n_in} features")
    spec = get_loss_spec(loss)
    acc_fn = spec.accuracy
    # Targets are checked once here; the loop then calls the unchecked kernel.
    probe = None
    if spec.targets is not None:
        was_training = model.training
        model.eval()  # a probe of one example: no dropout draw, no batch statistics
        probe = model.forward(X[:1])
        if was_training:
            model.train()
    if probe is not None:
        y_arr = spec.prepare(np.broadcast_to(probe, (n,) + probe.shape[1:]), y_arr)
    loss_fn = spec.kernel or spec.fn
    epochs = check_int(epochs, "epochs", low=1)
    batch_size = min(check_int(batch_size, "batch_size", low=1), n)
    rng = check_rng(rng)
    if optimizer is None:
        optimizer = SGD(params, lr=0.1 if lr is None else lr)
    elif lr is not None:
        raise ValueError(f"lr={lr!r} given together with optimizer: set the optimizer's lr instead")
    elif not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be a dlkit Optimizer, got {type(optimizer).__name__}")
    if augment is not None and not callable(augment):
        raise TypeError(f"augment must be a function (X_batch, rng) -> X_batch, got {augment!r}")
    penalty = _check_penalty(penalty)
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("validation_data must be a pair (X_val, y_val)")
        X_val = check_array(validation_data[0], "validation_data[0] (X_val)", dtype=dtype)
        y_val = np.asarray(validation_data[1])
        if probe is not None and len(y_val) == len(X_val):
            y_val = spec.prepare(np.broadcast_to(probe, (len(X_val),) + probe.shape[1:]), y_val)
        if X_val.shape[1:] != X.shape[1:]:
            raise ValueError(
                f"X_val rows have shape {X_val.shape[1:]} but X rows have {X.shape[1:]}"
            )
        if len(y_val) != len(X_val):
            raise ValueError(f"y_val has {len(y_val)} entries but X_val has {len(X_val)} rows")
        val_loss_fn = loss_fn if probe is not None else spec.fn
    callbacks = list(callbacks or [])
    if lr_schedule is not None:
        callbacks.insert(0, LearningRateScheduler(lr_schedule))
    for i, cb in enumerate(callbacks):
        if not isinstance(cb, Callback):
            raise TypeError(f"callbacks[{i}] must be a dlkit Callback, got {type(cb).__name__}")
        cb.set_context(model, optimizer)

    # A Sequential can skip the gradient w.r.t. its input, which training never uses.
    skip_input_grad = isinstance(model, Sequential)
    history = History()
    history.params = {"epochs": epochs, "batch_size": batch_size, "n": n,
                      "steps_per_epoch": math.ceil(n / batch_size)}
    regularized = [p for p in params if p.regularize and p.trainable] if penalty else []
    model.stop_training = False
    for cb in callbacks:
        cb.on_train_begin({})

    progress = None
    if verbose:
        from tqdm.auto import tqdm

        progress = tqdm(total=epochs, desc="epochs", unit="epoch")
    try:
        # Overflow is not warned about: a non-finite loss stops training with a clear message.
        with np.errstate(over="ignore", invalid="ignore"):
            for epoch in range(epochs):
                for cb in callbacks:
                    cb.on_epoch_begin(epoch, {})
                model.train()
                total_loss, total_correct, seen = 0.0, 0.0, 0
                for b, idx in enumerate(batch_indices(n, batch_size, rng, shuffle)):
                    X_b, y_b = X[idx], y_arr[idx]
                    if augment is not None:
                        X_b = augment(X_b, rng)
                        if (not isinstance(X_b, np.ndarray) or X_b.ndim == 0
                                or X_b.shape[0] != len(idx)):
                            raise ValueError(
                                f"augment must return the batch as an array of {len(idx)} "
                                f"rows, got {getattr(X_b, 'shape', type(X_b).__name__)}")
                    z = model.forward(X_b)                      # step 1: forward and loss
                    value, dz = loss_fn(z, y_b)
                    if not math.isfinite(value):
                        history.stopped_epoch = epoch
                        raise TrainingDiverged(
                            f"training diverged: the loss became {value} at epoch {epoch}, "
                            f"iteration {b} (lr={optimizer.lr:g}). Lower the learning rate, "
                            "check the initialization, or normalize the inputs.",
                            history,
                        )
                    optimizer.zero_grad()
                    if skip_input_grad:                         # step 2: gradients
                        model.backward(dz, input_grad=False)
                    else:
                        model.backward(dz)
                    for p in regularized:
                        p.grad += penalty.grad(p.value)
                    optimizer.step()                            # step 3: update
                    history.batch_loss.append(value)
                    total_loss += value * len(idx)
                    if acc_fn is not None:
                        total_correct += acc_fn(z, y_b) * len(idx)
                    seen += len(idx)
                    for cb in callbacks:
                        cb.on_batch_end(b, {"loss": value, "size": len(idx)})
                logs = {"loss": total_loss / seen}
                if acc_fn is not None:
                    logs["accuracy"] = total_correct / seen
                if penalty is not None:
                    logs["penalty"] = float(sum(penalty.penalty(p.value) for p in regularized))
                if validation_data is not None:
                    # y_val was checked once above: the unchecked kernel is enough here
                    z_val = _predict_logits(model, X_val)
                    val_loss, _ = val_loss_fn(z_val, y_val)
                    val_acc = acc_fn(z_val, y_val) if acc_fn is not None else None
                    if not math.isfinite(val_loss):
                        history.stopped_epoch = epoch
                        raise TrainingDiverged(
                            f"training diverged: the validation loss became {val_loss} after "
                            f"epoch {epoch} (lr={optimizer.lr:g}).", history)
                    logs["val_loss"] = val_loss
                    if val_acc is not None:
                        logs["val_accuracy"] = val_acc
                logs["lr"] = optimizer.lr
                history.append(epoch, logs)
                for cb in callbacks:
                    cb.on_epoch_end(epoch, logs)
                if progress is not None:
                    progress.update(1)
                    progress.set_postfix({k: f"{v:.4f}" for k, v in logs.items() if k != "lr"})
                if model.stop_training:
                    history.stopped_epoch = epoch
                    break
    finally:
        if progress is not None:
            progress.close()
    for cb in callbacks:
        cb.on_train_end({})
    return history
