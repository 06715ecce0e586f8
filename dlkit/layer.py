"""Layer: the forward/backward contract every building block follows.

    y  = layer.forward(x)        # caches what backward needs
    dx = layer.backward(dy)      # dy = dL/dy, returns dx = dL/dx and ADDS
                                 # dL/dtheta into every parameter's .grad

Backward computes gradients; it never updates weights (that is the
optimizer's job: the sheet's step 2 and step 3 are separate). A layer has a
``training`` flag: layers such as Dropout and BatchNorm behave differently in
training and evaluation mode.
"""

from __future__ import annotations

import numpy as np

from .parameter import Parameter


class Layer:
    """Base class. Subclasses implement ``forward`` and ``backward``."""

    def __init__(self):
        self.training = True

    def forward(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, dy: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def parameters(self) -> list[Parameter]:
        """The layer's parameters (in a fixed order); none by default."""
        return [v for v in vars(self).values() if isinstance(v, Parameter)]

    def train(self) -> Layer:
        self.training = True
        return self

    def eval(self) -> Layer:
        self.training = False
        return self

    def _backward_ready(self, cache_name: str = "_x"):
        cache = getattr(self, cache_name, None)
        if cache is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return cache

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
