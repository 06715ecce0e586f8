"""Figures of chapter 05, "Good practices": overfitting a small batch, gradient checking."""

from __future__ import annotations

import textwrap
from functools import lru_cache

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator

from .._validate import check_int
from ..activations import ReLU, Sigmoid, Tanh
from ..datasets.toy import make_xor
from ..dense import Dense
from ..gradcheck import BUG_THRESHOLD, TOLERANCE, numerical_gradient, relative_error
from ..overfit import OverfitResult, overfit_one_batch
from ..plotting import PALETTE, new_figure, plot_decision_boundary
from ..sequential import Sequential

DTYPES = ("float64", "float32")
#: h from 1e-13 to 1, 4 points a decade. Each h is read from its decimal, so it is the
#: same double on every machine (np.logspace goes through a SIMD pow that is not).
H_GRID = np.array([float(f"{m}e{e}") for e in range(-13, 0)
                   for m in ("1", "1.78", "3.16", "5.62")] + [1.0])


def _plain_log_ticks(axis, every: int = 1) -> None:
    """Log-axis labels as plain text "1e-05" (mathtext labels cost ~0.1 s per draw)."""
    axis.set_major_locator(LogLocator(base=10.0 ** every, numticks=30))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0e}"))


# -- the h trade-off ------------------------------------------------------------------
# The round-off regime of a finite difference IS round-off, so measured on an ordinary
# layer it differs from one CPU to another (BLAS kernels sum in other orders, vectorized
# tanh and exp differ in the last bit). The test layer below uses only what IEEE 754
# rounds the same way everywhere: +, -, *, / and sqrt, elementwise, in a fixed order (no
# BLAS, no tanh, no np.sum, whose order of additions is NumPy's own), on inputs that are
# small multiples of 1/8, exact in float32 and float64. Its round-off is then bit-identical
# on every machine, in both dtypes (tests/test_widgets_good_practices.py checks it against
# a loop over Python scalars).
def softsign_sqrt(a: np.ndarray) -> np.ndarray:
    """s(a) = a / sqrt(1 + a^2): a tanh look-alike (odd, S-shaped, s'(0) = 1, |s| < 1)."""
    return a / np.sqrt(1 + a * a)


def _product(x: np.ndarray, W: np.ndarray) -> np.ndarray:
    """x W for x (N, K), W (K, M), summed over k = 0, 1, ... in that order (no BLAS)."""
    a = x[:, 0:1] * W[0]
    for k in range(1, x.shape[1]):
        a = a + x[:, k:k + 1] * W[k]
    return a


def _ordered_sum(terms: np.ndarray):
    """sum of the entries of terms, one by one in memory order, in terms' dtype."""
    total = terms.dtype.type(0)
    for t in terms.reshape(-1):
        total = total + t
    return total


def sweep_loss(W: np.ndarray, x: np.ndarray, R: np.ndarray):
    """L(W) = sum(s(x W) * R) with s = softsign_sqrt. W (K, M), x (N, K), R (N, M)."""
    return _ordered_sum(softsign_sqrt(_product(x, W)) * R)


@lru_cache(maxsize=1)
def _sweep_problem():
    """x (8, 4), W (4, 3), R (8, 3), multiples of 1/8; the exact dL/dW = x^T (s'(x W) R)."""
    rng = np.random.default_rng(5)  # integers only: no continuous draw, no round-off
    x = rng.integers(-8, 9, (8, 4)) / 4
    W = rng.integers(-4, 5, (4, 3)) / 8
    R = rng.integers(-8, 9, (8, 3)) / 4
    a = _product(x, W)
    ds = 1 / ((1 + a * a) * np.sqrt(1 + a * a))  # s'(a) = (1 + a^2)^(-3/2)
    return x, W, R, _product(x.T, ds * R)


@lru_cache(maxsize=512)
def finite_difference_error(h: float, dtype: str = "float64", method: str = "central") -> float:
    """Relative error of the finite-difference gradient of the test layer, computed in dtype.

    Everything (inputs, weights, the perturbation, the loss) is in ``dtype``;
    the reference is the exact gradient in float64, so this is the error of
    the numerical gradient alone. The numerical gradient is the same on every
    machine, bit for bit; the norms of the relative error can differ in their
    last bit only.
    """
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {DTYPES}, got {dtype!r}")
    dt = np.dtype(dtype)
    x, W0, R, exact = _sweep_problem()
    xd, Rd, W = x.astype(dt), R.astype(dt), W0.astype(dt)
    grad = numerical_gradient(lambda W: sweep_loss(W, xd, Rd), W, h=h, method=method)
    return relative_error(grad, exact)


@lru_cache(maxsize=8)
def h_sweep(dtype: str = "float64", method: str = "central") -> tuple[np.ndarray, np.ndarray]:
    """(hs, errors) of the finite-difference gradient over H_GRID."""
    return H_GRID, np.array([finite_difference_error(float(h), dtype, method) for h in H_GRID])


def fitted_slope(hs, errors, lo: float, hi: float) -> float:
    """Slope of log10(error) against log10(h) for lo <= h <= hi (least squares)."""
    hs, errors = np.asarray(hs), np.asarray(errors)
    m = (hs >= lo) & (hs <= hi)
    return float(np.polyfit(np.log10(hs[m]), np.log10(errors[m]), 1)[0])


def render_h_tradeoff(h: float = 1e-5, dtype: str = "float64"):
    """Error of the central and forward differences against h (log-log), at one dtype."""
    eps = float(np.finfo(dtype).eps)
    fig = new_figure(9.6, 4.4, layout=None)  # fixed margins: redrawn on every slider move
    fig.subplots_adjust(left=0.08, right=0.7, bottom=0.12, top=0.9)
    ax = fig.subplots()
    styles = {"central": (PALETTE["blue"], "central  (f(x+h) - f(x-h)) / 2h"),
              "forward": (PALETTE["orange"], "forward  (f(x+h) - f(x)) / h")}
    for method, (color, label) in styles.items():
        hs, errs = h_sweep(dtype, method)
        ax.loglog(hs, errs, "o-", color=color, markersize=3, linewidth=1.2, label=label)
    hs = H_GRID
    ax.loglog(hs, 0.3 * hs ** 2, ":", color=PALETTE["blue"], linewidth=1,
              label="truncation ~ h^2 (central), ~ h (forward)")
    ax.loglog(hs, 0.3 * hs, ":", color=PALETTE["orange"], linewidth=1)
    ax.loglog(hs, eps / hs, "--", color=PALETTE["black"], linewidth=1,
              label="round-off ~ eps / h")
    ax.axvline(eps ** (1 / 3), color=PALETTE["blue"], linestyle="-.", linewidth=0.8,
               alpha=0.7, label=f"eps^(1/3) = {eps ** (1 / 3):.1e}")
    ax.axhspan(1e-18, TOLERANCE, color=PALETTE["green"], alpha=0.08)
    ax.axhspan(BUG_THRESHOLD, 1e3, color=PALETTE["vermillion"], alpha=0.08)
    ax.text(2e-13, 3e-8, "correct: < 1e-7", color=PALETTE["green"], fontsize=8, va="top")
    ax.text(2e-13, 2e-3, "bug: > 1e-3", color=PALETTE["vermillion"], fontsize=8)
    err_c = finite_difference_error(float(h), dtype, "central")
    err_f = finite_difference_error(float(h), dtype, "forward")
    ax.axvline(h, color=PALETTE["vermillion"], linewidth=1.2)
    ax.plot([h, h], [err_c, err_f], "s", color=PALETTE["vermillion"], markersize=6)
    ax.set_xlim(H_GRID[0], H_GRID[-1])
    ax.set_ylim(1e-13, 10)
    ax.set_xlabel("step h")
    ax.set_ylabel("relative error of the numerical gradient")
    ax.set_title(f"{dtype} (eps = {eps:.1e}): at h = {h:.1e}, central {err_c:.1e}, "
                 f"forward {err_f:.1e}", fontsize=10)
    _plain_log_ticks(ax.xaxis, every=2)
    _plain_log_ticks(ax.yaxis, every=2)
    ax.grid(alpha=0.3, which="major")
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


# -- kinks ----------------------------------------------------------------------------
def render_kink(h: float = 1e-5):
    """Central difference of ReLU and |x| near their kink at 0, against the true derivative."""
    x0 = np.linspace(-3 * h, 3 * h, 241)
    relu = lambda x: np.maximum(x, 0.0)  # noqa: E731
    num_relu = (relu(x0 + h) - relu(x0 - h)) / (2 * h)
    num_abs = (np.abs(x0 + h) - np.abs(x0 - h)) / (2 * h)
    fig = new_figure(9.0, 3.4)
    axes = fig.subplots(1, 2, sharey=False)
    for ax, num, exact, name in [(axes[0], num_relu, (x0 > 0).astype(float), "ReLU"),
                                 (axes[1], num_abs, np.sign(x0), "|x|, the L1 penalty")]:
        ax.plot(x0 / h, exact, color=PALETTE["black"], linewidth=2, label="analytical")
        ax.plot(x0 / h, num, color=PALETTE["vermillion"], linestyle="--", linewidth=1.5,
                label="central difference")
        ax.axvspan(-1, 1, color=PALETTE["yellow"], alpha=0.25, label="|x| < h")
        ax.set_xlabel("x / h  (distance to the kink, in steps h)")
        ax.set_ylabel("derivative")
        ax.set_title(f"{name}, near its kink at 0", fontsize=10)
        ax.grid(alpha=0.3)
    axes[0].legend(frameon=False, fontsize=8, loc="upper left")
    return fig


# -- overfitting one batch ------------------------------------------------------------
@lru_cache(maxsize=1)
def xor_batch(n: int = 16, seed: int = 230):
    """One mini-batch of n XOR points (X (n, 2), y (n,)): no line separates the classes."""
    return make_xor(n, noise=0.2, rng=np.random.default_rng(seed))


@lru_cache(maxsize=1)
def regression_targets() -> np.ndarray:
    """Real-valued targets for the same 16 points, t = sin(2 x1) cos(x2): a finite minimum."""
    X, _ = xor_batch()
    return np.sin(2 * X[:, 0]) * np.cos(X[:, 1])


TASKS = ("classification", "regression")


def mlp(hidden: int = 16, seed: int = 0, first=Dense, act=Tanh, last=Dense, *,
        depth: int = 1, init: str = "xavier") -> Sequential:
    """Dense(2, hidden) -> act, then (depth - 1) x [Dense(hidden, hidden) -> act], then
    Dense(hidden, 1); ``first`` and ``last`` are the classes of the first and last Dense.

    The hidden layers' W are drawn by ``init`` (Xavier, or He for ReLU), the output
    layer's by Xavier, all from one Generator seeded with ``seed``.
    """
    depth = check_int(depth, "depth", low=1)
    rng = np.random.default_rng(seed)
    layers = [first(2, hidden, init=init, rng=rng), act()]
    for _ in range(depth - 1):
        layers += [Dense(hidden, hidden, init=init, rng=rng), act()]
    return Sequential(*layers, last(hidden, 1, rng=rng))


# -- what a failure means: depth, over several seeds ------------------------------------
#: activation name -> (layer class, the initialization made for it)
ACTIVATIONS = {"tanh": (Tanh, "xavier"), "ReLU": (ReLU, "he"), "sigmoid": (Sigmoid, "xavier")}
SEEDS = (0, 1, 2, 3, 4)


def overfit_seeds(act: str = "tanh", hidden: int = 16, depth: int = 1, lr: float = 0.5,
                  seeds=SEEDS, max_iterations: int = 1500,
                  nudge: bool = False) -> list[OverfitResult]:
    """The overfit test on the XOR batch for ``mlp(hidden, seed, depth=depth)`` with
    activation ``act`` (a key of ACTIVATIONS, with its initialization), once per seed;
    ``nudge``: with the initial weights moved one ulp (``nudged``) before training."""
    if act not in ACTIVATIONS:
        raise ValueError(f"act must be one of {tuple(ACTIVATIONS)}, got {act!r}")
    layer, init = ACTIVATIONS[act]
    X, y = xor_batch()
    results = []
    for seed in seeds:
        model = mlp(hidden, seed, act=layer, depth=depth, init=init)
        model = nudged(model) if nudge else model
        results.append(overfit_one_batch(model, X, y, lr=lr, max_iterations=max_iterations))
    return results


def seed_summary(results: list[OverfitResult]) -> str:
    """What holds over the seeds, whatever the CPU: did all, none or only some overfit?

    When only some do, which ones can be decided by round-off (a chaotic run: see
    ``nudged``), so neither they nor their count are named; "all" gives the median
    number of updates, the failures how many diverged.
    """
    n = len(results)
    if n == 0:
        raise ValueError("results must hold at least one OverfitResult, got none")
    reached = [r.iterations for r in results if r.reached]
    diverged = sum(r.diagnosis == "diverged" for r in results)
    also = f" ({diverged} diverged)" if diverged else ""
    if len(reached) == n:
        return f"all {n} (median {int(np.median(reached))} updates)"
    if not reached:
        return f"none of {n}{also}"
    return f"some of {n}, not all{also}"


def nudged(model: Sequential) -> Sequential:
    """The model with every parameter moved by one unit in the last place, alternately
    up and down: the size of what another CPU's round-off does to a result."""
    for p in model.parameters():
        up = np.arange(p.value.size).reshape(p.value.shape) % 2 == 0
        p.value[...] = np.nextafter(p.value, np.where(up, np.inf, -np.inf))
    return model


def loss_gap(a: OverfitResult, b: OverfitResult) -> float:
    """Largest |a.losses[t] - b.losses[t]| over the updates both runs made."""
    n = min(len(a.losses), len(b.losses))
    return float(np.max(np.abs(a.losses[:n] - b.losses[:n])))


class _SignFlipTanh(Tanh):
    """Tanh with the classic sign slip: (y^2 - 1) instead of (1 - y^2)."""

    def backward(self, dy):
        y = self._backward_ready("_y")
        return dy * (y * y - 1.0)


class _NoBiasGradDense(Dense):
    """Dense whose backward forgets db: the bias never moves from its initial 0."""

    def backward(self, dy):
        x = self._backward_ready()
        self.W.grad += x.T @ dy
        return dy @ self.W.value.T


class _SignFlipDWDense(Dense):
    """Dense whose backward returns -dW (and correct db, dx)."""

    def backward(self, dy):
        x = self._backward_ready()
        self.W.grad -= x.T @ dy
        self.b.grad += dy.sum(axis=0)
        return dy @ self.W.value.T


def _no_zero_grad(model, optimizer, dz):
    model.backward(dz)  # gradients pile up: optimizer.zero_grad() is missing
    optimizer.step()


OVERFIT_CASES = (
    "correct",
    "wrong sign in Tanh.backward",
    "missing bias gradient (first layer)",
    "wrong sign of dW (output layer)",
    "forgotten zero_grad",
    "too little capacity: Dense(2, 1)",
)


@lru_cache(maxsize=128)
def overfit_case(case: str = "correct", lr: float = 0.5, hidden: int = 16,
                 task: str = "classification",
                 max_iterations: int = 1000) -> tuple[Sequential, OverfitResult]:
    """Train one of OVERFIT_CASES on the 16-point batch; returns (model, OverfitResult).

    task "classification": the XOR labels, binary cross-entropy, threshold 0.01;
    task "regression": the targets of ``regression_targets``, MSE, threshold 0.001.
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    X, y = xor_batch()
    update = None
    if case == "correct":
        model = mlp(hidden)
    elif case == "wrong sign in Tanh.backward":
        model = mlp(hidden, act=_SignFlipTanh)
    elif case == "missing bias gradient (first layer)":
        model = mlp(hidden, first=_NoBiasGradDense)
    elif case == "wrong sign of dW (output layer)":
        model = mlp(hidden, last=_SignFlipDWDense)
    elif case == "forgotten zero_grad":
        model, update = mlp(hidden), _no_zero_grad
    elif case == "too little capacity: Dense(2, 1)":
        model = Sequential(Dense(2, 1, rng=np.random.default_rng(0)))
    else:
        raise ValueError(f"case must be one of {OVERFIT_CASES}, got {case!r}")
    if task == "regression":
        return model, overfit_one_batch(model, X, regression_targets(), loss="mse", lr=lr,
                                        max_iterations=max_iterations, loss_threshold=1e-3,
                                        update=update)
    return model, overfit_one_batch(model, X, y, lr=lr, max_iterations=max_iterations,
                                    update=update)


def plot_overfit_curves(results: dict[str, OverfitResult], title: str | None = None):
    """Loss on the batch against the iteration (log scale) for several OverfitResults."""
    fig = new_figure(8.4, 4.2)
    ax = fig.subplots()
    colors = [PALETTE[c] for c in ("blue", "vermillion", "orange", "green", "purple", "sky",
                                   "black", "yellow")]
    for (name, res), color in zip(results.items(), colors):
        label = f"{name}: {res.diagnosis}"
        ax.plot(np.arange(len(res.losses)), res.losses, color=color, linewidth=1.3, label=label)
    thr = next(iter(results.values())).loss_threshold
    ax.axhline(thr, color=PALETTE["black"], linestyle=":", linewidth=1)
    ax.text(0.99, thr * 0.85, f"threshold {thr:g}", fontsize=8, va="top", ha="right",
            transform=ax.get_yaxis_transform())
    ax.set_yscale("log")
    ax.set_xlabel("iteration (weight updates)")
    ax.set_ylabel("loss on the batch")
    ax.set_title(title or "Overfitting one batch: the loss curve tells the failures apart")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8, loc="center right")
    return fig


def render_overfit(case: str = "correct", lr: float = 0.5, hidden: int = 16,
                   task: str = "classification"):
    """The loss curve of one case on the 16-point batch (left) and its fit (right)."""
    model, res = overfit_case(case, float(lr), int(hidden), task)
    X, y = xor_batch()
    fig = new_figure(9.6, 4.3, layout=None)  # fixed margins: redrawn on every slider move
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.25, top=0.86, wspace=0.25)
    ax_l, ax_r = fig.subplots(1, 2)
    # a diverging run climbs to ~1e300: clip what is drawn so the log axis stays readable
    losses = np.clip(res.losses[np.isfinite(res.losses)], 1e-300, 1e30)
    ax_l.plot(np.arange(len(losses)), losses, color=PALETTE["blue"], linewidth=1.3)
    ax_l.axhline(res.loss_threshold, color=PALETTE["black"], linestyle=":", linewidth=1)
    ax_l.set_yscale("log")
    _plain_log_ticks(ax_l.yaxis)
    ax_l.set_xlabel("iteration (weight updates)")
    ax_l.set_ylabel("MSE" if task == "regression" else "cross-entropy")
    ax_l.set_title(f"{res.diagnosis}" + (f" in {res.iterations} iterations"
                                         if res.reached else ""))
    ax_l.grid(alpha=0.3)
    if res.diagnosis == "diverged":
        ax_r.text(0.5, 0.5, "diverged: no fit to show", ha="center",
                  transform=ax_r.transAxes, color=PALETTE["vermillion"])
        ax_r.set_title("the fit")
        ax_r.set_xlabel("-")
        ax_r.set_ylabel("-")
    elif task == "regression":
        t = regression_targets()
        pred = model.predict(X).reshape(-1)
        ax_r.plot([-1, 1], [-1, 1], color=PALETTE["black"], linewidth=1, linestyle=":")
        ax_r.scatter(t, pred, color=PALETTE["blue"], s=18)
        ax_r.set_xlabel("target t")
        ax_r.set_ylabel("prediction")
        ax_r.set_title(f"the batch: MSE {res.final_loss:.2g}")
        ax_r.grid(alpha=0.3)
    else:
        acc = "n/a" if res.final_accuracy is None else f"{res.final_accuracy:.0%}"
        plot_decision_boundary(ax_r, model, X, y, resolution=50,
                               title=f"the batch: accuracy {acc}")
    fig.suptitle(f"{case} ({task}), lr = {lr:.3g}, hidden units = {hidden}", fontsize=11)
    fig.text(0.02, 0.02, textwrap.fill(res.verdict, 150), fontsize=8,
             color=PALETTE["black"] if res.reached else PALETTE["vermillion"])
    return fig
