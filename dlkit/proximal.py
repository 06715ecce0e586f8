"""Proximal gradient descent (ISTA): penalized linear models with exact zeros.

Minimise  F(w, b) = D(w, b) + P(w)  for a linear model z = X w + b, where D is a
smooth data loss (mean squared error or binary cross-entropy from logits) and
P a penalty from ``dlkit.regularizers`` (L1, L2, ElasticNet). One ISTA step:

    v = w - lr * dD/dw                 a gradient step on the smooth part only
    w = prox_{lr P}(v)                 = argmin_u ||u - v||^2 / (2 lr) + P(u)
    b = b - lr * dD/db                 (the intercept is not penalized)

For L1 the prox is soft-thresholding, sign(v) max(|v| - lr lam, 0), which
sets every |v_i| <= lr lam to exactly 0. Plain (sub)gradient descent
instead steps by lr * lam * sign(w): a small weight overshoots 0, changes
sign, overshoots back, and ends up jittering at about lr * lam from 0
without ever being 0. Hence the two methods here: "proximal" (ISTA, the
default) and "subgradient" (what ``fit(penalty=...)`` does for networks).

With lr = 1/L, L the Lipschitz constant of dD, ISTA decreases F at every
step and converges (Beck & Teboulle, 2009):

    mse  D = mean((z - y)^2)                   L = 2 ||[X 1]||_2^2 / N
    bce  D = mean(binary cross-entropy)        L = ||[X 1]||_2^2 / (4N)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import check_array, check_float, check_int
from .activations import sigmoid
from .regularizers import Regularizer

LOSSES = ("mse", "binary_cross_entropy")


@dataclass
class ProxResult:
    """Weights w: (D,), intercept b, iterations used, whether tol was reached, F(w, b)."""

    w: np.ndarray
    b: float
    n_iter: int
    converged: bool
    objective: float


def _check_loss(loss: str) -> str:
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    return loss


def _check_penalty(penalty) -> Regularizer:
    if not all(callable(getattr(penalty, m, None)) for m in ("penalty", "grad", "prox")):
        raise TypeError(
            "penalty must be a dlkit regularizer with penalty, grad and prox methods "
            f"(L1, L2, ElasticNet), got {type(penalty).__name__}"
        )
    return penalty


def _check_data(X, y, loss):
    X = check_array(X, "X", ndim=2)
    y = check_array(y, "y", ndim=(1, 2)).reshape(-1)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y has {y.shape[0]} entries but X has {X.shape[0]} rows")
    if loss == "binary_cross_entropy" and np.any((y != 0) & (y != 1)):
        raise ValueError("y must hold 0/1 labels for loss='binary_cross_entropy'")
    return X.astype(np.float64, copy=False), y.astype(np.float64, copy=False)


def lipschitz_constant(X, loss: str = "mse", fit_intercept: bool = True) -> float:
    """L of the data-loss gradient (see the module docstring); lr = 1/L is a safe step."""
    X = check_array(X, "X", ndim=2)
    loss = _check_loss(loss)
    Xt = np.c_[X, np.ones(len(X))] if fit_intercept else X
    s2 = float(np.linalg.norm(Xt, 2) ** 2)
    return (2.0 * s2 if loss == "mse" else s2 / 4.0) / len(X)


def data_loss(X, y, w, b: float = 0.0, loss: str = "mse") -> float:
    """D(w, b): mean squared error or mean binary cross-entropy of z = X w + b."""
    z = X @ w + b
    if loss == "mse":
        return float(np.mean((z - y) ** 2))
    return float(np.mean(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z)))))


def proximal_gradient(X, y, penalty, *, loss: str = "mse", method: str = "proximal",
                      lr: float | None = None, max_iter: int = 5000, tol: float = 1e-9,
                      w0=None, b0: float = 0.0, fit_intercept: bool = True) -> ProxResult:
    """Fit the linear model z = X w + b by minimising D + P with ISTA (or subgradient descent).

    X: (N, D); y: (N,) targets (0/1 labels for binary cross-entropy).
    penalty: L1 / L2 / ElasticNet (only w is penalized, not b).
    method: "proximal" (ISTA, exact zeros) or "subgradient" (w -= lr (dD + penalty.grad)).
    lr: step size, default 1 / L (``lipschitz_constant``).
    Stops when no coordinate moves by more than tol in one step, or after max_iter.
    w0, b0: warm start (used by ``regularization_path``).
    """
    loss = _check_loss(loss)
    penalty = _check_penalty(penalty)
    if method not in ("proximal", "subgradient"):
        raise ValueError(f"method must be 'proximal' or 'subgradient', got {method!r}")
    X, y = _check_data(X, y, loss)
    n, d = X.shape
    if lr is None:
        lr = 1.0 / lipschitz_constant(X, loss, fit_intercept)
    lr = check_float(lr, "lr", low=0.0, low_open=True)
    max_iter = check_int(max_iter, "max_iter", low=1)
    tol = check_float(tol, "tol", low=0.0)
    w = np.zeros(d) if w0 is None else check_array(w0, "w0", ndim=1).astype(np.float64).copy()
    if w.shape != (d,):
        raise ValueError(f"w0 must have shape ({d},), got {w.shape}")
    b = float(b0) if fit_intercept else 0.0
    scale = 2.0 / n if loss == "mse" else 1.0 / n
    converged = False
    it = 0
    with np.errstate(over="ignore", invalid="ignore"):   # divergence is reported below
        for it in range(1, max_iter + 1):
            z = X @ w + b
            r = (z - y) if loss == "mse" else (sigmoid(z) - y)    # dD/dz, up to the scale
            gw = scale * (X.T @ r)
            if method == "proximal":
                w_new = penalty.prox(w - lr * gw, lr)
            else:
                w_new = w - lr * (gw + penalty.grad(w))
            b_new = b - lr * scale * r.sum() if fit_intercept else 0.0
            if not (np.all(np.isfinite(w_new)) and np.isfinite(b_new)):
                raise FloatingPointError(
                    f"proximal_gradient diverged at iteration {it} (lr={lr:g}); "
                    "leave lr=None for the safe step 1/L")
            step = max(float(np.max(np.abs(w_new - w), initial=0.0)), abs(b_new - b))
            w, b = w_new, b_new
            if step <= tol:
                converged = True
                break
    objective = data_loss(X, y, w, b, loss) + penalty.penalty(w)
    return ProxResult(w=w, b=float(b), n_iter=it, converged=converged, objective=objective)


@dataclass
class PathResult:
    """Coefficients along a regularization path: W[k] fitted with lams[k]."""

    lams: np.ndarray      # (K,)
    W: np.ndarray         # (K, D)
    b: np.ndarray         # (K,)
    n_iter: np.ndarray    # (K,)

    def zeros(self, atol: float = 0.0) -> np.ndarray:
        """Number of coefficients with |w| <= atol (exact zeros by default), per lam: (K,)."""
        return (np.abs(self.W) <= atol).sum(axis=1)


def regularization_path(X, y, make_penalty, lams, *, loss: str = "mse",
                        method: str = "proximal", max_iter: int = 5000,
                        tol: float = 1e-9, fit_intercept: bool = True) -> PathResult:
    """Fit one model per lam (a callable lam -> penalty, e.g. ``lambda l: L1(l)``).

    Solves from the largest lam down, each fit warm-started from the previous
    one (the solutions move little between neighbouring lams), and returns
    the results in the order of ``lams``.
    """
    lams = check_array(lams, "lams", ndim=1).astype(np.float64)
    if lams.size == 0 or np.any(lams < 0):
        raise ValueError(f"lams must be a non-empty list of values >= 0, got {lams}")
    if not callable(make_penalty):
        raise TypeError("make_penalty must be a function lam -> penalty, e.g. lambda l: L1(l)")
    X, y = _check_data(X, y, _check_loss(loss))
    lr = 1.0 / lipschitz_constant(X, loss, fit_intercept)
    d = X.shape[1]
    W, B, its = np.zeros((lams.size, d)), np.zeros(lams.size), np.zeros(lams.size, dtype=int)
    w, b = np.zeros(d), 0.0
    for k in np.argsort(-lams, kind="stable"):
        res = proximal_gradient(X, y, make_penalty(float(lams[k])), loss=loss, method=method,
                                lr=lr, max_iter=max_iter, tol=tol, w0=w, b0=b,
                                fit_intercept=fit_intercept)
        w, b = res.w, res.b
        W[k], B[k], its[k] = w, b, res.n_iter
    return PathResult(lams=lams, W=W, b=B, n_iter=its)
