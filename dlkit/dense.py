"""Dense (fully connected) layer:  y = x W + b.

Shapes: x (N, D_in), W (D_in, D_out), b (D_out,), y (N, D_out).

Backward, by the chain rule, with dy = dL/dy of shape (N, D_out):

    dL/dW = x^T dy          (D_in, D_out)   -- summed over the batch
    dL/db = sum_n dy[n]     (D_out,)
    dL/dx = dy W^T          (N, D_in)       -- passed to the layer below
"""

from __future__ import annotations

import numpy as np

from ._validate import check_dtype, check_int, check_rng
from .initializers import get_initializer, zeros
from .layer import Layer
from .parameter import Parameter


class Dense(Layer):
    """Fully connected layer ``y = x W + b``.

    Parameters
    ----------
    in_features, out_features : int
    init : str or callable
        Initializer of W by name ("xavier", "he", "normal", "zeros", ...) or a
        function ``(shape, rng) -> array``. b starts at zero.
    rng : np.random.Generator
    dtype : float64 (default, gradient checks need it) or float32 (speed)
    """

    def __init__(self, in_features: int, out_features: int, init="xavier", rng=None,
                 dtype=np.float64, bias: bool = True):
        super().__init__()
        self.in_features = check_int(in_features, "in_features", low=1)
        self.out_features = check_int(out_features, "out_features", low=1)
        dtype = check_dtype(dtype)
        w = get_initializer(init)((self.in_features, self.out_features), check_rng(rng))
        self.W = Parameter(np.asarray(w, dtype=dtype), name="W", regularize=True)
        self.b = Parameter(zeros((self.out_features,), dtype=dtype), name="b") if bias else None
        self._x = None

    def parameters(self) -> list[Parameter]:
        return [self.W] if self.b is None else [self.W, self.b]

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: (N, in_features) -> y: (N, out_features)."""
        if not isinstance(x, np.ndarray) or x.ndim != 2 or x.shape[1] != self.in_features:
            shape = getattr(x, "shape", type(x).__name__)
            raise ValueError(
                f"{self!r}: x must have shape (N, {self.in_features}), got {shape}"
            )
        self._x = x
        y = x @ self.W.value
        if self.b is not None:
            y += self.b.value
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """dy: (N, out_features) -> dx: (N, in_features); adds into W.grad and b.grad."""
        x = self._backward_ready()
        if dy.shape != (x.shape[0], self.out_features):
            raise ValueError(
                f"{self!r}: dy must have shape {(x.shape[0], self.out_features)}, got {dy.shape}"
            )
        self.W.grad += x.T @ dy                 # dL/dW = x^T dy
        if self.b is not None:
            self.b.grad += dy.sum(axis=0)       # dL/db = sum_n dy[n]
        return dy @ self.W.value.T              # dL/dx = dy W^T

    def __repr__(self) -> str:
        return f"Dense({self.in_features} -> {self.out_features})"
