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
    dx_i   = gamma / sigma * ( dy_i - (1/m) sum_j dy_j - x_hat_i (1/m) sum_j dy_j x_hat_j )
"""

from __future__ import annotations

import numpy as np

from ._validate import check_dtype, check_float, check_int
from .layer import Layer
from .parameter import Parameter


def _per_feature(v: np.ndarray, x: np.ndarray) -> np.ndarray:
    """A per-feature vector (D,) or (C,), shaped to broadcast over x: (1, D) or (1, C, 1, 1)."""
    return v.reshape((1, -1) if x.ndim == 2 else (1, -1, 1, 1))


def _sum(a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """Per-feature sum of a (or of a * b) over the batch, and the space for images: sum_n a[n, d]
    or sum_{n, h, w} a[n, c, h, w]. einsum writes the sum as its indices, never builds a * b,
    and is several times faster than ``a.sum(axis=(0, 2, 3))``."""
    terms = "nd" if a.ndim == 2 else "nchw"
    if b is None:
        return np.einsum(f"{terms}->{terms[1]}", a)
    return np.einsum(f"{terms},{terms}->{terms[1]}", a, b)


def batch_statistics(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean mu_B and biased variance sigma_B^2 (1/m) of x: (N, D) or (N, C, H, W)."""
    m = x.size // x.shape[1]
    mu = _sum(x) / m
    x_c = x - _per_feature(mu, x)
    return mu, _sum(x_c, x_c) / m


def normalize(x: np.ndarray, mu: np.ndarray, var: np.ndarray, gamma: np.ndarray,
              beta: np.ndarray, eps: float = 1e-5):
    """y = gamma * x_hat + beta with x_hat = (x - mu) / sqrt(var + eps), per feature.

    x: (N, D) or (N, C, H, W); mu, var, gamma, beta: (D,) or (C,). Training mode passes
    the batch statistics, evaluation mode the running ones. Returns (y, cache) with
    cache = (x_hat, inv_std, gamma), inv_std = 1 / sqrt(var + eps): (D,) or (C,).
    """
    inv_std = 1.0 / np.sqrt(var + eps)                                  # eps inside the sqrt
    x_hat = x - _per_feature(mu, x)
    x_hat *= _per_feature(inv_std, x)                                   # (x - mu) / sqrt(var + eps)
    y = x_hat * _per_feature(gamma, x)
    y += _per_feature(beta, x)                                          # gamma x_hat + beta
    return y, (x_hat, inv_std, gamma)


def batchnorm_forward(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5):
    """Training-mode forward. x: (N, D) or (N, C, H, W); gamma, beta: (D,) or (C,).

    Returns (y, cache): y has x's shape; cache = (x_hat, inv_std, gamma) is what
    ``batchnorm_backward`` needs.
    """
    mu, var = batch_statistics(x)
    return normalize(x, mu, var, gamma, beta, eps)


def batchnorm_backward(dy: np.ndarray, cache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Training-mode backward: dy (x's shape) -> (dx, dgamma, dbeta), the compact formula

        dgamma = sum dy x_hat      dbeta = sum dy
        dx     = gamma / sigma * (dy - dbeta / m - x_hat dgamma / m)

    with sums over the m values of each feature and 1 / sigma = inv_std.
    """
    x_hat, inv_std, gamma = cache
    m = dy.size // dy.shape[1]
    dbeta = _sum(dy)
    dgamma = _sum(dy, x_hat)
    dx = dy - _per_feature(dbeta / m, dy)
    dx -= x_hat * _per_feature(dgamma / m, dy)
    dx *= _per_feature(gamma * inv_std, dy)
    return dx, dgamma, dbeta


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
            y, cache = normalize(x, self.running_mean, self.running_var,
                                 self.gamma.value, self.beta.value, self.eps)
            self._cache = ("eval", cache)
            return y
        m = x.size // x.shape[1]
        if m < 2:
            raise ValueError(
                f"{self!r} in training mode needs more than 1 value per feature to compute a "
                f"batch variance, got x of shape {x.shape} ({m} value(s) per feature). Use a larger "
                "batch, or call .eval() to use the running statistics"
            )
        mu, var = batch_statistics(x)
        y, cache = normalize(x, mu, var, self.gamma.value, self.beta.value, self.eps)
        mom = self.momentum
        self.running_mean *= mom                      # in place: the arrays stay the same
        self.running_mean += (1 - mom) * mu
        self.running_var *= mom
        self.running_var += (1 - mom) * var * (m / (m - 1))
        self._cache = ("train", cache)
        return y

    def backward(self, dy: np.ndarray) -> np.ndarray:
        """dy: x's shape -> dx; adds into gamma.grad and beta.grad."""
        mode, cache = self._backward_ready("_cache")
        self._check(dy)
        x_hat, inv_std, gamma = cache
        if dy.shape != x_hat.shape:
            raise ValueError(f"{self!r}: dy must have the shape of the last forward's x, "
                             f"{x_hat.shape}, got {dy.shape}")
        if mode == "eval":
            # y = gamma * x_hat + beta with FIXED statistics: an affine map of x
            dgamma, dbeta = _sum(dy, x_hat), _sum(dy)
            dx = dy * _per_feature(gamma * inv_std, dy)
        else:
            dx, dgamma, dbeta = batchnorm_backward(dy, cache)
        self.gamma.grad += dgamma
        self.beta.grad += dbeta
        return dx

    def __repr__(self) -> str:
        return f"BatchNorm({self.num_features})"
