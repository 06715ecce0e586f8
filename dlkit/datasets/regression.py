"""A linear-regression set with groups of correlated features (generated).

Weight penalties behave differently when features are correlated: LASSO
tends to keep one feature of a correlated group and zero the others, Ridge
spreads the weight over the whole group, Elastic Net does some of both (the
"grouping effect" of Zou & Hastie, 2005). This set makes that visible.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_float, check_int, check_rng

# Feature layout of make_correlated_regression: two correlated groups, then
# independent features, and the true weights.
GROUPS = ((0, 1, 2), (3, 4))
TRUE_WEIGHTS = np.array([1.0, 1.0, 1.0, -1.5, -1.5, 0.8, 0.0, 0.0])


def make_correlated_regression(n: int = 60, rho: float = 0.9, noise: float = 1.0, rng=None):
    """y = X w_true + noise with 8 standardized features in correlated groups.

    Features 0-2 share one latent factor, 3-4 another (pairwise correlation
    about ``rho`` inside a group); 5-7 are independent. ``TRUE_WEIGHTS`` gives
    w_true = [1, 1, 1, -1.5, -1.5, 0.8, 0, 0]: features 6 and 7 are pure noise.

    Returns X: (n, 8), columns standardized (mean 0, std 1), float64; y: (n,),
    centred, float64.
    """
    n = check_int(n, "n", low=3)
    rho = check_float(rho, "rho", low=0.0, high=1.0, high_open=True)
    noise = check_float(noise, "noise", low=0.0)
    rng = check_rng(rng)
    X = np.empty((n, TRUE_WEIGHTS.size))
    for group in GROUPS:
        latent = rng.standard_normal(n)
        for j in group:
            X[:, j] = np.sqrt(rho) * latent + np.sqrt(1.0 - rho) * rng.standard_normal(n)
    rest = [j for j in range(TRUE_WEIGHTS.size) if not any(j in g for g in GROUPS)]
    X[:, rest] = rng.standard_normal((n, len(rest)))
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = X @ TRUE_WEIGHTS + noise * rng.standard_normal(n)
    return X, y - y.mean()
