"""Figures of the one-page recap: one small figure per headline item, computed live by dlkit.

Each figure is a plain ``render_xxx(*labels) -> Figure``. Its words are the
sheet's own terms in the reader's language (``labels``, taken from the
translation items by ``FIGURES[name].labels(translation)``) or symbols
(alpha, lambda, h, p); so the numbers are computed once, cached, and shared
by every language, and only the drawing is redone when the words change.

``FIGURES`` lists them in the order of the sheet, each with the item (the
card of the page) it illustrates and the function that picks its words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from .. import augment as A
from .. import optimizers
from ..activations import ReLU, Tanh
from ..batchnorm import BatchNorm
from ..datasets.images import load_photo
from ..datasets.regression import make_correlated_regression
from ..datasets.toy import make_moons, make_xor, train_val_split
from ..dense import Dense
from ..dropout import Dropout
from ..early_stopping import EarlyStopping
from ..gradcheck import numerical_gradient, relative_error
from ..initializers import normal, xavier_normal
from ..losses import binary_cross_entropy
from ..overfit import overfit_one_batch
from ..parameter import Parameter
from ..plotting import PALETTE, TRAIN_COLOR, VAL_COLOR, new_figure
from ..proximal import regularization_path
from ..regularizers import L1, L2, ElasticNet
from ..sequential import Sequential
from ..training import TrainingDiverged, fit

SMALL = (3.4, 2.5)      # inches: a figure per card of the page
DPI = 80
SEED = 230
_COLORS = [PALETTE[c] for c in ("blue", "orange", "green", "vermillion", "purple", "sky")]


def _small(width: float = SMALL[0], height: float = SMALL[1], *, left=0.2, right=0.96,
           bottom=0.2, top=0.88, **kwargs):
    """A figure with fixed margins (a constrained layout costs ~0.1 s per draw)."""
    fig = new_figure(width, height, dpi=DPI, layout=None)
    fig.subplots_adjust(left=left, right=right, bottom=bottom, top=top, **kwargs)
    return fig


def _style(ax, title: str | None = None, xlabel: str | None = None, ylabel: str | None = None):
    if title:
        ax.set_title(title, fontsize=9)
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=8)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)


def _log(ax, which: str = "y") -> None:
    """A log axis labelled in plain text ("1e-05"): mathtext labels cost ~0.1 s per draw."""
    axis = ax.yaxis if which == "y" else ax.xaxis
    (ax.set_yscale if which == "y" else ax.set_xscale)("log")
    axis.set_major_locator(LogLocator(base=10.0, numticks=8))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0e}" if v < 0.01 or v >= 100
                                           else f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def _mlp(hidden: int, rng, depth: int = 1, n_in: int = 2, act: str = "relu"):

    layers, width = [], n_in
    for _ in range(depth):
        layers += [Dense(width, hidden, init="he" if act == "relu" else "xavier", rng=rng),
                   ReLU() if act == "relu" else Tanh()]
        width = hidden
    layers.append(Dense(width, 1, rng=rng))
    return Sequential(*layers)


@lru_cache(maxsize=4)
def _moons(n: int = 200, noise: float = 0.25, seed: int = SEED):

    rng = np.random.default_rng(seed)
    X, y = make_moons(n, noise=noise, rng=rng)
    return train_val_split(X, y, val_fraction=0.5, rng=rng)


# -- 11. data augmentation ------------------------------------------------------------
@lru_cache(maxsize=1)
def augmented_photos() -> tuple[np.ndarray, ...]:
    """The sheet's eight panels: the photo, then the seven augmentations of dlkit.augment."""

    x = load_photo(max_side=72, dtype=np.float64)
    h, w = x.shape[:2]
    rng = np.random.default_rng(SEED)
    return (x, A.flip(x, "horizontal"), A.rotate(x, 12.0, fill="reflect"),
            A.random_crop(x, (2 * h // 3, 2 * w // 3), rng, resize=True),
            A.color_shift(x, (0.18, 0.0, -0.15)), A.add_noise(x, 0.12, rng),
            A.information_loss(x, 3, (h // 4, w // 4), rng), A.adjust_contrast(x, 1.8, 1.05))


def render_augmentation(*titles: str):
    """2 x 4 grid: original, flip, rotation, random crop / colour shift, noise, loss, contrast."""
    titles = titles or ("Original", "Flip", "Rotation", "Random crop", "Color shift",
                        "Noise addition", "Information loss", "Contrast change")
    fig = _small(6.4, 3.5, left=0.01, right=0.99, bottom=0.01, top=0.92, wspace=0.05,
                 hspace=0.18)
    for ax, img, title in zip(fig.subplots(2, 4).ravel(), augmented_photos(), titles):
        ax.imshow(np.clip(img, 0, 1), interpolation="nearest")
        ax.set_title(title, fontsize=8)
        ax.set_axis_off()
    return fig


# -- 17. batch normalization -------------------------------------------------------------
@lru_cache(maxsize=1)
def batchnorm_activations() -> tuple[np.ndarray, np.ndarray]:
    """A mini-batch of 3 features on very different scales, before and after BatchNorm(3)."""

    rng = np.random.default_rng(SEED)
    x = rng.standard_normal((256, 3)) * np.array([0.5, 2.0, 4.0]) + np.array([-4.0, 3.0, 10.0])
    bn = BatchNorm(3)
    bn.train()
    return x, bn.forward(x)


def render_batchnorm():
    x, y = batchnorm_activations()
    fig = _small(left=0.04, right=0.97, bottom=0.12, top=0.8, wspace=0.12)
    axes = fig.subplots(1, 2)
    for ax, data, name in ((axes[0], x, "x"), (axes[1], y, "x̂")):
        for j in range(data.shape[1]):
            ax.hist(data[:, j], bins=20, color=_COLORS[j], alpha=0.6, histtype="stepfilled")
        mus = ", ".join(f"{m:.0f}" for m in np.round(data.mean(axis=0)) + 0.0)  # no "-0"
        sigmas = ", ".join(f"{v:.1f}" for v in data.std(axis=0))
        _style(ax, f"{name}:  μ = {mus}\nσ = {sigmas}")
        ax.set_yticks([])
    return fig


# -- 21/22. epochs and mini-batches -----------------------------------------------------------
BATCH_SIZES = (8, 32, 100)


@lru_cache(maxsize=1)
def minibatch_histories() -> dict[int, np.ndarray]:
    """Training loss per epoch on the moons for a few batch sizes (100 = the full batch)."""

    X, y, _, _ = _moons()
    out = {}
    for b in BATCH_SIZES:
        rng = np.random.default_rng(0)
        model = _mlp(16, rng)
        out[b] = np.asarray(fit(model, X, y, lr=0.3, epochs=30, batch_size=b, rng=rng)["loss"])
    return out


def render_minibatch(minibatch: str = "Mini-batch", epochs: str = "Epochs",
                     error: str = "Error"):
    fig = _small()
    ax = fig.subplots()
    for (b, losses), color in zip(minibatch_histories().items(), _COLORS):
        n = len(_moons()[0])
        label = f"{minibatch} = {b}" + (" (N)" if b >= n else "")
        ax.plot(np.arange(1, len(losses) + 1), losses, color=color, label=label)
    _style(ax, xlabel=epochs, ylabel=f"{error}  L(z, y)")
    ax.legend(frameon=False, fontsize=7)
    return fig


# -- 24. cross-entropy ----------------------------------------------------------------------------
@lru_cache(maxsize=1)
def cross_entropy_curves() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(z, L(z, 1), L(z, 0)) for a predicted probability z, by dlkit's loss on the logit."""

    z = np.linspace(0.005, 0.995, 100)
    logits = np.log(z) - np.log1p(-z)
    l1 = np.array([binary_cross_entropy(np.array([t]), np.array([1]))[0] for t in logits])
    l0 = np.array([binary_cross_entropy(np.array([t]), np.array([0]))[0] for t in logits])
    return z, l1, l0


def render_cross_entropy():
    z, l1, l0 = cross_entropy_curves()
    fig = _small()
    ax = fig.subplots()
    ax.plot(z, l1, color=_COLORS[0], label="y = 1:  −log z")
    ax.plot(z, l0, color=_COLORS[1], linestyle="--", label="y = 0:  −log(1 − z)")
    _style(ax, xlabel="z", ylabel="L(z, y)")
    ax.legend(frameon=False, fontsize=7, loc="upper center")
    return fig


# -- 33. Xavier initialization ---------------------------------------------------------------------
INIT_DEPTH = 8


@lru_cache(maxsize=1)
def activation_stds() -> dict[str, np.ndarray]:
    """Std of the activations through INIT_DEPTH tanh layers of width 100, per initializer."""

    inits = {"N(0, 1)": lambda s, r: normal(s, r, std=1.0),
             "N(0, 0.01²)": lambda s, r: normal(s, r, std=0.01),
             "xavier": xavier_normal}
    out = {}
    for name, init in inits.items():
        rng = np.random.default_rng(SEED)
        a = rng.standard_normal((200, 100))
        stds = []
        for _ in range(INIT_DEPTH):
            a = np.tanh(a @ init((100, 100), rng))
            stds.append(a.std())
        out[name] = np.array(stds)
    return out


def render_xavier(xavier: str = "Xavier initialization"):
    fig = _small()
    ax = fig.subplots()
    for (name, stds), color in zip(activation_stds().items(), _COLORS):
        label = xavier if name == "xavier" else f"W ~ {name}"
        ax.plot(np.arange(1, len(stds) + 1), stds, "o-", color=color, markersize=3, label=label)
    _log(ax)
    _style(ax, xlabel="ℓ  (tanh)", ylabel="std(a_ℓ)")
    ax.legend(frameon=False, fontsize=6.5)
    return fig


# -- 39. learning rate ------------------------------------------------------------------------------
LEARNING_RATES = (0.01, 0.3, 6.0)


@lru_cache(maxsize=1)
def learning_rate_histories() -> dict[float, np.ndarray]:
    """Training loss per epoch (batch size 32) for a too small, a good and a too large lr."""

    X, y, _, _ = _moons()
    out = {}
    for lr in LEARNING_RATES:
        rng = np.random.default_rng(0)
        model = _mlp(16, rng)
        try:
            history = fit(model, X, y, lr=lr, epochs=30, batch_size=32, rng=rng)
        except TrainingDiverged as err:
            history = err.history
        out[lr] = np.asarray(history["loss"]) if len(history) else np.array([])
    return out


def render_learning_rate(epochs: str = "Epochs", error: str = "Error"):
    fig = _small()
    ax = fig.subplots()
    for (lr, losses), color in zip(learning_rate_histories().items(), _COLORS):
        ax.plot(np.arange(1, len(losses) + 1), losses, color=color, label=f"α = {lr:g}")
    _style(ax, xlabel=epochs, ylabel=f"{error}  L(z, y)")
    ax.legend(frameon=False, fontsize=7)
    return fig


# -- 40. adaptive learning rates: optimizer trajectories -------------------------------------------
#: the bowl f(w) = (w1^2 + 20 w2^2) / 2: steep across, flat along, as in a badly scaled loss
BOWL = np.array([1.0, 20.0])
START = np.array([-4.0, 1.0])
OPTIMIZER_LRS = {"SGD": 0.09, "Momentum": 0.09, "RMSprop": 0.15, "Adam": 0.3}
STEPS = 40


@lru_cache(maxsize=1)
def optimizer_paths() -> dict[str, np.ndarray]:
    """(STEPS + 1, 2) path of each optimizer of dlkit.optimizers from START on the bowl."""

    out = {}
    for name, lr in OPTIMIZER_LRS.items():
        w = Parameter(START.copy(), name="w")
        opt = getattr(optimizers, name)([w], lr=lr)
        path = [w.value.copy()]
        for _ in range(STEPS):
            opt.zero_grad()
            w.grad += BOWL * w.value           # the gradient of f
            opt.step()
            path.append(w.value.copy())
        out[name] = np.array(path)
    return out


def render_optimizers(*names: str):
    """Paths of SGD and the sheet's three methods (their names from the sheet's table)."""
    paths = optimizer_paths()
    names = dict(zip(("Momentum", "RMSprop", "Adam"), names or ("Momentum", "RMSprop", "Adam")))
    fig = _small(SMALL[0], 2.9, left=0.16, bottom=0.3, top=0.9)
    ax = fig.subplots()
    g1, g2 = np.meshgrid(np.linspace(-4.5, 1.5, 80), np.linspace(-1.5, 1.5, 60))
    ax.contour(g1, g2, 0.5 * (BOWL[0] * g1 ** 2 + BOWL[1] * g2 ** 2), levels=12,
               colors="0.75", linewidths=0.6)
    for (name, path), color in zip(paths.items(), _COLORS):
        ax.plot(path[:, 0], path[:, 1], ".-", color=color, markersize=2.5, linewidth=1,
                label=f"{names.get(name, name)} (α = {OPTIMIZER_LRS[name]:g})")
    ax.plot(0, 0, "*", color=PALETTE["black"], markersize=8)
    ax.set_xlim(-4.5, 1.5)
    ax.set_ylim(-1.5, 1.5)
    _style(ax, f"f(w) = (w₁² + {BOWL[1]:g} w₂²) / 2,  t = 0 … {STEPS}", "w₁", "w₂")
    ax.xaxis.labelpad = 1
    fig.legend(frameon=False, fontsize=6.5, loc="lower center", ncol=2)
    return fig


# -- 47. dropout ---------------------------------------------------------------------------------------
DROPOUT_PS = (0.2, 0.5)


@lru_cache(maxsize=1)
def dropout_outputs() -> dict[float, np.ndarray]:
    """Dropout(p) in training mode applied to a batch of ones (8, 24): 0 or 1 / (1 - p)."""

    out = {}
    for p in DROPOUT_PS:
        layer = Dropout(p, rng=np.random.default_rng(SEED))
        layer.train()
        out[p] = layer.forward(np.ones((8, 24)))
    return out


def render_dropout():
    fig = _small(left=0.03, right=0.97, bottom=0.05, top=0.8, hspace=0.7)
    axes = fig.subplots(2, 1)
    for ax, (p, y) in zip(axes, dropout_outputs().items()):
        ax.imshow(y, cmap="Blues", vmin=0, vmax=2.2, interpolation="nearest")
        ax.set_title(f"p = {p:g}:  y ∈ {{0, 1/(1 − p) = {1 / (1 - p):.2f}}},  ȳ = {y.mean():.2f}",
                     fontsize=8)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("x = 1  →  y = x · mask / (1 − p)", fontsize=9)
    return fig


# -- 49. weight regularization: paths -------------------------------------------------------------
PATH_LAMS = np.logspace(-3, 1, 13)


@lru_cache(maxsize=1)
def regularization_paths() -> dict[str, np.ndarray]:
    """Weights (K, 8) of a linear model on correlated features for each lam, per penalty."""

    X, y = make_correlated_regression(60, rng=np.random.default_rng(SEED))
    makers = {"LASSO": L1, "Ridge": L2, "Elastic Net": lambda lam: ElasticNet(lam, alpha=0.5)}
    return {name: regularization_path(X, y, make, PATH_LAMS, max_iter=2000, tol=1e-6).W
            for name, make in makers.items()}


def render_regularization(*names: str):
    """Weights against lambda for LASSO, Ridge, Elastic Net (their names from the sheet)."""
    paths = regularization_paths()
    names = names or tuple(paths)
    fig = _small(6.4, 2.4, left=0.08, right=0.99, bottom=0.2, top=0.88, wspace=0.08)
    axes = fig.subplots(1, 3, sharey=True)
    for ax, W, name in zip(axes, paths.values(), names):
        for j in range(W.shape[1]):
            ax.plot(PATH_LAMS, W[:, j], color=_COLORS[j % len(_COLORS)], linewidth=1,
                    linestyle="-" if j < 6 else ":")
        _log(ax, "x")
        _style(ax, name, "λ")
        ax.axhline(0, color=PALETTE["black"], linewidth=0.6)
    axes[0].set_ylabel("w_j", fontsize=8)
    return fig


# -- 51. early stopping -----------------------------------------------------------------------------
@lru_cache(maxsize=1)
def early_stopping_run():
    """(train losses, val losses, best epoch, stop epoch) of a network overfitting 24 points.

    The full curves come from one run of fit (full-batch gradient descent);
    dlkit's EarlyStopping (patience 20) then replays them epoch by epoch and
    says where it would have stopped.
    """

    rng = np.random.default_rng(2)
    X, y = make_moons(24, noise=0.3, rng=rng)
    Xv, yv = make_moons(200, noise=0.3, rng=rng)
    model = _mlp(64, rng, depth=2)
    history = fit(model, X, y, lr=0.05, epochs=250, batch_size=24, rng=rng,
                  validation_data=(Xv, yv))

    class _Replay:           # what EarlyStopping reads: the flag it sets
        stop_training = False

    es, replay = EarlyStopping(monitor="val_loss", patience=20), _Replay()
    es.set_context(replay, None)
    es.on_train_begin({})
    stop = len(history) - 1
    for epoch, val in enumerate(history["val_loss"]):
        es.on_epoch_end(epoch, {"val_loss": val})
        if replay.stop_training:
            stop = epoch
            break
    return (np.asarray(history["loss"]), np.asarray(history["val_loss"]), es.best_epoch, stop)


def render_early_stopping(error: str = "Error", validation: str = "Validation",
                          training: str = "Training", early_stopping: str = "early stopping",
                          epochs: str = "Epochs"):
    """The sheet's picture: training and validation error against epochs, and where to stop."""
    train, val, best, stop = early_stopping_run()
    fig = _small()
    ax = fig.subplots()
    e = np.arange(1, len(train) + 1)
    ax.plot(e, train, color=TRAIN_COLOR, label=training)
    ax.plot(e, val, color=VAL_COLOR, linestyle="--", label=validation)
    ax.axvline(best + 1, color=PALETTE["black"], linestyle=":", linewidth=1)
    ax.axvspan(best + 1, stop + 1, color=PALETTE["yellow"], alpha=0.3)
    ax.annotate(early_stopping, (best + 1, val[best]), xytext=(6, 18), textcoords="offset points",
                fontsize=7, arrowprops={"arrowstyle": "->", "linewidth": 0.8})
    _style(ax, xlabel=epochs, ylabel=error)
    ax.set_ylim(0, float(max(np.max(val), np.max(train))) * 1.05)
    ax.set_xlim(0, len(train))
    ax.legend(frameon=False, fontsize=7, loc="upper right")
    return fig


# -- 54. overfitting a small batch ------------------------------------------------------------------
@lru_cache(maxsize=1)
def overfit_runs():
    """OverfitResults on one XOR batch of 16 points: a 2-16-1 tanh MLP and a linear Dense(2, 1)."""

    X, y = make_xor(16, noise=0.2, rng=np.random.default_rng(SEED))
    mlp = _mlp(16, np.random.default_rng(0), act="tanh")
    linear = Sequential(Dense(2, 1, rng=np.random.default_rng(0)))
    return {"2-16-1": overfit_one_batch(mlp, X, y, lr=0.5, max_iterations=600),
            "2-1": overfit_one_batch(linear, X, y, lr=0.5, max_iterations=600)}


def render_overfit():
    runs = overfit_runs()
    fig = _small()
    ax = fig.subplots()
    for (name, res), color in zip(runs.items(), _COLORS):
        acc = "" if res.final_accuracy is None else f", {res.final_accuracy:.0%}"
        ax.plot(np.arange(len(res.losses)), res.losses, color=color, label=f"{name}{acc}")
    thr = next(iter(runs.values())).loss_threshold
    ax.axhline(thr, color=PALETTE["black"], linestyle=":", linewidth=0.8)
    _log(ax)
    _style(ax, "XOR, N = 16", "t", "L(z, y)")
    ax.legend(frameon=False, fontsize=7)
    return fig


# -- 55. gradient checking -------------------------------------------------------------------------
#: h from 1e-12 to 1, at 1 and 3 of every decade. Each h is read from its decimal, so it is
#: the same double on every machine (np.logspace goes through a SIMD pow that is not).
H_VALUES = np.array([float(f"{m}e{e}") for e in range(-12, 1) for m in (1, 3)][:-1])


def ordered_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b, (N, D) x (D, K) -> (N, K), as D element-wise steps in a fixed order.

    a[:, 0] b[0] + a[:, 1] b[1] + ..., left to right: each step is an element-wise * and +,
    which IEEE 754 rounds the same way on every processor, whatever its SIMD width (a BLAS
    product sums in an order that depends on the processor and the number of threads).
    """
    out = a[:, :1] * b[0]
    for k in range(1, b.shape[0]):
        out = out + a[:, k:k + 1] * b[k]
    return out


def softsign_layer_loss(W: np.ndarray, x: np.ndarray, R: np.ndarray):
    """L(W) = sum_ij R_ij s((x W)_ij), s(u) = u / sqrt(1 + u^2), computed in W's dtype.

    W: (D, K), x: (N, D), R: (N, K), all of one dtype; returns a scalar of that dtype.
    s is a smooth squashing function like tanh, made of +, *, / and sqrt only, and every
    sum runs in a fixed order (ordered_matmul, then the terms left to right): IEEE 754
    rounds each of these operations the same way on every processor, so the round-off of
    this loss, what the gradient-check figure shows at small h, is the same everywhere.
    (tanh, exp and log are vectorized differently per processor, and differ in the last bit.)
    """
    u = ordered_matmul(x, W)
    terms = (R * (u / np.sqrt(1 + u * u))).ravel()
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


@lru_cache(maxsize=1)
def gradcheck_problem() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x (6, 4), W0 (4, 3), R (6, 3), exact dL/dW (4, 3)) of softsign_layer_loss.

    x and R hold multiples of 0.01 in [-2, 2], W0 multiples of 0.005 in [-0.5, 0.5], drawn
    as integers: the same numbers on every machine. The exact gradient, in float64 and in
    a fixed order:
    dL/dW_kj = sum_i x_ik R_ij s'(u_ij), with s'(u) = (1 + u^2)^(-3/2).
    """
    rng = np.random.default_rng(5)
    x = rng.integers(-200, 201, (6, 4)) / 100
    W0 = rng.integers(-100, 101, (4, 3)) / 200
    R = rng.integers(-200, 201, (6, 3)) / 100
    u = ordered_matmul(x, W0)
    v = 1 + u * u
    exact = ordered_matmul(x.T, R / (v * np.sqrt(v)))
    return x, W0, R, exact


@lru_cache(maxsize=1)
def gradcheck_errors() -> dict[str, np.ndarray]:
    """Relative error of the central difference against h, in float64 and float32.

    dlkit.gradcheck's numerical_gradient of softsign_layer_loss, in each dtype, against
    the exact gradient, by dlkit.gradcheck's relative_error. The small-h end of the
    curve is round-off magnified by 1/h, the same on every machine because the loss's
    round-off is (softsign_layer_loss). Only relative_error's last step, two norms, may
    round differently elsewhere: by an ulp of the error, 1e-16 of it, never magnified.
    """
    x, W0, R, exact = gradcheck_problem()
    out = {}
    for dtype in ("float64", "float32"):
        dt = np.dtype(dtype)
        xd, Rd = x.astype(dt), R.astype(dt)

        def loss(W, xd=xd, Rd=Rd):
            return softsign_layer_loss(W, xd, Rd)

        out[dtype] = np.array([relative_error(numerical_gradient(loss, W0.astype(dt), h=float(h)),
                                              exact) for h in H_VALUES])
    return out


def render_gradcheck(numerical: str = "Numerical gradient", analytical: str = "Analytical gradient"):
    errors = gradcheck_errors()
    fig = _small(left=0.21)
    ax = fig.subplots()
    for (dtype, err), color in zip(errors.items(), _COLORS):
        best = int(np.argmin(err))
        ax.plot(H_VALUES, err, "o-", color=color, markersize=2.5, linewidth=1,
                label=f"{dtype}: min {err[best]:.0e} (h = {H_VALUES[best]:.0e})")
    _log(ax, "x")
    _log(ax, "y")
    ax.set_ylim(1e-12, 1e5)
    ax.axhline(1e-7, color=PALETTE["green"], linestyle=":", linewidth=0.8)
    _style(ax, f"{numerical} / {analytical}", "h", "‖Δg‖ / ‖g‖")
    ax.legend(frameon=False, fontsize=6.5, loc="upper center")
    return fig


# -- the registry ---------------------------------------------------------------------------------
def _terms(tr, number: int, *which: int) -> tuple[str, ...]:
    value = tr[number]
    return tuple(value[i] for i in which) if which else tuple(value)


@dataclass(frozen=True)
class RecapFigure:
    """One figure of the page: the item it sits under and how to draw it in a language."""

    name: str
    item: int
    render: Callable
    labels: Callable = lambda tr: ()


FIGURES: dict[str, RecapFigure] = {f.name: f for f in (
    RecapFigure("augmentation", 11, render_augmentation,
                lambda tr: _terms(tr, 12) + _terms(tr, 14)),
    RecapFigure("batchnorm", 17, render_batchnorm),
    RecapFigure("minibatch", 22, render_minibatch,
                lambda tr: _terms(tr, 5, 2) + _terms(tr, 52, 4, 0)),
    RecapFigure("cross_entropy", 24, render_cross_entropy),
    RecapFigure("xavier", 33, render_xavier, lambda tr: _terms(tr, 6, 1)),
    RecapFigure("learning_rate", 39, render_learning_rate, lambda tr: _terms(tr, 52, 4, 0)),
    RecapFigure("optimizers", 40, render_optimizers,
                lambda tr: (tr[42][0], tr[43][0], tr[44][0])),
    RecapFigure("dropout", 47, render_dropout),
    RecapFigure("regularization", 49, render_regularization, lambda tr: _terms(tr, 50)),
    RecapFigure("early_stopping", 51, render_early_stopping, lambda tr: _terms(tr, 52)),
    RecapFigure("overfit", 54, render_overfit),
    RecapFigure("gradcheck", 55, render_gradcheck, lambda tr: _terms(tr, 56, 1, 2)),
)}
