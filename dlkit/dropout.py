"""Dropout: drop each unit with probability p during training (the sheet's p).

``p`` is the DROP probability; a unit is kept with probability ``1 - p`` (the
sheet's remark: many frameworks and older courses name the *keep*
probability instead, so check before copying a value). dlkit uses
"inverted" dropout: kept units are scaled by 1 / (1 - p) at training time,

    mask[i] = 1[u_i >= p] / (1 - p),   u_i ~ U[0, 1)        (N, D) like x
    y       = x * mask                                       training mode
    y       = x                                              evaluation mode

so that E[y_i] = (1 - p) * x_i / (1 - p) + p * 0 = x_i: the expected
activation is the same in both modes and nothing changes at test time.

Backward uses the SAME mask as the forward pass (the dropped units had no
effect on the loss, so they get no gradient):

    dx = dy * mask

A gradient check must hold the mask fixed: ``dlkit.gradcheck`` restores the
state of the layer's ``rng`` before every forward pass, so every pass draws
the same mask.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validate import check_rng
from .layer import Layer


def check_drop_probability(p, name: str = "p") -> float:
    """p must be a number in [0, 1): the probability of DROPPING a unit."""
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise TypeError(f"{name} must be a number in [0, 1), got {p!r} ({type(p).__name__})")
    p = float(p)
    if not (0.0 <= p < 1.0):
        raise ValueError(
            f"{name} is the DROP probability and must be in [0, 1), got {p} "
            f"(keep probability = 1 - {name}; {name} = 1 would drop every unit)"
        )
    return p


def dropout_mask(shape, p: float, rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    """The scaled mask 1[u >= p] / (1 - p): entries are 0 (dropped) or 1/(1 - p) (kept)."""
    p = check_drop_probability(p)
    keep = rng.random(shape) >= p
    return keep.astype(dtype) * np.asarray(1.0 / (1.0 - p), dtype=dtype)


def dropout_forward(x: np.ndarray, p: float, rng: np.random.Generator,
                    training: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Inverted dropout as a plain function.

    x: (N, D) or any shape (integers are turned into float64); p: drop probability in [0, 1).
    Returns (y, mask): y = x * mask in training mode, with mask the scaled
    mask of x's shape; (x, None) in evaluation mode or when p = 0.
    """
    p = check_drop_probability(p)
    if not isinstance(x, np.ndarray):
        raise TypeError(f"x must be a NumPy array, got {type(x).__name__}")
    if not np.issubdtype(x.dtype, np.floating):
        # an integer mask would truncate 1/(1 - p) (to 1 for p < 0.5): work in float64
        x = x.astype(np.float64)
    if not training or p == 0.0:
        return x, None
    mask = dropout_mask(x.shape, p, check_rng(rng), dtype=x.dtype)
    return x * mask, mask


def dropout_backward(dy: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """dy: upstream gradient, x's shape; mask from dropout_forward. Returns dx = dy * mask."""
    if mask is None:
        return dy
    if dy.shape != mask.shape:
        raise ValueError(f"dy must have the mask's shape {mask.shape}, got {dy.shape}")
    return dy * mask


class Dropout(Layer):
    """Inverted dropout layer: zero each unit with probability p, scale the rest by 1/(1 - p).

    Parameters
    ----------
    p : float in [0, 1)
        DROP probability (keep probability = 1 - p). p = 0 is the identity.
    rng : np.random.Generator
        Source of the masks (kept as ``self.rng``; restoring its state
        redraws the same mask, which is how gradient checks hold it fixed).

    In evaluation mode (``layer.eval()``, ``training`` False) the layer is the
    identity. ``backward`` reuses the mask of the last ``forward``.
    """

    def __init__(self, p: float = 0.5, rng=None):
        super().__init__()
        self.p = check_drop_probability(p)
        self.rng = check_rng(rng)
        self.mask = None   # mask of the last training-mode forward (None: identity)
        self._shape = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: any shape, e.g. (N, D) -> y: same shape."""
        y, self.mask = dropout_forward(x, self.p, self.rng, training=self.training)
        self._shape = x.shape
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """dy: the forward output's shape -> dx = dy * mask (dy itself in eval mode)."""
        shape = self._backward_ready("_shape")
        if dy.shape != shape:
            raise ValueError(f"{self!r}: dy must have shape {shape}, got {dy.shape}")
        return dropout_backward(dy, self.mask)

    def __repr__(self) -> str:
        return f"Dropout(p={self.p:g})"
