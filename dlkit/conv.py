"""Conv2D: a 2-D convolution (cross-correlation, as in every framework) over (N, C, H, W).

Shapes: x (N, C_in, H, W), W (C_out, C_in, kH, kW), b (C_out,),
y (N, C_out, H_out, W_out) with H_out = (H + 2 padding - kH) // stride + 1
(W_out alike; the last rows and columns that do not fill a window are
dropped, the "floor" convention).

    y[n, f, i, j] = b[f] + sum_{c, u, v} W[f, c, u, v] xp[n, c, s i + u, s j + v]

where xp is x zero-padded by ``padding`` on each side and s the stride.

im2col turns this into ONE matrix product. Every output position (n, i, j)
owns a window of C_in kH kW input values; laid out as the COLUMNS of a matrix

    cols: (C_in kH kW, N H_out W_out),   y = W.reshape(C_out, -1) @ cols + b,

so the convolution runs at matrix-multiply speed. NumPy builds the windows
without copying (``sliding_window_view`` is a strided view); making ``cols``
contiguous is the only copy. (The window axes come first, channel-major as
in Caffe: that copy reads memory in order and is about 3 times faster than
the row-per-position layout.) Backward, with dy as a matrix
dY (C_out, N H_out W_out):

    dW = dY cols^T                 (reshaped to (C_out, C_in, kH, kW))
    db = sum of dy over n, i, j
    dcols = W_mat^T dY             then col2im: every window adds its share
                                   back to the input positions it read.

col2im loops over the kH kW kernel offsets (u, v), adding a strided slice of
dcols into dxp[:, :, u::s, v::s] each time: kH kW vectorised additions, no
np.add.at.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._validate import check_dtype, check_int, check_rng
from .initializers import get_initializer, zeros
from .layer import Layer
from .parameter import Parameter


def _pair(value, name: str) -> tuple[int, int]:
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair (h, w), got {value!r}")
        return check_int(value[0], f"{name}[0]", low=0), check_int(value[1], f"{name}[1]", low=0)
    v = check_int(value, name, low=0)
    return v, v


def conv_output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """floor((size + 2 padding - kernel) / stride) + 1."""
    return (size + 2 * padding - kernel) // stride + 1


def windows(x: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int]) -> np.ndarray:
    """Strided view of every (kH, kW) window: (N, C, H, W) -> (N, C, H_out, W_out, kH, kW). No copy."""
    v = sliding_window_view(x, kernel, axis=(2, 3))
    return v[:, :, ::stride[0], ::stride[1]]


class Conv2D(Layer):
    """2-D convolution layer on (N, C, H, W) inputs.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (kH, kW)
    stride : int or (sH, sW), >= 1
    padding : int or (pH, pW), zeros added on each side
    init : initializer name or function ``(shape, rng)``; default "he" (ReLU
        nets), with fan_in = in_channels kH kW. b starts at zero.
    rng : np.random.Generator
    dtype : float64 (default) or float32
    bias : False drops b (e.g. before a BatchNorm, whose mean subtraction cancels it)
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 init="he", rng=None, dtype=np.float64, bias: bool = True):
        super().__init__()
        self.in_channels = check_int(in_channels, "in_channels", low=1)
        self.out_channels = check_int(out_channels, "out_channels", low=1)
        self.kernel_size = _pair(kernel_size, "kernel_size")
        if min(self.kernel_size) < 1:
            raise ValueError(f"kernel_size must be >= 1, got {kernel_size!r}")
        self.stride = _pair(stride, "stride")
        if min(self.stride) < 1:
            raise ValueError(f"stride must be >= 1, got {stride!r}")
        self.padding = _pair(padding, "padding")
        dtype = check_dtype(dtype)
        shape = (self.out_channels, self.in_channels, *self.kernel_size)
        w = get_initializer(init)(shape, check_rng(rng))
        self.W = Parameter(np.asarray(w, dtype=dtype), name="W", regularize=True)
        self.b = (Parameter(zeros((self.out_channels,), dtype=dtype), name="b") if bias
                  else None)
        self._cols = None

    def parameters(self) -> list[Parameter]:
        return [self.W] if self.b is None else [self.W, self.b]

    def output_shape(self, h: int, w: int) -> tuple[int, int]:
        """(H_out, W_out) for an input of spatial size (h, w)."""
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        return conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)

    def _check_input(self, x) -> None:
        if not isinstance(x, np.ndarray) or x.ndim != 4 or x.shape[1] != self.in_channels:
            shape = getattr(x, "shape", type(x).__name__)
            hint = ""
            if isinstance(x, np.ndarray) and x.ndim == 4 and x.shape[3] == self.in_channels:
                hint = " (channels last? use x.transpose(0, 3, 1, 2))"
            elif isinstance(x, np.ndarray) and x.ndim == 3:
                hint = " (add a channel axis: x[:, None])"
            raise ValueError(f"{self!r}: x must have shape (N, in_channels={self.in_channels}, "
                             f"H, W), got {shape}{hint}")
        h, w = x.shape[2:]
        (kh, kw), (ph, pw) = self.kernel_size, self.padding
        if h + 2 * ph < kh or w + 2 * pw < kw:
            raise ValueError(f"{self!r}: input of spatial size {(h, w)} (padding {self.padding}) "
                             f"is smaller than the kernel {self.kernel_size}")

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: (N, C_in, H, W) -> y: (N, C_out, H_out, W_out)."""
        self._check_input(x)
        n, c = x.shape[:2]
        (ph, pw) = self.padding
        xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x
        win = windows(xp, self.kernel_size, self.stride)          # (N, C, Ho, Wo, kH, kW)
        ho, wo = win.shape[2:4]
        cols = np.ascontiguousarray(win.transpose(1, 4, 5, 0, 2, 3)).reshape(-1, n * ho * wo)
        w_mat = self.W.value.reshape(self.out_channels, -1)
        y = w_mat @ cols                                            # (C_out, N Ho Wo)
        if self.b is not None:
            y += self.b.value[:, None]
        self._cols, self._xshape, self._pshape = cols, x.shape, xp.shape
        return y.reshape(self.out_channels, n, ho, wo).transpose(1, 0, 2, 3)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """dy: (N, C_out, H_out, W_out) -> dx: (N, C_in, H, W); adds into W.grad and b.grad."""
        cols = self._backward_ready("_cols")
        n, _, h, w = self._xshape
        ho, wo = self.output_shape(h, w)
        if not isinstance(dy, np.ndarray) or dy.shape != (n, self.out_channels, ho, wo):
            raise ValueError(f"{self!r}: dy must have shape {(n, self.out_channels, ho, wo)}, "
                             f"got {getattr(dy, 'shape', type(dy).__name__)}")
        dY = dy.transpose(1, 0, 2, 3).reshape(self.out_channels, -1)   # (C_out, N Ho Wo)
        self.W.grad += (dY @ cols.T).reshape(self.W.shape)             # dW = dY cols^T
        if self.b is not None:
            self.b.grad += dY.sum(axis=1)                               # db = sum of dy
        W_mat = self.W.value.reshape(self.out_channels, -1)
        return self._col2im(W_mat.T @ dY)                               # dcols = W^T dY

    def _col2im(self, dcols: np.ndarray) -> np.ndarray:
        """dcols (C_in kH kW, N H_out W_out) -> dx (N, C_in, H, W): every window adds its
        share back to the input positions it read, one kernel offset (u, v) at a time."""
        n, c, h, w = self._xshape
        ho, wo = self.output_shape(h, w)
        (kh, kw), (sh, sw), (ph, pw) = self.kernel_size, self.stride, self.padding
        dcols = dcols.reshape(c, kh, kw, n, ho, wo)
        dxp = np.zeros((c, n, *self._pshape[2:]), dtype=dcols.dtype)   # channel-major, like dcols
        for u in range(kh):
            for v in range(kw):
                dxp[:, :, u:u + sh * ho:sh, v:v + sw * wo:sw] += dcols[:, u, v]
        return dxp[:, :, ph:ph + h, pw:pw + w].transpose(1, 0, 2, 3)

    def __repr__(self) -> str:
        extra = ""
        if self.stride != (1, 1):
            extra += f", stride={self.stride[0] if self.stride[0] == self.stride[1] else self.stride}"
        if self.padding != (0, 0):
            p = self.padding
            extra += f", padding={p[0] if p[0] == p[1] else p}"
        k = self.kernel_size
        return (f"Conv2D({self.in_channels} -> {self.out_channels}, "
                f"kernel_size={k[0] if k[0] == k[1] else k}{extra})")
