"""Losses computed from logits. Each returns ``(value, d_logits)``.

``value`` is the mean loss over the batch (a Python float); ``d_logits`` is
dL/dz, with the same shape as the logits z, already divided by the batch size.

Binary cross-entropy, with p = sigmoid(z) and y in {0, 1} (the sheet's formula
uses the probability p; we start from the logit z):

    L(z, y) = -[ y log p + (1 - y) log(1 - p) ]
            = max(z, 0) - y z + log(1 + exp(-|z|))      (stable form)
    dL/dz   = p - y

Writing log(sigmoid(z)) directly underflows: for z = -800, sigmoid(z) is 0.0 in
float64 and log gives -inf. The stable form never exponentiates a positive
number, so logits of any size (even +-1e4) give a finite loss and gradient.

Softmax cross-entropy, z of shape (N, C), y integer classes:

    L = -log softmax(z)[y] = logsumexp(z) - z[y]      dL/dz = softmax(z) - onehot(y)

Mean squared error:  L = mean((z - y)^2),  dL/dz = 2 (z - y) / size.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array, check_binary_labels, check_class_labels


def _logits(z, name: str = "logits", ndim=(1, 2)) -> np.ndarray:
    z = check_array(z, name, ndim=ndim)
    if z.shape[0] == 0:
        raise ValueError(f"{name} is empty: shape {z.shape}")
    return z


# -- the formulas, on already-checked arrays -------------------------------------------
def _bce(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """z: (N,) or (N, 1) logits; y: 0/1 labels already shaped like z."""
    n = z.shape[0]
    e = np.exp(-np.abs(z))  # computed once: the loss and sigmoid(z) both need it
    loss = np.maximum(z, 0) - y * z + np.log1p(e)
    p = np.where(z >= 0, 1.0, e) / (1.0 + e)  # sigmoid(z), exactly as activations.sigmoid
    return float(loss.sum() / n), (p - y) / n


def _softmax_ce(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """z: (N, C) logits; y: (N,) integer classes in range."""
    n = z.shape[0]
    rows = np.arange(n)
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    loss = float(np.log(s).sum() / n - shifted[rows, y].sum() / n)
    dz = e / s
    dz[rows, y] -= 1.0
    dz /= n
    return loss, dz


def _mse(z: np.ndarray, t: np.ndarray) -> tuple[float, np.ndarray]:
    diff = z - t
    return float(np.mean(diff * diff)), (2.0 / diff.size) * diff


# -- the public, checked functions ----------------------------------------------------
def _binary_targets(z: np.ndarray, y) -> np.ndarray:
    if z.ndim == 2 and z.shape[1] != 1:
        raise ValueError(f"logits must have shape (N,) or (N, 1) for binary labels, got {z.shape}")
    return check_binary_labels(y, "y", n=z.shape[0]).reshape(z.shape).astype(z.dtype, copy=False)


def binary_cross_entropy(logits, y) -> tuple[float, np.ndarray]:
    """Mean binary cross-entropy from logits.

    logits: (N,) or (N, 1); y: 0/1 labels of shape (N,) or (N, 1).
    Returns (loss, dlogits) with dlogits of the logits' shape.
    """
    z = _logits(logits)
    return _bce(z, _binary_targets(z, y))


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by the row max so exp never overflows. z: (N, C)."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log softmax(z) = z - logsumexp(z), row-wise and stable. z: (N, C)."""
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax_cross_entropy(logits, y) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy. logits: (N, C); y: (N,) ints in [0, C)."""
    z = _logits(logits, ndim=2)
    return _softmax_ce(z, check_class_labels(y, z.shape[1], "y", n=z.shape[0]))


def _mse_targets(z: np.ndarray, target) -> np.ndarray:
    t = check_array(target, "target")
    if t.shape != z.shape:
        if t.size == z.size and t.shape[0] == z.shape[0]:
            return t.reshape(z.shape)
        raise ValueError(f"target has shape {t.shape} but pred has shape {z.shape}")
    return t


def mse(pred, target) -> tuple[float, np.ndarray]:
    """Mean squared error over all elements. pred, target: same shape (N, ...)."""
    z = _logits(pred, "pred", ndim=None)
    return _mse(z, _mse_targets(z, target))


# -- accuracy, for fit's logs -----------------------------------------------------
def binary_accuracy(logits: np.ndarray, y: np.ndarray) -> float:
    """Fraction with (z > 0) == y, i.e. p > 0.5 predicted as class 1."""
    z = np.asarray(logits).reshape(-1)
    return float(np.count_nonzero((z > 0) == (np.asarray(y).reshape(-1) > 0.5)) / z.size)


def categorical_accuracy(logits: np.ndarray, y: np.ndarray) -> float:
    """Fraction with argmax_c z[n, c] == y[n]."""
    return float(np.count_nonzero(np.argmax(logits, axis=1) == np.asarray(y)) / len(logits))


#: Each named loss with the accuracy fit logs beside it (None: no accuracy for MSE).
LOSSES = {
    "binary_cross_entropy": (binary_cross_entropy, binary_accuracy),
    "bce": (binary_cross_entropy, binary_accuracy),
    "softmax_cross_entropy": (softmax_cross_entropy, categorical_accuracy),
    "cross_entropy": (softmax_cross_entropy, categorical_accuracy),
    "mse": (mse, None),
}


def get_loss(loss):
    """(loss_fn, accuracy_fn or None) from a name in LOSSES or a callable (logits, y)."""
    if callable(loss):
        return next((pair for pair in LOSSES.values() if pair[0] is loss), (loss, None))
    if isinstance(loss, str) and loss in LOSSES:
        return LOSSES[loss]
    raise ValueError(f"loss must be a callable (logits, y) -> (value, dlogits) or one of "
                     f"{sorted(LOSSES)}, got {loss!r}")
