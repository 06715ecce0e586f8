"""Two-dimensional toy data sets, generated (nothing is downloaded).

Each returns ``X`` of shape (n, 2), float64, and integer labels ``y`` of
shape (n,), and draws everything from the ``rng`` it is given, so the same
seed always gives the same points. ``noise`` is the standard deviation of
Gaussian noise added to every coordinate.
"""

from __future__ import annotations

import numpy as np

from .._validate import check_float, check_int, check_rng


def _common(n, noise, rng, n_min=2):
    return (check_int(n, "n", low=n_min), check_float(noise, "noise", low=0.0),
            check_rng(rng))


def _split(n: int, k: int) -> list[int]:
    """n points over k classes as evenly as possible."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def _finish(X, y, noise, rng, shuffle=True):
    X = X + noise * rng.standard_normal(X.shape)
    if shuffle:
        order = rng.permutation(len(X))
        X, y = X[order], y[order]
    return X.astype(np.float64), y.astype(np.int64)


def make_moons(n: int = 200, noise: float = 0.1, rng=None):
    """Two interleaving half circles: class 0 the upper, class 1 the lower one."""
    n, noise, rng = _common(n, noise, rng)
    n0, n1 = _split(n, 2)
    t0 = rng.uniform(0, np.pi, n0)
    t1 = rng.uniform(0, np.pi, n1)
    X = np.concatenate([np.c_[np.cos(t0), np.sin(t0)],
                        np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]])
    y = np.r_[np.zeros(n0), np.ones(n1)]
    return _finish(X, y, noise, rng)


def make_circles(n: int = 200, noise: float = 0.05, factor: float = 0.5, rng=None):
    """A small circle (class 1) inside a large one (class 0); factor = radius ratio."""
    n, noise, rng = _common(n, noise, rng)
    factor = check_float(factor, "factor", low=0.0, high=1.0, low_open=True, high_open=True)
    n0, n1 = _split(n, 2)
    t0 = rng.uniform(0, 2 * np.pi, n0)
    t1 = rng.uniform(0, 2 * np.pi, n1)
    X = np.concatenate([np.c_[np.cos(t0), np.sin(t0)],
                        factor * np.c_[np.cos(t1), np.sin(t1)]])
    y = np.r_[np.zeros(n0), np.ones(n1)]
    return _finish(X, y, noise, rng)


def make_spiral(n: int = 300, noise: float = 0.1, n_classes: int = 2, turns: float = 1.5,
                rng=None):
    """Interleaved spiral arms, one per class (CS231n's classic non-linear set)."""
    n, noise, rng = _common(n, noise, rng)
    k = check_int(n_classes, "n_classes", low=2, high=n)
    turns = check_float(turns, "turns", low=0.0, low_open=True)
    Xs, ys = [], []
    for c, m in enumerate(_split(n, k)):
        r = rng.uniform(0.05, 1.0, m)
        theta = 2 * np.pi * (turns * r + c / k)
        Xs.append(np.c_[r * np.cos(theta), r * np.sin(theta)])
        ys.append(np.full(m, c))
    return _finish(np.concatenate(Xs), np.concatenate(ys), noise, rng)


def make_xor(n: int = 200, noise: float = 0.3, rng=None):
    """Four clusters at (+-1, +-1), spread by noise; class 1 where the signs of x1, x2 differ."""
    n, noise, rng = _common(n, noise, rng)
    corners = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=float)
    which = np.concatenate([np.full(m, i) for i, m in enumerate(_split(n, 4))])
    X = corners[which]
    y = (which >= 2).astype(int)
    return _finish(X, y, noise, rng)


def make_blobs(n: int = 200, centers: int = 3, std: float = 0.5, noise: float = 0.0,
               rng=None):
    """Gaussian clusters, one per class, centres evenly spaced on a circle of radius 2."""
    n, noise, rng = _common(n, noise, rng)
    k = check_int(centers, "centers", low=2, high=n)
    std = check_float(std, "std", low=0.0)
    angles = 2 * np.pi * np.arange(k) / k
    mu = 2.0 * np.c_[np.cos(angles), np.sin(angles)]
    which = np.concatenate([np.full(m, i) for i, m in enumerate(_split(n, k))])
    X = mu[which] + std * rng.standard_normal((n, 2))
    return _finish(X, which, noise, rng)


TOY_DATASETS = {
    "moons": make_moons,
    "circles": make_circles,
    "spiral": make_spiral,
    "xor": make_xor,
    "blobs": make_blobs,
}


def make_toy(name: str, n: int = 200, noise: float = 0.1, rng=None):
    """One of the toy sets by name: "moons", "circles", "spiral", "xor", "blobs"."""
    if name not in TOY_DATASETS:
        raise ValueError(f"name must be one of {sorted(TOY_DATASETS)}, got {name!r}")
    return TOY_DATASETS[name](n=n, noise=noise, rng=rng)


def train_val_split(X, y, val_fraction: float = 0.25, rng=None):
    """Shuffle and split into (X_train, y_train, X_val, y_val)."""
    X = np.asarray(X)
    y = np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
    f = check_float(val_fraction, "val_fraction", low=0.0, high=1.0, low_open=True,
                    high_open=True)
    rng = check_rng(rng)
    n_val = int(round(f * len(X)))
    if n_val < 1 or n_val >= len(X):
        raise ValueError(f"val_fraction={f} leaves an empty split of {len(X)} examples")
    order = rng.permutation(len(X))
    val, train = order[:n_val], order[n_val:]
    return X[train], y[train], X[val], y[val]
