"""Batch normalization (Ioffe & Szegedy, 2015): normalize each feature over the mini-batch.

The sheet's formula, for a mini-batch {x_i} with mean mu_B and variance sigma_B^2
(the biased one, 1/m), eps INSIDE the square root:

    x_hat_i = (x_i - mu_B) / sqrt(sigma_B^2 + eps)
    y_i     = gamma * x_hat_i + beta

Statistics are per feature: over the batch axis for (N, D) inputs (m = N
values per feature), over the batch AND the spatial axes for (N, C, H, W)
inputs (m = N H W values per channel, as after a convolution).

gamma and beta: the sheet calls them hyperparameters, but they are learned
*parameters*, trained by gradient descent like weights (one pair per
feature). They let the layer undo the normalization where that helps: with
gamma = sqrt(sigma^2 + eps) and beta = mu the layer is the identity. The true
hyperparameters are ``momentum`` and ``eps``. (Like biases, gamma and beta are
not weight-decayed: ``regularize=False``.)

Training vs evaluation. In training mode the batch's own statistics are used
and running averages are updated,

    running_mean <- momentum * running_mean + (1 - momentum) * mu_B
    running_var  <- momentum * running_var  + (1 - momentum) * sigma_B^2 * m / (m - 1)

(the "decay" convention of Keras/TensorFlow, momentum=0.9 keeps 90 % of the
old value; PyTorch's ``momentum=0.1`` names the weight of the NEW value, the
same update. The running variance uses the unbiased m/(m-1) estimate, as
PyTorch does.) In evaluation mode the running statistics replace the batch
statistics, so a prediction does not depend on the other examples of the
batch, and the layer is a fixed affine map.

Backward in training mode (the compact form; the mean and the variance
depend on every x_i, hence the two correction terms), per feature with
sigma = sqrt(sigma_B^2 + eps) and sums over the m values:

    dgamma = sum_i dy_i x_hat_i          dbeta = sum_i dy_i
    dx_i   = gamma / (m sigma) * ( m dy_i - sum_j dy_j - x_hat_i sum_j dy_j x_hat_j )
"""

from __future__ import annotations

import math

import numpy as np

from ._validate import check_dtype, check_float, check_int
from .layer import SPENT, Layer
from .parameter import Parameter


def _shape(x: np.ndarray) -> tuple[int, ...]:
    """Broadcast shape of per-feature statistics: (1, D) or (1, C, 1, 1)."""
    return (1, x.shape[1]) if x.ndim == 2 else (1, x.shape[1], 1, 1)


# Layout. The elementwise steps see x as an (N, F) matrix, F = D or C*H*W (a view,
# no copy), and a per-feature vector as one row of it: for images each channel's
# value repeated H*W times. Broadcasting a row over (N, F) runs as N long contiguous
# loops; broadcasting (1, C, 1, 1) over (N, C, H, W) runs as N*C short ones, which
# NumPy does at about half the speed. The values, and so the results, are the same.
def _matrix(a: np.ndarray) -> np.ndarray:
    """a: (N, D) or (N, C, H, W) -> (N, F), F = D or C*H*W."""
    return a.reshape(a.shape[0], math.prod(a.shape[1:]))       # explicit F: N = 0 works too


def _row(v: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Per-feature v, (D,) or (C,), as a row of x's (N, F) matrix: (F,)."""
    v = v.reshape(-1)
    return v if x.ndim == 2 else np.repeat(v, math.prod(x.shape[2:]))


def _product(a: np.ndarray, row: np.ndarray, buffer: np.ndarray | None = None) -> np.ndarray:
    """a (N, F) times a per-feature row, written into ``buffer`` (an (N, F) array no
    longer needed, such as a spent cache) when the product has its dtype, else new."""
    if buffer is not None and np.result_type(a, row) == buffer.dtype:
        return np.multiply(a, row, out=buffer)
    return a * row


def _sum(a: np.ndarray) -> np.ndarray:
    """Per-feature sum of a: (D,) or (C,). A product with a vector of ones runs in BLAS,
    about three times as fast as ``a.sum(axis=(0, 2, 3))`` on (N, C, H, W): one
    (N C, H W) matrix times ones(H W), then the N partial sums of each channel."""
    if a.ndim == 2:
        return np.ones(a.shape[0], dtype=a.dtype) @ a
    n, c = a.shape[:2]
    hw = math.prod(a.shape[2:])
    return (a.reshape(n * c, hw) @ np.ones(hw, dtype=a.dtype)).reshape(n, c).sum(axis=0)


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-feature sum of a * b: (D,) or (C,). einsum never builds the product array."""
    return np.einsum("nd,nd->d" if a.ndim == 2 else "nchw,nchw->c", a, b)


def batch_statistics(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean mu_B and biased variance sigma_B^2 (1/m) of x: (N, D) or (N, C, H, W)."""
    mu, var, _ = _centered(x)
    return mu, var


def _centered(x: np.ndarray):
    """(mu_B, sigma_B^2, x - mu_B): the centred batch is kept, the forward pass reuses it."""
    m = x.size // x.shape[1]
    mu = _sum(x) / m
    xc = (_matrix(x) - _row(mu, x)).reshape(x.shape)
    return mu, _dot(xc, xc) / m, xc


def normalize(x: np.ndarray, mu: np.ndarray, var: np.ndarray, gamma: np.ndarray,
              beta: np.ndarray, eps: float = 1e-5, *, _xc: np.ndarray | None = None):
    """y = gamma * (x - mu) / sqrt(var + eps) + beta, per feature; mu, var, gamma, beta: (D,).

    Training mode passes the batch statistics, evaluation mode the running ones.
    Returns (y, cache) with cache = (x_c, inv_std, gamma): the centred x_c = x - mu,
    and inv_std = 1 / sqrt(var + eps) broadcastable per feature, so that
    x_hat = x_c * inv_std. x_hat itself is never stored: y = x_c (gamma inv_std) + beta
    is one pass over the data fewer.
    """
    inv_std = 1.0 / np.sqrt(var + eps)                  # eps inside the sqrt
    x_c = _matrix(x) - _row(mu, x) if _xc is None else _matrix(_xc)   # x - mu, once
    y = x_c * _row(gamma * inv_std, x)                  # gamma x_hat
    y += _row(beta, x)                                  # + beta, in place
    return y.reshape(x.shape), (x_c.reshape(x.shape), inv_std.reshape(_shape(x)), gamma)


def batchnorm_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5):
    """Training-mode forward. x: (N, D) or (N, C, H, W); gamma, beta: (D,) or (C,).

    Returns (y, cache): y has x's shape; cache = (x_c, inv_std, gamma) is what
    ``batchnorm_backward`` needs (x_c = x - mu_B, inv_std = 1 / sqrt(sigma_B^2 + eps)
    broadcastable per feature; x_hat = x_c * inv_std).
    """
    mu, var, xc = _centered(x)
    return normalize(x, mu, var, gamma, beta, eps, _xc=xc)


def batchnorm_backward(dy: np.ndarray, cache, *, spend_cache: bool = False
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Training-mode backward: dy (x's shape) -> (dx, dgamma, dbeta), compact formula.

    With x_hat = x_c inv_std, computed as dgamma = inv_std sum dy x_c, dbeta = sum dy,
    dx = gamma inv_std (dy - dbeta / m - x_c inv_std dgamma / m), in one buffer:
    with ``spend_cache=True`` the buffer of x_c itself (the cache is then used up, as
    PyTorch frees what a backward pass saved; about 12 % faster on (64, 32, 28, 28)).
    """
    x_c, inv_std, gamma = cache
    m = dy.size // dy.shape[1]
    inv_std = inv_std.reshape(-1)
    dbeta = _sum(dy)
    dgamma = _dot(dy, x_c) * inv_std
    x_c = _matrix(x_c)
    dx = _product(x_c, _row(inv_std * dgamma / m, dy),  # x_hat dgamma / m
                  x_c if spend_cache else None)
    np.subtract(_matrix(dy), dx, out=dx)                # dy - x_hat dgamma / m
    dx -= _row(dbeta / m, dy)                           # - dbeta / m
    dx *= _row(gamma * inv_std, dy)                     # times gamma inv_std
    return dx.reshape(dy.shape), dgamma, dbeta


class BatchNorm(Layer):
    """Batch normalization for (N, D) (after Dense) or (N, C, H, W) (after Conv2D).

    Parameters
    ----------
    num_features : int, D or C
    momentum : float in [0, 1), weight of the OLD running value (Keras
        convention; PyTorch's momentum = 1 - this)
    eps : float > 0, added to the variance inside the square root
    dtype : float64 (default) or float32

    Attributes: gamma (ones), beta (zeros): Parameters; running_mean (zeros),
    running_var (ones): arrays (D,), updated in training mode only.

    Training mode needs more than one value per feature to estimate a variance:
    a batch of one (1, D) raises ValueError (use eval mode to predict one
    example); a single image (1, C, H, W) still has H W values per channel and
    works, as in PyTorch.
    """

    def __init__(self, num_features: int, momentum: float = 0.9, eps: float = 1e-5,
                 dtype=np.float64):
        super().__init__()
        self.num_features = check_int(num_features, "num_features", low=1)
        self.momentum = check_float(momentum, "momentum", low=0.0, high=1.0, high_open=True)
        self.eps = check_float(eps, "eps", low=0.0, low_open=True)
        dtype = check_dtype(dtype)
        self.gamma = Parameter(np.ones(self.num_features, dtype=dtype), name="gamma",
                               regularize=False)
        self.beta = Parameter(np.zeros(self.num_features, dtype=dtype), name="beta",
                              regularize=False)
        self.running_mean = np.zeros(self.num_features, dtype=dtype)
        self.running_var = np.ones(self.num_features, dtype=dtype)
        self._cache = None

    def parameters(self) -> list[Parameter]:
        return [self.gamma, self.beta]

    def _check(self, x) -> None:
        if (not isinstance(x, np.ndarray) or x.ndim not in (2, 4)
                or x.shape[1] != self.num_features):
            shape = getattr(x, "shape", type(x).__name__)
            raise ValueError(
                f"{self!r}: x must have shape (N, num_features={self.num_features}) or "
                f"(N, {self.num_features}, H, W), got {shape}"
            )

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: (N, D) or (N, C, H, W) -> y: same shape."""
        self._check(x)
        if not self.training:
            y, (x_c, inv_std, _) = normalize(x, self.running_mean, self.running_var,
                                             self.gamma.value, self.beta.value, self.eps)
            self._cache = ("eval", (x_c, inv_std))
            return y
        m = x.size // x.shape[1]
        if m < 2:
            raise ValueError(
                f"{self!r} in training mode needs more than 1 value per feature to compute a "
                f"batch variance, got x of shape {x.shape} ({m} value(s) per feature). Use a larger "
                "batch, or call .eval() to use the running statistics"
            )
        mu, var, xc = _centered(x)
        y, cache = normalize(x, mu, var, self.gamma.value, self.beta.value, self.eps, _xc=xc)
        mom = self.momentum
        self.running_mean *= mom
        self.running_mean += (1 - mom) * mu
        self.running_var *= mom
        self.running_var += (1 - mom) * var * (m / (m - 1))
        self._cache = ("train", cache)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """dy: x's shape -> dx; adds into gamma.grad and beta.grad.

        One backward per forward: dx is computed in the buffer of the cached x - mu_B,
        so the cache is spent (as in PyTorch, where a second backward through the same
        graph raises); a second call raises RuntimeError until the next forward.
        """
        mode, cache = self._backward_ready("_cache")
        self._check(dy)
        if dy.shape != cache[0].shape:
            raise ValueError(f"{self!r}: dy must have the shape of the last forward's x, "
                             f"{cache[0].shape}, got {dy.shape}")
        self._cache = SPENT
        if mode == "eval":
            # y = gamma * x_hat + beta with FIXED statistics: an affine map of x
            x_c, inv_std = cache
            self.gamma.grad += _dot(dy, x_c) * inv_std.ravel()
            self.beta.grad += _sum(dy)
            dx = _product(_matrix(dy), _row(self.gamma.value * inv_std.ravel(), dy),
                          _matrix(x_c))                  # in the spent cache's buffer
            return dx.reshape(dy.shape)
        dx, dgamma, dbeta = batchnorm_backward(dy, cache, spend_cache=True)
        self.gamma.grad += dgamma
        self.beta.grad += dbeta
        return dx

    def __repr__(self) -> str:
        return f"BatchNorm({self.num_features})"
