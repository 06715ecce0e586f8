"""Element-wise non-linearities. Shapes: x, y, dy, dx all the same, any shape.

    ReLU     y = max(0, x)            dy/dx = 1[x > 0]   (0 at the kink x = 0)
    Sigmoid  y = 1 / (1 + e^-x)       dy/dx = y (1 - y)
    Tanh     y = tanh(x)              dy/dx = 1 - y^2
"""

from __future__ import annotations

import numpy as np

from .layer import Layer


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function: exp is only taken of -|x|, so never overflows.

    x >= 0:  1 / (1 + e^-x);   x < 0:  e^x / (1 + e^x)   (the same value, rewritten)
    """
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


class ReLU(Layer):
    """Rectified linear unit, y = max(0, x)."""

    def forward(self, x):
        self._x = x
        return np.maximum(x, 0)

    def backward(self, dy):
        x = self._backward_ready()
        return dy * (x > 0)


class Sigmoid(Layer):
    """Logistic sigmoid, y = 1 / (1 + exp(-x))."""

    def forward(self, x):
        self._y = sigmoid(x)
        return self._y

    def backward(self, dy):
        y = self._backward_ready("_y")
        return dy * y * (1.0 - y)


class Tanh(Layer):
    """Hyperbolic tangent, y = tanh(x)."""

    def forward(self, x):
        self._y = np.tanh(x)
        return self._y

    def backward(self, dy):
        y = self._backward_ready("_y")
        return dy * (1.0 - y * y)
