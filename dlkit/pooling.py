"""MaxPool2D: the largest value of each window, channel by channel, over (N, C, H, W).

Shapes: x (N, C, H, W) -> y (N, C, H_out, W_out), H_out = (H - k) // stride + 1
(floor convention; stride defaults to the kernel size: non-overlapping windows).

    y[n, c, i, j] = max_{u, v} x[n, c, s i + u, s j + v]

Backward: the max passes the gradient to the ONE input that won (the first
one, in row-major order, when there is a tie, as in PyTorch); every other
input of the window gets 0. With overlapping windows (stride < k) an input
can win several windows and collects the sum of their gradients: the
backward pass loops over the k^2 kernel offsets and adds a strided slice
each time, so overlaps add up without np.add.at.
"""

from __future__ import annotations

import numpy as np

from .conv import _pair, windows
from .layer import Layer


class MaxPool2D(Layer):
    """Max pooling with a (kH, kW) window and a stride (default: the window size)."""

    def __init__(self, kernel_size, stride=None):
        super().__init__()
        self.kernel_size = _pair(kernel_size, "kernel_size")
        if min(self.kernel_size) < 1:
            raise ValueError(f"kernel_size must be >= 1, got {kernel_size!r}")
        self.stride = self.kernel_size if stride is None else _pair(stride, "stride")
        if min(self.stride) < 1:
            raise ValueError(f"stride must be >= 1, got {stride!r}")
        self._arg = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: (N, C, H, W) -> y: (N, C, H_out, W_out)."""
        if not isinstance(x, np.ndarray) or x.ndim != 4:
            shape = getattr(x, "shape", type(x).__name__)
            raise ValueError(f"{self!r}: x must have shape (N, C, H, W), got {shape}")
        kh, kw = self.kernel_size
        if x.shape[2] < kh or x.shape[3] < kw:
            raise ValueError(f"{self!r}: input of spatial size {x.shape[2:]} is smaller than "
                             f"the window {self.kernel_size}")
        win = windows(x, self.kernel_size, self.stride)              # (N, C, Ho, Wo, kH, kW)
        flat = win.reshape(*win.shape[:4], kh * kw)
        arg = flat.argmax(axis=-1)                                   # which entry won
        self._arg, self._xshape = arg, x.shape
        return np.take_along_axis(flat, arg[..., None], axis=-1)[..., 0]

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """dy: (N, C, H_out, W_out) -> dx: (N, C, H, W), dy routed to each window's max."""
        arg = self._backward_ready("_arg")
        if dy.shape != arg.shape:
            raise ValueError(f"{self!r}: dy must have shape {arg.shape}, got {dy.shape}")
        kh, kw = self.kernel_size
        sh, sw = self.stride
        ho, wo = arg.shape[2:]
        dx = np.zeros(self._xshape, dtype=dy.dtype)
        for u in range(kh):
            for v in range(kw):
                dx[:, :, u:u + sh * ho:sh, v:v + sw * wo:sw] += np.where(arg == u * kw + v, dy, 0)
        return dx

    def __repr__(self) -> str:
        k, s = self.kernel_size, self.stride
        ks = k[0] if k[0] == k[1] else k
        extra = "" if s == k else f", stride={s[0] if s[0] == s[1] else s}"
        return f"MaxPool2D({ks}{extra})"
