"""Weight penalties added to the loss: LASSO (L1), Ridge (L2), Elastic Net.

With lam >= 0 and w any array of weights (the sheet's theta):

    L1          P(w) = lam * ||w||_1                           = lam * sum |w_i|
    L2          P(w) = lam * ||w||_2^2                         = lam * sum w_i^2
    ElasticNet  P(w) = lam * [(1 - alpha) ||w||_1 + alpha ||w||_2^2],  alpha in [0, 1]

Convention: the sheet's alpha weights the L2 term (alpha = 0 is LASSO,
alpha = 1 is Ridge). scikit-learn's ``l1_ratio`` weights the L1 term and its
penalty is ``a * [l1_ratio ||w||_1 + (1 - l1_ratio) / 2 ||w||_2^2]``: see
``elastic_net_to_sklearn`` and ``elastic_net_from_sklearn``.

Gradients (subgradient for |.|, taking 0 at w = 0):

    L1          dP/dw = lam * sign(w)
    L2          dP/dw = 2 lam w
    ElasticNet  dP/dw = lam * [(1 - alpha) sign(w) + 2 alpha w]

``fit(penalty=...)`` adds ``grad(W)`` to the gradient of every weight
(``Parameter.regularize`` True; biases are not penalized). Subgradient
descent on L1 lets weights jitter around 0 and almost never lands exactly on
it; the proximal step ``prox(w, step)`` (soft-thresholding) does: see
``dlkit.proximal``.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_array, check_float


def _weights(w) -> np.ndarray:
    return check_array(w, "w")


def soft_threshold(w, t: float) -> np.ndarray:
    """sign(w) * max(|w| - t, 0): the proximal operator of t * ||w||_1 (exact zeros)."""
    t = check_float(t, "t", low=0.0)
    w = np.asarray(w)
    return np.sign(w) * np.maximum(np.abs(w) - t, 0.0)


class Regularizer:
    """Base class: ``penalty(w) -> float``, ``grad(w) -> array`` (w's shape), ``prox``."""

    lam: float

    def penalty(self, w) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def grad(self, w) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def prox(self, w, step: float) -> np.ndarray:  # pragma: no cover - abstract
        """argmin_v  ||v - w||^2 / (2 step) + P(v): one proximal-gradient step's second half."""
        raise NotImplementedError

    def __call__(self, w) -> float:
        return self.penalty(w)


class L1(Regularizer):
    """LASSO: P(w) = lam * ||w||_1. Drives coefficients to exactly 0 (variable selection)."""

    def __init__(self, lam: float):
        self.lam = check_float(lam, "lam", low=0.0)

    def penalty(self, w) -> float:
        return float(self.lam * np.abs(_weights(w)).sum())

    def grad(self, w) -> np.ndarray:
        """lam * sign(w); the subgradient 0 is used at w = 0."""
        w = _weights(w)
        return (self.lam * np.sign(w)).astype(w.dtype, copy=False)

    def prox(self, w, step: float) -> np.ndarray:
        step = check_float(step, "step", low=0.0)
        return soft_threshold(w, step * self.lam)

    def __repr__(self) -> str:
        return f"L1(lam={self.lam:g})"


class L2(Regularizer):
    """Ridge (weight decay): P(w) = lam * ||w||_2^2. Shrinks every coefficient, zeroes none."""

    def __init__(self, lam: float):
        self.lam = check_float(lam, "lam", low=0.0)

    def penalty(self, w) -> float:
        w = _weights(w)
        return float(self.lam * np.sum(w * w))

    def grad(self, w) -> np.ndarray:
        """2 lam w (the 2 comes from the square; some texts use lam/2 ||w||^2 to drop it)."""
        w = _weights(w)
        return (2.0 * self.lam * w).astype(w.dtype, copy=False)

    def prox(self, w, step: float) -> np.ndarray:
        step = check_float(step, "step", low=0.0)
        return np.asarray(w) / (1.0 + 2.0 * step * self.lam)

    def __repr__(self) -> str:
        return f"L2(lam={self.lam:g})"


class ElasticNet(Regularizer):
    """Elastic Net, the sheet's convention: P(w) = lam * [(1 - alpha)||w||_1 + alpha ||w||_2^2].

    alpha in [0, 1] weights the L2 term: alpha = 0 is L1 (LASSO), alpha = 1 is
    L2 (Ridge). (scikit-learn's ``l1_ratio`` weights the L1 term instead.)
    """

    def __init__(self, lam: float, alpha: float = 0.5):
        self.lam = check_float(lam, "lam", low=0.0)
        self.alpha = check_float(alpha, "alpha", low=0.0, high=1.0)

    def penalty(self, w) -> float:
        w = _weights(w)
        l1 = np.abs(w).sum()
        l2 = np.sum(w * w)
        return float(self.lam * ((1.0 - self.alpha) * l1 + self.alpha * l2))

    def grad(self, w) -> np.ndarray:
        """lam * [(1 - alpha) sign(w) + 2 alpha w]; subgradient 0 for the L1 part at w = 0."""
        w = _weights(w)
        g = self.lam * ((1.0 - self.alpha) * np.sign(w) + 2.0 * self.alpha * w)
        return g.astype(w.dtype, copy=False)

    def prox(self, w, step: float) -> np.ndarray:
        """Soft-threshold by step*lam*(1 - alpha), then shrink by 1 / (1 + 2 step lam alpha)."""
        step = check_float(step, "step", low=0.0)
        shrunk = soft_threshold(w, step * self.lam * (1.0 - self.alpha))
        return shrunk / (1.0 + 2.0 * step * self.lam * self.alpha)

    def __repr__(self) -> str:
        return f"ElasticNet(lam={self.lam:g}, alpha={self.alpha:g})"


# -- scikit-learn's convention ------------------------------------------------------
def elastic_net_to_sklearn(lam: float, alpha: float) -> tuple[float, float]:
    """The sheet's (lam, alpha) -> scikit-learn's ElasticNet (alpha, l1_ratio).

    Same penalty term:
        lam [(1 - alpha)|w|_1 + alpha |w|_2^2] = a [r |w|_1 + (1 - r)/2 |w|_2^2]
    matching the two coefficients gives
        a = lam (1 + alpha),    r = l1_ratio = (1 - alpha) / (1 + alpha).

    The data terms differ: scikit-learn's ElasticNet minimises
    (1 / (2N)) ||y - Xw||^2 + penalty, half of dlkit's ``mse`` (the mean of
    squares). To get the same weights as ``mse + ElasticNet(lam, alpha)``,
    pass scikit-learn ``a / 2`` (the ratio r is unchanged).
    """
    lam = check_float(lam, "lam", low=0.0)
    alpha = check_float(alpha, "alpha", low=0.0, high=1.0)
    return lam * (1.0 + alpha), (1.0 - alpha) / (1.0 + alpha)


def elastic_net_from_sklearn(sk_alpha: float, l1_ratio: float) -> tuple[float, float]:
    """scikit-learn's (alpha, l1_ratio) -> the sheet's (lam, alpha); inverse of the above.

        lam = a (1 + r) / 2,    alpha = (1 - r) / (1 + r)
    """
    a = check_float(sk_alpha, "sk_alpha", low=0.0)
    r = check_float(l1_ratio, "l1_ratio", low=0.0, high=1.0)
    return a * (1.0 + r) / 2.0, (1.0 - r) / (1.0 + r)


def get_penalty(name: str, lam: float, alpha: float = 0.5) -> Regularizer:
    """A penalty by name: "l1", "l2" or "elastic_net" (alpha used only by the last)."""
    key = str(name).lower().replace("-", "_").replace(" ", "_")
    if key in ("l1", "lasso"):
        return L1(lam)
    if key in ("l2", "ridge"):
        return L2(lam)
    if key in ("elastic_net", "elasticnet", "en"):
        return ElasticNet(lam, alpha)
    raise ValueError(f"name must be 'l1', 'l2' or 'elastic_net', got {name!r}")
