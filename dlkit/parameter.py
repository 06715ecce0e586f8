"""Parameter: a trainable array and the gradient of the loss with respect to it.

Backward passes *add* into ``grad`` (as in PyTorch), so gradients from several
backward calls accumulate until an optimizer's ``zero_grad()`` resets them.
Forgetting ``zero_grad()`` is a classic bug; chapter 05 shows what it does.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array


class Parameter:
    """A learnable array.

    Attributes
    ----------
    value : ndarray, any shape
    grad : ndarray, same shape and dtype as ``value``; dL/d value
    trainable : bool
        False freezes it: optimizers never touch it (transfer learning).
    regularize : bool
        Whether weight penalties (L1, L2, Elastic Net) apply. True for weights,
        False for biases and batch-norm's gamma/beta, by convention.
    name : str
        "W", "b", "gamma", ...: used in messages and state dicts.
    """

    __slots__ = ("value", "grad", "trainable", "regularize", "name")

    def __init__(self, value, *, name: str = "param", trainable: bool = True,
                 regularize: bool = False):
        arr = check_array(value, name)
        self.value = np.array(arr, copy=True)
        self.grad = np.zeros_like(self.value)
        self.trainable = bool(trainable)
        self.regularize = bool(regularize)
        self.name = name

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape

    @property
    def dtype(self) -> np.dtype:
        return self.value.dtype

    @property
    def size(self) -> int:
        return self.value.size

    def zero_grad(self) -> None:
        self.grad.fill(0.0)

    def __repr__(self) -> str:
        frozen = "" if self.trainable else ", frozen"
        return f"Parameter({self.name}, shape={self.shape}, dtype={self.dtype}{frozen})"
