"""Flatten: (N, d1, d2, ...) -> (N, d1 d2 ...), the bridge from conv layers to Dense layers.

Row-major (C order), like ``x.reshape(N, -1)``: for (N, C, H, W) the feature
index is c H W + i W + j. Backward reshapes dy back to the input's shape.
"""

from __future__ import annotations

import numpy as np

from .layer import Layer


class Flatten(Layer):
    """Keep the batch axis, merge all the others."""

    reshapes = True  # Sequential's width check: the feature count changes here

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: (N, ...) -> (N, prod(...))."""
        if not isinstance(x, np.ndarray) or x.ndim < 2:
            shape = getattr(x, "shape", type(x).__name__)
            raise ValueError(f"Flatten: x must have shape (N, ...) with at least 2 axes, "
                             f"got {shape}")
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """dy: (N, prod(...)) -> dx: the input's shape."""
        shape = self._backward_ready("_shape")
        return dy.reshape(shape)
