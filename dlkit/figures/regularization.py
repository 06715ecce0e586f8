"""Figures of chapter 04, Regularization: dropout, L1 / L2 / Elastic Net, early stopping.

Every ``render_xxx(**params)`` returns a matplotlib Figure. The experiments
behind them are small and cached (``functools.lru_cache`` keyed on their
parameters), so that a slider answers quickly once a value has been seen;
the notebook warms the caches in its checked cells.
"""

from __future__ import annotations

from functools import cache, lru_cache

import numpy as np
from matplotlib.colors import ListedColormap

from .. import datasets
from ..activations import ReLU
from ..callbacks import LambdaCallback
from ..dense import Dense
from ..dropout import Dropout, dropout_forward
from ..early_stopping import simulate_early_stopping
from ..plotting import (
    CLASS_COLORS,
    PALETTE,
    TRAIN_COLOR,
    VAL_COLOR,
    grid_for,
    new_figure,
    plot_points,
)
from ..proximal import proximal_gradient, regularization_path
from ..regularizers import L1, L2, ElasticNet
from ..sequential import Sequential
from ..training import evaluate, fit

DROPOUT_PS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
# One seed decides little on 40 points: the dropout table runs each p with these seeds
# (each seed draws other initial weights, mini-batches and masks; the data stay the same).
SEEDS = (0, 1, 2, 3, 4)
# The experiment of sections 1 and 3: a 2-64-64-1 ReLU network (He init), plain SGD
# with mini-batches of 10, on 40 noisy training points (two circles).
EPOCHS = 250
LR = 0.3
BATCH_SIZE = 10
WIDTH = 64
DATA_SEED = 10
_GRID_RES = 60


def _widget_figure(bottom: float = 0.13):
    """A 10 x 3.8 in figure with two panels and FIXED margins, for the widgets.

    Constrained layout measures every text twice per draw; with fixed margins a
    slider update draws about a third faster (measured on this book's machine).
    """
    fig = new_figure(10, 3.8)
    fig.set_layout_engine("none")
    margins = {"left": 0.065, "right": 0.985, "bottom": bottom, "top": 0.92, "wspace": 0.22}
    return fig, fig.subplots(1, 2, gridspec_kw=margins)


# -- the small noisy data set and the network that overfits it ------------------------------
@lru_cache(maxsize=4)
def noisy_circles(n_train: int = 40, n_val: int = 100, flip: float = 0.15,
                  seed: int = DATA_SEED):
    """Two circles (noise 0.1): n_train training points with a fraction ``flip`` of their
    labels flipped (label noise a network can memorize), and n_val validation points
    with clean labels. Returns read-only X_train (n_train, 2), y_train, X_val, y_val."""
    rng = np.random.default_rng(seed)
    X, y = datasets.make_circles(n_train + n_val, noise=0.1, rng=rng)
    flipped = rng.random(n_train) < flip
    y_train = y[:n_train].copy()
    y_train[flipped] = 1 - y_train[flipped]
    out = (X[:n_train], y_train, X[n_train:], y[n_train:])
    for a in out:
        a.flags.writeable = False
    return out


def make_network(p: float, width: int = WIDTH, seed: int = 0) -> Sequential:
    """2 -> width -> width -> 1 ReLU network, with Dropout(p) after each hidden layer if p > 0."""
    rng = np.random.default_rng(seed)
    layers = [Dense(2, width, init="he", rng=rng), ReLU()]
    if p > 0:
        layers.append(Dropout(p, rng=rng))
    layers += [Dense(width, width, init="he", rng=rng), ReLU()]
    if p > 0:
        layers.append(Dropout(p, rng=rng))
    layers.append(Dense(width, 1, init="he", rng=rng))
    return Sequential(*layers)


@cache
def _grid():
    X_train, _, X_val, _ = noisy_circles()
    return grid_for(np.r_[X_train, X_val], resolution=_GRID_RES, margin=0.4)


@lru_cache(maxsize=len(DROPOUT_PS) * len(SEEDS) + 2)
def train_dropout(p: float, epochs: int = EPOCHS, lr: float = LR, seed: int = 0):
    """Mini-batch SGD on ``noisy_circles`` with dropout p; cached per (p, epochs, lr, seed).

    Returns a dict: "loss", "val_loss", "val_accuracy" (arrays over epochs),
    "train_loss_eval" (training loss in eval mode, after training), "grid_logits"
    (the decision function on a 60 x 60 grid), and "model".
    """
    X_train, y_train, X_val, y_val = noisy_circles()
    model = make_network(p, seed=seed)
    history = fit(model, X_train, y_train, lr=lr, epochs=epochs, batch_size=BATCH_SIZE,
                  validation_data=(X_val, y_val), rng=np.random.default_rng(seed))

    train_eval, train_acc = evaluate(model, X_train, y_train)
    return {
        "loss": np.array(history["loss"]),
        "val_loss": np.array(history["val_loss"]),
        "val_accuracy": np.array(history["val_accuracy"]),
        "train_loss_eval": train_eval,
        "train_accuracy_eval": train_acc,
        "grid_logits": model.predict(_grid()[2]).reshape(-1),
        "model": model,
    }


def _boundary(ax, logits, title: str) -> None:
    """Shade the grid by predicted class; draw the training points (flipped labels ringed)."""
    xx, yy, _ = _grid()
    X_train, y_train, _, _ = noisy_circles()
    z = logits.reshape(xx.shape)
    ax.imshow((z > 0).astype(int), origin="lower", extent=(xx.min(), xx.max(), yy.min(),
              yy.max()), cmap=ListedColormap(CLASS_COLORS[:2]), alpha=0.25, vmin=0, vmax=1,
              aspect="auto", interpolation="nearest")
    ax.contour(xx, yy, z, levels=[0.0], colors="k", linewidths=1.0)
    plot_points(ax, X_train, y_train, size=30)
    _, y_clean = _clean_train_labels()
    wrong = y_train != y_clean
    ax.scatter(X_train[wrong, 0], X_train[wrong, 1], s=110, facecolors="none",
               edgecolors=PALETTE["black"], linewidths=1.0, label="flipped label")
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize=7, frameon=True, framealpha=0.8)


@lru_cache(maxsize=1)
def _clean_train_labels():
    X_train, y_train, _, _ = noisy_circles(flip=0.0)
    return X_train, y_train


def render_dropout(p: float = 0.5):
    """Training / validation loss against epochs (left) and the decision boundary (right)."""
    res = train_dropout(float(p))
    fig, (ax_curve, ax_map) = _widget_figure()
    epochs = np.arange(1, len(res["loss"]) + 1)
    ax_curve.plot(epochs, res["loss"], color=TRAIN_COLOR, label="training (dropout on)")
    ax_curve.plot(epochs, res["val_loss"], color=VAL_COLOR, linestyle="--",
                  label="validation (eval mode)")
    ax_curve.set_ylim(0, 1.6)
    ax_curve.set_xlabel("epoch")
    ax_curve.set_ylabel("binary cross-entropy")
    ax_curve.set_title(f"p = {p:.1f}: final validation loss {res['val_loss'][-1]:.3f}")
    ax_curve.grid(alpha=0.3)
    ax_curve.legend(frameon=False)
    _boundary(ax_map, res["grid_logits"],
              f"decision boundary: validation accuracy {res['val_accuracy'][-1]:.2f}")
    return fig


def dropout_table(ps=DROPOUT_PS, seeds=SEEDS) -> dict[str, np.ndarray]:
    """The dropout experiment for every p and seed (``train_dropout``, cached).

    Returns arrays of shape (len(ps), len(seeds)): "train_loss" (eval mode, after
    training), "val_loss" (after the last epoch), "best_val_loss" (over the epochs) and
    "val_accuracy" (after the last epoch).
    """
    runs = [[train_dropout(float(p), seed=int(seed)) for seed in seeds] for p in ps]
    return {
        "train_loss": np.array([[r["train_loss_eval"] for r in row] for row in runs]),
        "val_loss": np.array([[r["val_loss"][-1] for r in row] for row in runs]),
        "best_val_loss": np.array([[r["val_loss"].min() for r in row] for row in runs]),
        "val_accuracy": np.array([[r["val_accuracy"][-1] for r in row] for row in runs]),
    }


def render_dropout_expectation(p: float = 0.5, n_units: int = 40, n_masks: int = 2000,
                               seed: int = 0):
    """Average of dropout(x) over many masks against x: inverted scaling keeps E[y] = x."""
    rng = np.random.default_rng(seed)
    x = np.linspace(-2, 2, n_units)
    X = np.tile(x, (n_masks, 1))
    y, mask = dropout_forward(X, p, rng)
    plain = X * (mask != 0)      # dropout without the 1/(1 - p) scaling
    fig = new_figure(5.2, 3.8)
    ax = fig.subplots()
    ax.plot(x, x, color=PALETTE["black"], linewidth=1, label="E[y] = x (identity)")
    ax.plot(x, y.mean(axis=0), "o", color=PALETTE["blue"], markersize=4,
            label="inverted: mean of x * mask / (1 - p)")
    ax.plot(x, plain.mean(axis=0), "s", color=PALETTE["orange"], markersize=4,
            label="no scaling: mean of x * mask")
    ax.set_xlabel("input activation x")
    ax.set_ylabel(f"mean output over {n_masks} masks")
    ax.set_title(f"Dropout p = {p:g}: what scaling keeps on average")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    return fig


# -- weight penalties ----------------------------------------------------------------------
_PATH_LAMS = np.logspace(-2, 1, 31)
_GROUP_COLORS = [PALETTE[c] for c in ("blue", "blue", "blue", "orange", "orange", "green",
                                      "black", "black")]
_GROUP_STYLES = ["-", "--", ":", "-", "--", "-", "-", "--"]


@lru_cache(maxsize=1)
def correlated_data():
    """The regression set of the paths: 60 rows, 8 standardized features (dlkit.datasets)."""
    return datasets.make_correlated_regression(60, rho=0.9, noise=1.0,
                                               rng=np.random.default_rng(230))


def _penalty_factory(kind: str, alpha: float):
    if kind == "l1":
        return L1
    if kind == "l2":
        return L2
    return lambda lam: ElasticNet(lam, alpha)


@lru_cache(maxsize=8)
def coefficient_path(kind: str, alpha: float = 0.5, method: str = "proximal"):
    """PathResult over 31 lams from 0.01 to 10 for "l1", "l2" or "elastic_net" (cached).

    Subgradient descent never meets the stopping tolerance (it jitters around
    the optimum), so it runs a fixed 2000 iterations per lam.
    """
    X, y = correlated_data()
    max_iter = 20000 if method == "proximal" else 2000
    return regularization_path(X, y, _penalty_factory(kind, alpha), _PATH_LAMS,
                               method=method, max_iter=max_iter, tol=1e-10)


def render_paths(alpha: float = 0.5):
    """Coefficient paths of L1, L2 and Elastic Net against lam, and the count of exact zeros."""
    fig = new_figure(12, 3.6)
    axes = fig.subplots(1, 4)
    titles = {"l1": "LASSO (L1)", "l2": "Ridge (L2)", "elastic_net": f"Elastic Net, alpha={alpha:g}"}
    for ax, kind in zip(axes[:3], ("l1", "l2", "elastic_net")):
        path = coefficient_path(kind, alpha)
        for j in range(path.W.shape[1]):
            ax.plot(path.lams, path.W[:, j], color=_GROUP_COLORS[j], linestyle=_GROUP_STYLES[j],
                    label=f"$w_{j}$")
        ax.axhline(0, color="grey", linewidth=0.6)
        ax.set_xscale("log")
        ax.set_xlabel("lam (log scale)")
        ax.set_ylabel("coefficient")
        ax.set_title(titles[kind])
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=7, ncol=2, frameon=False, loc="lower right")
    ax = axes[3]
    for kind, color in (("l1", PALETTE["blue"]), ("l2", PALETTE["orange"]),
                        ("elastic_net", PALETTE["green"])):
        path = coefficient_path(kind, alpha)
        ax.step(path.lams, path.zeros(), where="mid", color=color, label=titles[kind])
    sub = coefficient_path("l1", alpha, "subgradient")
    ax.step(sub.lams, sub.zeros(), where="mid", color=PALETTE["vermillion"], linestyle=":",
            label="L1 by subgradient descent")
    ax.set_xscale("log")
    ax.set_xlabel("lam (log scale)")
    ax.set_ylabel("coefficients exactly 0")
    ax.set_title("Exact zeros (of 8)")
    ax.set_ylim(-0.3, 8.3)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    return fig


def _quadratic_penalized(penalty, center, A, steps: int = 3000):
    """argmin_w 0.5 (w - c)^T A (w - c) + P(w), by proximal gradient (2-D, exact)."""
    lr = 1.0 / np.linalg.eigvalsh(A).max()
    w = np.array(center, dtype=float)
    for _ in range(steps):
        w = penalty.prox(w - lr * A @ (w - center), lr)
    return w


# the quadratic loss 0.5 (w - c)^T A (w - c) of the geometry figure
GEOMETRY_CENTER = np.array([2.0, 0.5])
GEOMETRY_A = np.array([[1.0, 0.6], [0.6, 1.4]])


def render_penalty_geometry(lam: float = 1.5, alpha: float = 0.5):
    """The sheet's three pictures: loss contours meet the penalty's level set at the solution."""
    center, A = GEOMETRY_CENTER, GEOMETRY_A
    g = np.linspace(-1.6, 3.2, 161)
    W1, W2 = np.meshgrid(g, g)
    D = np.stack([W1 - center[0], W2 - center[1]], axis=-1)
    loss = 0.5 * np.einsum("...i,ij,...j->...", D, A, D)
    fig = new_figure(11, 3.8)
    axes = fig.subplots(1, 3)
    cases = (("LASSO (L1)", L1(lam), lambda a, b: np.abs(a) + np.abs(b)),
             ("Ridge (L2)", L2(lam), lambda a, b: a**2 + b**2),
             (f"Elastic Net (alpha={alpha:g})", ElasticNet(lam, alpha),
              lambda a, b: (1 - alpha) * (np.abs(a) + np.abs(b)) + alpha * (a**2 + b**2)))
    for ax, (title, penalty, shape) in zip(axes, cases):
        w = _quadratic_penalized(penalty, center, A)
        level = shape(*w)
        ax.contour(W1, W2, loss, levels=np.linspace(0.05, 6, 9) ** 1.5 / 2, colors=VAL_COLOR,
                   linewidths=0.7)
        lw = 0.5 * (w - center) @ A @ (w - center)
        ax.contour(W1, W2, loss, levels=[lw], colors=VAL_COLOR, linewidths=2.0)
        ax.contourf(W1, W2, shape(W1, W2), levels=[0, level], colors=[PALETTE["sky"]], alpha=0.5)
        ax.contour(W1, W2, shape(W1, W2), levels=[level], colors=TRAIN_COLOR, linewidths=2.0)
        ax.plot(*center, "x", color=PALETTE["black"], markersize=8)
        ax.plot(*w, "o", color=PALETTE["black"], markersize=6)
        ax.annotate(f"w = ({w[0]:.2f}, {w[1]:.2f})", w, xytext=(8, -16),
                    textcoords="offset points", fontsize=8)
        ax.axhline(0, color="grey", linewidth=0.5)
        ax.axvline(0, color="grey", linewidth=0.5)
        ax.set_aspect("equal")
        ax.set_xlabel("$w_1$")
        ax.set_ylabel("$w_2$")
        ax.set_title(title)
    axes[0].text(-1.5, 2.95, "x: unpenalized minimum\nred: loss contours\nblue: penalty level set",
                 fontsize=7, va="top")
    return fig


def render_zero_jitter(lam: float = 3.0, iterations: int = 120):
    """|w_j| over iterations for a coefficient that LASSO sets to 0: subgradient vs proximal.

    Both start from the unpenalized least-squares weights, with the same step 1/L.
    """
    X, y = correlated_data()
    ista = proximal_gradient(X, y, L1(lam), max_iter=20000, tol=1e-12)
    start = proximal_gradient(X, y, L2(0.0), max_iter=20000, tol=1e-12)
    zeros = np.flatnonzero(ista.w == 0)
    j = int(zeros[np.argmax(np.abs(start.w[zeros]))])   # the largest one LASSO removes
    traces = {}
    for method in ("subgradient", "proximal"):
        w, b, trace = start.w, start.b, []
        for _ in range(iterations):
            res = proximal_gradient(X, y, L1(lam), method=method, max_iter=1, w0=w, b0=b)
            w, b = res.w, res.b
            trace.append(w[j])
        traces[method] = np.array(trace)
    fig = new_figure(6.4, 3.8)
    ax = fig.subplots()
    it = np.arange(1, iterations + 1)
    sub, prox = traces["subgradient"], traces["proximal"]
    ax.plot(it, sub, color=PALETTE["vermillion"], linewidth=1,
            label=f"subgradient descent: {int(np.sum(sub == 0))} of {iterations} iterates are 0")
    ax.plot(it, prox, color=PALETTE["blue"], linewidth=2,
            label=f"proximal gradient (ISTA): {int(np.sum(prox == 0))} iterates are 0")
    if np.any(prox == 0):
        first = int(np.argmax(prox == 0)) + 1
        ax.annotate(f"exactly 0 from iteration {first} on", (first, 0.0), xytext=(10, 25),
                    textcoords="offset points", fontsize=8, color=PALETTE["blue"],
                    arrowprops={"arrowstyle": "->", "color": PALETTE["blue"]})
    ax.axhline(0, color="grey", linewidth=0.6)
    ax.set_xlabel("iteration (same step 1/L for both)")
    ax.set_ylabel(f"$w_{j}$")
    ax.set_title(f"LASSO, lam = {lam:g}: coefficient $w_{j}$, whose optimum is 0")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    return fig


# -- the Elastic Net widget: logistic regression on polynomial features ------------------
POLY_DEGREE = 4


def polynomial_features(X, degree: int = POLY_DEGREE):
    """All monomials x1^i x2^j with 1 <= i + j <= degree: (N, M) and their names."""
    cols, names = [], []
    for total in range(1, degree + 1):
        for i in range(total, -1, -1):
            j = total - i
            cols.append(X[:, 0] ** i * X[:, 1] ** j)
            names.append("".join(s for s in (_power("x_1", i), _power("x_2", j)) if s))
    return np.stack(cols, axis=1), names


def _power(name: str, k: int) -> str:
    return "" if k == 0 else (name if k == 1 else f"{name}^{k}")


@lru_cache(maxsize=1)
def poly_data():
    """noisy_circles expanded to degree-4 monomials, standardized with the training statistics."""
    X_train, y_train, X_val, y_val = noisy_circles()
    F_train, names = polynomial_features(X_train)
    F_val, _ = polynomial_features(X_val)
    F_grid, _ = polynomial_features(_grid()[2])
    mu, sd = F_train.mean(axis=0), F_train.std(axis=0)
    return ((F_train - mu) / sd, y_train, (F_val - mu) / sd, y_val, (F_grid - mu) / sd, names)


@lru_cache(maxsize=256)
def fit_poly_logistic(lam: float, alpha: float):
    """Logistic regression + ElasticNet(lam, alpha) by ISTA on ``poly_data`` (cached)."""
    F_train, y_train, F_val, y_val, F_grid, _ = poly_data()
    res = proximal_gradient(F_train, y_train, ElasticNet(lam, alpha),
                            loss="binary_cross_entropy", max_iter=10000, tol=1e-7)
    val_acc = float(np.mean(((F_val @ res.w + res.b) > 0) == y_val))
    return res.w, res.b, val_acc, F_grid @ res.w + res.b


def render_elastic_net(lam: float = 0.01, alpha: float = 0.5):
    """Weights (left) and decision boundary (right) of a penalized polynomial logistic model."""
    lam, alpha = float(lam), float(alpha)
    w, _, val_acc, grid_logits = fit_poly_logistic(round(lam, 6), round(alpha, 3))
    names = poly_data()[5]
    fig, (ax_w, ax_map) = _widget_figure(bottom=0.2)
    zero = w == 0
    pos = np.arange(w.size)
    ax_w.bar(pos[~zero], w[~zero], color=PALETTE["blue"])
    ax_w.plot(pos[zero], np.zeros(zero.sum()), "x", color=PALETTE["vermillion"],
              label="exactly 0")
    ax_w.axhline(0, color="grey", linewidth=0.6)
    ax_w.set_xticks(pos)
    ax_w.set_xticklabels([f"${n}$" for n in names], rotation=90, fontsize=8)
    ax_w.set_ylabel("weight (standardized feature)")
    ax_w.set_title(f"lam = {lam:.3g}, alpha = {alpha:.2f}: {int(zero.sum())} of {w.size} "
                   "weights are 0")
    ax_w.grid(alpha=0.3, axis="y")
    if zero.any():
        ax_w.legend(frameon=False, fontsize=8)
    _boundary(ax_map, grid_logits, f"validation accuracy {val_acc:.2f}")
    return fig


# -- early stopping ---------------------------------------------------------------------------
@lru_cache(maxsize=2)
def train_with_snapshots(epochs: int = EPOCHS, lr: float = LR, seed: int = 0):
    """The p = 0 run of ``train_dropout`` again, keeping the weights of every epoch.

    Returns a dict: "loss", "val_loss", "val_accuracy" (arrays over epochs) and
    "states": the model's state_dict after each epoch (what restoring that
    epoch's weights gives), and "model".
    """
    X_train, y_train, X_val, y_val = noisy_circles()
    model = make_network(0.0, seed=seed)
    states = []
    record = LambdaCallback(on_epoch_end=lambda e, logs: states.append(model.state_dict()))
    history = fit(model, X_train, y_train, lr=lr, epochs=epochs, batch_size=BATCH_SIZE,
                  validation_data=(X_val, y_val), rng=np.random.default_rng(seed),
                  callbacks=[record])
    return {"loss": np.array(history["loss"]), "val_loss": np.array(history["val_loss"]),
            "val_accuracy": np.array(history["val_accuracy"]), "states": states,
            "model": model}


@lru_cache(maxsize=64)
def _snapshot_logits(epoch: int) -> np.ndarray:
    """Decision function on the grid with the weights after ``epoch`` (from 0)."""
    run = train_with_snapshots()
    model = make_network(0.0)
    model.load_state_dict(run["states"][epoch])
    return model.predict(_grid()[2]).reshape(-1)


def render_early_stopping(patience: int = 10, min_delta: float = 0.0,
                          restore_best_weights: bool = True):
    """The sheet's figure: training and validation loss against epochs, the stop marked.

    EarlyStopping is replayed on the recorded validation curve (the run before the
    stop does not depend on when it stops); the right panel shows the model
    that fit would return: the best epoch's if restore_best_weights, else the last.
    """
    run = train_with_snapshots()
    es = simulate_early_stopping(run["val_loss"], patience=int(patience),
                                 min_delta=float(min_delta))
    n = len(run["val_loss"])
    last = n - 1 if es.stopped_epoch is None else es.stopped_epoch
    returned = es.best_epoch if restore_best_weights else last
    epochs = np.arange(1, n + 1)
    fig, (ax, ax_map) = _widget_figure()
    ran = epochs <= last + 1
    ax.plot(epochs[ran], run["loss"][ran], color=TRAIN_COLOR, label="training")
    ax.plot(epochs[ran], run["val_loss"][ran], color=VAL_COLOR, linestyle="--",
            label="validation")
    ax.plot(epochs[~ran], run["loss"][~ran], color=TRAIN_COLOR, alpha=0.25)
    ax.plot(epochs[~ran], run["val_loss"][~ran], color=VAL_COLOR, linestyle="--", alpha=0.25,
            label="(had training continued)")
    ax.axvline(last + 1, color=PALETTE["black"], linestyle=":", linewidth=1.2)
    ax.annotate("stop" if es.stopped_epoch is not None else "end (no stop)",
                (last + 1, 1.45), xytext=(4, 0), textcoords="offset points", fontsize=8)
    ax.plot(es.best_epoch + 1, run["val_loss"][es.best_epoch], "o", color=PALETTE["black"],
            label=f"best epoch {es.best_epoch + 1}")
    ax.set_ylim(0, 1.6)
    ax.set_xlabel("epoch")
    ax.set_ylabel("binary cross-entropy")
    ax.set_title(f"patience {patience}, min_delta {min_delta:g}: ran {last + 1} epochs")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    which = "best" if restore_best_weights else "last"
    _boundary(ax_map, _snapshot_logits(int(returned)),
              f"returned model ({which} epoch, {returned + 1}): "
              f"val loss {run['val_loss'][returned]:.3f}")
    return fig
