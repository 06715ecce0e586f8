"""Figures of chapter 03, "Parameter tuning": initialization, transfer learning,
learning rates and schedules, and the optimizers' trajectories.

Every ``render_*`` returns a matplotlib Figure; the expensive parts (training
runs, layer statistics) are cached with ``functools.lru_cache``, so a slider
moved back to a previous value answers at once.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter, NullLocator

from .. import initializers as init
from ..activations import ReLU, Tanh
from ..callbacks import Callback
from ..datasets.toy import make_toy
from ..dense import Dense
from ..optimizers import SGD, Adadelta, Adagrad, Adam, Momentum, RMSprop
from ..parameter import Parameter
from ..plotting import PALETTE, message_axes, new_figure
from ..schedules import Constant, CosineDecay, ExponentialDecay, InverseTimeDecay, StepDecay
from ..sequential import Sequential
from ..training import TrainingDiverged, evaluate, fit

COLORS = [PALETTE[c] for c in ("blue", "orange", "green", "vermillion", "purple", "sky",
                               "black")]

def _figure(width: float, height: float, **adjust):
    """A Figure with fixed margins: the constrained layout would double the drawing time of a
    widget's redraw."""
    fig = new_figure(width, height, layout=None)
    margins = {"left": 0.07, "right": 0.98, "bottom": 0.13, "top": 0.9, "wspace": 0.28}
    margins.update(adjust)
    fig.subplots_adjust(**margins)
    return fig


def _log_axis(axis) -> None:
    """Plain-text tick labels ("1e-08"): mathtext labels ("10^{-8}") take most of the drawing
    time of a small figure. At most ~6 labelled decades and no minor ticks: over 20 decades
    (vanishing vs exploding activations) the minor ticks alone cost ~0.1 s per redraw."""
    axis.set_major_locator(LogLocator(numticks=6))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_locator(NullLocator())
    axis.set_minor_formatter(NullFormatter())


def _log_y(ax) -> None:
    ax.set_yscale("log")
    _log_axis(ax.yaxis)


def _log_x(ax) -> None:
    ax.set_xscale("log")
    _log_axis(ax.xaxis)


# =========================================================================== initialization
INIT_SCHEMES = ("small", "large", "xavier", "he")
INIT_LABELS = {"zeros": "zeros", "small": "naive N(0, 0.01²)", "large": "naive N(0, 1)",
               "xavier": "Xavier (Glorot)", "he": "He (Kaiming)"}


def init_weights(scheme: str, shape, rng, scale: float = 1.0) -> np.ndarray:
    """Weights for one of the chapter's schemes, multiplied by ``scale``.

    zeros; small = N(0, 0.01^2); large = N(0, 1); xavier = N(0, 2/(fan_in+fan_out));
    he = N(0, 2/fan_in).
    """
    if scheme == "zeros":
        return init.zeros(shape)
    if scheme == "small":
        w = init.normal(shape, rng, std=0.01)
    elif scheme == "large":
        w = init.normal(shape, rng, std=1.0)
    elif scheme == "xavier":
        w = init.xavier_normal(shape, rng)
    elif scheme == "he":
        w = init.he_normal(shape, rng)
    else:
        raise ValueError(f"scheme must be one of {['zeros', *INIT_SCHEMES]}, got {scheme!r}")
    return scale * w


def deep_network(depth: int, scheme: str, activation: str = "tanh", width: int = 128,
                 scale: float = 1.0, seed: int = 0) -> Sequential:
    """depth x (Dense(width, width) -> activation), weights from ``init_weights``."""
    if activation not in ("tanh", "relu"):
        raise ValueError(f"activation must be 'tanh' or 'relu', got {activation!r}")
    rng = np.random.default_rng(seed)
    layers = []
    for _ in range(depth):
        layers.append(Dense(width, width, rng=rng,
                            init=lambda shape, r: init_weights(scheme, shape, r, scale)))
        layers.append(Tanh() if activation == "tanh" else ReLU())
    return Sequential(*layers)


@lru_cache(maxsize=128)
def layer_statistics(depth: int = 10, scheme: str = "xavier", activation: str = "tanh",
                     scale: float = 1.0, width: int = 128, n: int = 256, seed: int = 0):
    """Per-layer statistics of one forward and one backward pass on random data.

    x ~ N(0, 1) of shape (n, width) goes in; the gradient coming from the
    loss is dy ~ N(0, 1) / n at the last layer. Returns a dict of arrays of
    length ``depth``: "act_std" (std of each layer's output), "grad_std" (std
    of dL/dW of each Dense layer), and "acts" (the outputs of layers 1, the
    middle one and the last, for histograms).
    """
    net = deep_network(depth, scheme, activation, width, scale, seed)
    rng = np.random.default_rng(seed + 1)
    x = rng.standard_normal((n, width))
    act_std, acts = [], {}
    keep = sorted({1, max(1, depth // 2), depth})
    for i, layer in enumerate(net.layers):
        x = layer.forward(x)
        if i % 2 == 1:
            act_std.append(float(x.std()))
            if (i + 1) // 2 in keep:
                acts[(i + 1) // 2] = x.ravel().copy()
    net.backward(rng.standard_normal(x.shape) / n)
    grad_std = [float(layer.W.grad.std()) for layer in net.layers[::2]]
    return {"act_std": np.array(act_std), "grad_std": np.array(grad_std), "acts": acts}


def _log_floor(values, floor=1e-12):
    return np.maximum(np.asarray(values), floor)


def render_init_stats(depth: int = 10, scheme: str = "xavier", activation: str = "tanh",
                      scale: float = 1.0):
    """Histograms of activations (chosen scheme) and per-layer activation and gradient
    spread for every scheme, the chosen one (times ``scale``) in bold."""
    fig = _figure(12, 3.8, left=0.06, wspace=0.3)
    ax_h, ax_a, ax_g = fig.subplots(1, 3)
    stats = layer_statistics(depth, scheme, activation, scale)
    for (layer, values), color in zip(stats["acts"].items(), COLORS):
        if activation == "relu":
            values = values[values > 0]  # half of the outputs are exactly 0
        lim = 1.05 if activation == "tanh" else max(1e-12, float(np.percentile(values, 99)))
        ax_h.hist(values, bins=60, range=(-lim if activation == "tanh" else 0, lim),
                  histtype="step", color=color, label=f"layer {layer}", density=True)
    ax_h.set_title(f"{INIT_LABELS[scheme]} x {scale:g}: outputs")
    ax_h.set_xlabel(f"{activation} output" + (" (the nonzero ones)" if activation == "relu"
                                              else ""))
    ax_h.set_ylabel("density")
    ax_h.legend(frameon=False, fontsize=8)
    layers = np.arange(1, depth + 1)
    for s, color in zip(INIT_SCHEMES, COLORS):
        chosen = s == scheme
        st = stats if chosen else layer_statistics(depth, s, activation, 1.0)
        kw = dict(color=color, lw=2.5 if chosen else 1.0, alpha=1.0 if chosen else 0.6,
                  ls="-" if chosen else "--", marker="o" if chosen else None, ms=3)
        label = INIT_LABELS[s] + (f" x {scale:g}" if chosen and scale != 1 else "")
        ax_a.plot(layers, _log_floor(st["act_std"]), label=label, **kw)
        ax_g.plot(layers, _log_floor(st["grad_std"]), label=label, **kw)
    for ax, what in [(ax_a, "std of layer outputs"), (ax_g, "std of dL/dW")]:
        _log_y(ax)
        ax.set_xlabel("layer")
        ax.set_ylabel(what)
        ax.grid(alpha=0.3)
    ax_a.set_title(f"forward: activations ({activation}, depth {depth})")
    ax_g.set_title("backward: weight gradients")
    ax_g.legend(frameon=False, fontsize=8)
    return fig


# =========================================================================== learning rate
LR_EPOCHS = 60
REFERENCE_LRS = {"too small": 0.003, "just right": 0.3, "too large": 10.0}
SCHEDULE_NAMES = ("constant", "step", "exponential", "inverse_time", "cosine")


def make_schedule(name: str, lr0: float, epochs: int = LR_EPOCHS):
    """The chapter's schedules, with parameters scaled to ``epochs``."""
    if name == "constant":
        return Constant(lr0)
    if name == "step":
        return StepDecay(lr0, drop=0.5, every=max(1, epochs // 4))
    if name == "exponential":
        return ExponentialDecay(lr0, gamma=0.95)
    if name == "inverse_time":
        return InverseTimeDecay(lr0, decay_rate=0.1)
    if name == "cosine":
        return CosineDecay(lr0, epochs=epochs, lr_min=lr0 / 100, warmup=max(1, epochs // 12))
    raise ValueError(f"schedule must be one of {list(SCHEDULE_NAMES)}, got {name!r}")


@lru_cache(maxsize=8)
def lr_data(seed: int = 230):
    """300 points of two concentric circles for the learning-rate experiments."""
    return make_toy("circles", n=300, noise=0.08, rng=np.random.default_rng(seed))


@lru_cache(maxsize=128)
def lr_run(lr: float, schedule: str = "constant", epochs: int = LR_EPOCHS, seed: int = 0):
    """Train an MLP 2-32-32-1 with SGD, batch 32 -> (loss per epoch, lr per epoch, note)."""
    X, y = lr_data()
    rng = np.random.default_rng(seed)
    model = Sequential(Dense(2, 32, init="he", rng=rng), ReLU(), Dense(32, 32, init="he", rng=rng),
                       ReLU(), Dense(32, 1, rng=rng))
    try:
        h = fit(model, X, y, lr=lr, epochs=epochs, batch_size=32, rng=rng,
                lr_schedule=make_schedule(schedule, lr, epochs))
        return np.array(h["loss"]), np.array(h["lr"]), ""
    except TrainingDiverged as err:
        h = err.history
        return (np.array(h["loss"]) if "loss" in h else np.array([]),
                np.array(h["lr"]) if "lr" in h else np.array([]),
                f"diverged in epoch {h.stopped_epoch + 1}")


def render_learning_rate(lr: float = 0.3, schedule: str = "constant"):
    """Training loss per epoch for the chosen (lr, schedule) against three reference lrs."""
    fig = _figure(11, 3.8)
    ax, ax_lr = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.6, 1]})
    for (label, ref), color in zip(REFERENCE_LRS.items(), COLORS[1:3] + COLORS[4:5]):
        loss, _, note = lr_run(ref)
        text = f"lr = {ref:g} ({label})" + (f", {note}" if note else "")
        ax.plot(np.arange(1, len(loss) + 1), loss, color=color, lw=1, ls="--", label=text)
        if note and len(loss):
            ax.plot(len(loss), loss[-1], "x", color=color, ms=9)  # the last finite epoch
    loss, lrs, note = lr_run(float(lr), schedule)
    label = f"lr = {lr:.3g}, {schedule}" + (f": {note}" if note else "")
    if len(loss):
        ax.plot(np.arange(1, len(loss) + 1), loss, color=COLORS[0], lw=2.5, label=label)
    else:
        ax.plot([], [], color=COLORS[0], lw=2.5, label=label)
    _log_y(ax)
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (cross-entropy)")
    ax.set_title("SGD on two circles: too small, too large, just right")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    values = make_schedule(schedule, float(lr)).values(LR_EPOCHS)
    ax_lr.plot(np.arange(1, LR_EPOCHS + 1), values, color=COLORS[0], lw=2)
    _log_y(ax_lr)
    ax_lr.set_xlabel("epoch")
    ax_lr.set_ylabel("learning rate")
    ax_lr.set_title(f"schedule: {schedule}")
    ax_lr.grid(alpha=0.3)
    return fig


def render_schedules(lr0: float = 0.1, epochs: int = LR_EPOCHS):
    """Every schedule of dlkit.schedules, as used in this chapter, against the epoch."""
    fig = _figure(7, 3.8, left=0.1)
    ax = fig.subplots()
    e = np.arange(epochs)
    for name, color in zip(SCHEDULE_NAMES, COLORS):
        s = make_schedule(name, lr0, epochs)
        ax.plot(e, s.values(epochs), color=color, lw=2, label=repr(s), drawstyle="steps-post"
                if name == "step" else "default")
    ax.set_xlabel("epoch")
    ax.set_ylabel("learning rate")
    ax.set_title("Learning-rate schedules")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=7)
    return fig


# =========================================================================== 2-D surfaces
def _valley(w):
    x, y = w
    return x * x / 100 + y * y, np.array([x / 50, 2 * y])


def _rosenbrock(w):
    x, y = w
    return ((1 - x) ** 2 + 100 * (y - x * x) ** 2,
            np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]))


def _saddle(w):
    x, y = w
    return 0.5 * x * x - 0.5 * y * y + 0.25 * y ** 4, np.array([x, -y + y ** 3])


SURFACES = {
    "valley": {"fn": _valley, "start": (-4.5, 1.2), "xlim": (-5, 5), "ylim": (-2, 2),
               "minimum": (0.0, 0.0), "title": "elongated valley  x²/100 + y²", "steps": 200},
    "rosenbrock": {"fn": _rosenbrock, "start": (-1.2, 1.0), "xlim": (-2, 2), "ylim": (-1, 3),
                   "minimum": (1.0, 1.0), "title": "Rosenbrock  (1-x)² + 100(y-x²)²",
                   "steps": 1000},
    "saddle": {"fn": _saddle, "start": (1.8, 1e-3), "xlim": (-2, 2), "ylim": (-1.6, 1.6),
               "minimum": (0.0, 1.0), "title": "saddle  x²/2 - y²/2 + y⁴/4", "steps": 200},
}
OPTIMIZER_NAMES = ("sgd", "momentum", "rmsprop", "adam", "adagrad", "adadelta")
OPTIMIZER_LABELS = {"sgd": "SGD", "momentum": "Momentum", "rmsprop": "RMSprop",
                    "adam": "Adam", "adagrad": "Adagrad", "adadelta": "Adadelta"}
# A learning rate that suits each optimizer on each surface (for the overview figure).
GOOD_LR = {
    "valley": {"sgd": 0.5, "momentum": 1.0, "rmsprop": 0.05, "adam": 0.3, "adagrad": 1.0,
               "adadelta": 10.0},
    "rosenbrock": {"sgd": 1.5e-3, "momentum": 1e-2, "rmsprop": 1e-2, "adam": 0.1,
                   "adagrad": 1.0, "adadelta": 1.0},
    "saddle": {"sgd": 0.1, "momentum": 0.1, "rmsprop": 0.02, "adam": 0.1, "adagrad": 0.5,
               "adadelta": 5.0},
}


def make_optimizer(name: str, params, lr: float, beta: float = 0.9, beta2: float = 0.999):
    """One of the six optimizers; ``beta`` is Momentum's and RMSprop's beta, Adam's beta1
    and Adadelta's rho; ``beta2`` is Adam's."""
    if name == "sgd":
        return SGD(params, lr=lr)
    if name == "momentum":
        return Momentum(params, lr=lr, beta=beta)
    if name == "rmsprop":
        return RMSprop(params, lr=lr, beta=beta)
    if name == "adam":
        return Adam(params, lr=lr, beta1=beta, beta2=beta2)
    if name == "adagrad":
        return Adagrad(params, lr=lr)
    if name == "adadelta":
        return Adadelta(params, lr=lr, rho=beta)
    raise ValueError(f"optimizer must be one of {list(OPTIMIZER_NAMES)}, got {name!r}")


@lru_cache(maxsize=256)
def trajectory(surface: str, optimizer: str, lr: float, beta: float = 0.9,
               beta2: float = 0.999, steps: int = 200):
    """Run a dlkit optimizer on a 2-element Parameter -> (path (k, 2), losses (k,), note).

    The same ``step()`` code as for a network: the "network" is the point
    (x, y) and the "backward pass" writes the surface's gradient into .grad.
    Stops early (and says so) if the point leaves the plot by far or is no
    longer finite.
    """
    spec = SURFACES[surface]
    f = spec["fn"]
    p = Parameter(np.array(spec["start"], dtype=float), name="xy")
    opt = make_optimizer(optimizer, [p], lr, beta, beta2)
    path, losses = [p.value.copy()], [f(p.value)[0]]
    note = ""
    for k in range(steps):
        opt.zero_grad()
        p.grad += f(p.value)[1]
        opt.step()
        if not np.all(np.isfinite(p.value)) or np.abs(p.value).max() > 1e3:
            note = f"diverged at step {k + 1}"
            break
        path.append(p.value.copy())
        losses.append(f(p.value)[0])
    return np.array(path), np.array(losses), note


@lru_cache(maxsize=8)
def _surface_grid(surface: str, resolution: int = 120):
    spec = SURFACES[surface]
    xs = np.linspace(*spec["xlim"], resolution)
    ys = np.linspace(*spec["ylim"], resolution)
    xx, yy = np.meshgrid(xs, ys)
    zz = spec["fn"](np.array([xx, yy]))[0]
    return xx, yy, zz


def _draw_surface(ax, surface: str):
    spec = SURFACES[surface]
    xx, yy, zz = _surface_grid(surface)
    shifted = zz - zz.min() + 1e-3
    levels = np.geomspace(shifted.min() * 1.5, shifted.max(), 18)
    ax.contour(xx, yy, shifted, levels=levels, colors="0.6", linewidths=0.6)
    ax.plot(*spec["minimum"], "*", color=PALETTE["black"], ms=12, label="minimum")
    ax.plot(*spec["start"], "s", color=PALETTE["black"], ms=5)
    ax.set_xlim(*spec["xlim"])
    ax.set_ylim(*spec["ylim"])
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(spec["title"])


def render_trajectories(surface: str = "valley", optimizer: str = "adam", lr: float = 0.3,
                        beta: float = 0.9, beta2: float = 0.999, steps: int = 200):
    """The chosen optimizer's path on a 2-D surface, and f - f_min against the step."""
    fig = _figure(11, 4.0)
    ax, ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1]})
    _draw_surface(ax, surface)
    path, losses, note = trajectory(surface, optimizer, float(lr), float(beta), float(beta2),
                                    int(steps))
    label = f"{OPTIMIZER_LABELS[optimizer]} lr={lr:.3g}" + (f" ({note})" if note else "")
    ax.plot(path[:, 0], path[:, 1], "-o", color=COLORS[0], ms=2, lw=1.5, label=label)
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    f_min = SURFACES[surface]["fn"](np.array(SURFACES[surface]["minimum"]))[0]
    ax_loss.plot(np.arange(len(losses)), _log_floor(losses - f_min), color=COLORS[0], lw=2)
    _log_y(ax_loss)
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("f - f_min")
    ax_loss.set_title(f"final f - f_min = {losses[-1] - f_min:.2e}" + (f", {note}" if note
                                                                          else ""))
    ax_loss.grid(alpha=0.3)
    return fig


def render_all_trajectories(surface: str = "valley", steps: int | None = None):
    """All six optimizers on one surface, each with a learning rate that suits it there."""
    steps = SURFACES[surface]["steps"] if steps is None else steps
    fig = _figure(11, 4.0)
    ax, ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1]})
    _draw_surface(ax, surface)
    f_min = SURFACES[surface]["fn"](np.array(SURFACES[surface]["minimum"]))[0]
    for name, color in zip(OPTIMIZER_NAMES, COLORS):
        lr = GOOD_LR[surface][name]
        path, losses, note = trajectory(surface, name, lr, steps=steps)
        label = f"{OPTIMIZER_LABELS[name]} (lr={lr:g})" + (f" {note}" if note else "")
        ax.plot(path[:, 0], path[:, 1], "-", color=color, lw=1.5, label=label)
        ax_loss.plot(np.arange(len(losses)), _log_floor(losses - f_min), color=color, lw=1.5)
    ax.legend(frameon=False, fontsize=7, loc="lower right")
    _log_y(ax_loss)
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("f - f_min")
    ax_loss.set_title("distance to the minimum value")
    ax_loss.grid(alpha=0.3)
    return fig


# =========================================================================== real task
# The comparison task: an MLP 784-64-10 trained from scratch on 1,000 rendered shapes for
# 10 epochs, in float64. In float32 the last bits of one CPU's BLAS, amplified by training,
# change a few validation predictions; in float64 the same runs agree on every CPU family.
COMPARE_LR = {"sgd": 0.1, "momentum": 0.1, "rmsprop": 1e-3, "adam": 1e-3, "adagrad": 0.03,
              "adadelta": 1.0}
SWEEP_LRS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)
RACE_SEEDS = (0, 1, 2, 3, 4)
SWEEP_SEEDS = (0, 1, 2)
# A run diverged when its first epoch's mean loss is far above chance level (log 10 = 2.3,
# where every run starts): its first steps threw the weights uphill. On this task the runs
# that learn stay below 2.5 and the others start above 3.2. A diverged run is stopped there:
# it is counted, not scored (where it would end is chaotic, a matter of the last bits).
DIVERGED_LOSS = 3.0


class _StopIfDiverged(Callback):
    """Stop ``fit`` after the first epoch if its mean loss is above DIVERGED_LOSS."""

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0 and not logs["loss"] <= DIVERGED_LOSS:
            self.model.stop_training = True


@lru_cache(maxsize=2)
def _shapes_task(n: int, data_seed: int):
    """n rendered shapes to train on and 500 to validate on, flattened, float64."""
    from ..datasets.shapes import make_shapes

    X, y = make_shapes(n + 500, rng=np.random.default_rng(data_seed))
    X = X.reshape(len(X), -1)
    return X[:n], y[:n], X[n:], y[n:]


@lru_cache(maxsize=512)
def shapes_run(name: str, lr: float, seed: int, epochs: int = 10, n: int = 1000,
               data_seed: int = 230) -> dict:
    """Train the MLP 784-64-10 with one optimizer on the comparison task -> a dict.

    The data are the same for every seed; ``seed`` draws the initial weights and
    the mini-batch order, so two optimizers with the same seed start from the same
    weights and see the same batches. Returns "history" (the History of ``fit``),
    "diverged" (first epoch's mean loss above DIVERGED_LOSS, or not finite: the
    run is then stopped and its metrics are NaN), "train_loss" and
    "train_accuracy" (measured after training on the whole, clean training set,
    in eval mode) and "val_accuracy" (500 held-out images).
    """
    X, y, X_val, y_val = _shapes_task(n, data_seed)
    rng = np.random.default_rng(seed)
    model = Sequential(Dense(784, 64, init="he", rng=rng), ReLU(), Dense(64, 10, rng=rng))
    opt = make_optimizer(name, model.parameters(), lr)
    diverged = {"diverged": True, "train_loss": np.nan, "train_accuracy": np.nan,
                "val_accuracy": np.nan}
    try:
        history = fit(model, X, y, loss="softmax_cross_entropy", optimizer=opt, epochs=epochs,
                      batch_size=32, rng=rng, validation_data=(X_val, y_val),
                      callbacks=[_StopIfDiverged()])
    except TrainingDiverged as err:
        return {"history": err.history, **diverged}
    if not history["loss"][0] <= DIVERGED_LOSS:
        return {"history": history, **diverged}
    train_loss, train_accuracy = evaluate(model, X, y, loss="softmax_cross_entropy")
    return {"history": history, "diverged": False, "train_loss": float(train_loss),
            "train_accuracy": float(train_accuracy),
            "val_accuracy": float(history["val_accuracy"][-1])}


def compare_optimizers(seeds=RACE_SEEDS, epochs: int = 10, n: int = 1000) -> dict:
    """Every optimizer at its usual learning rate (COMPARE_LR), one run per seed ->
    {name: [shapes_run dict per seed]}."""
    return {name: [shapes_run(name, COMPARE_LR[name], seed, epochs, n) for seed in seeds]
            for name in OPTIMIZER_NAMES}


def lr_sweep(names=("sgd", "adam"), lrs=SWEEP_LRS, seeds=SWEEP_SEEDS, epochs: int = 10,
             n: int = 1000) -> dict:
    """The comparison task over a grid of learning rates -> {name: [[shapes_run dict per
    seed] per lr]}."""
    return {name: [[shapes_run(name, lr, seed, epochs, n) for seed in seeds] for lr in lrs]
            for name in names}


def mean_std(values, percent: bool = True) -> str:
    """'92.8% ± 1.4%' (percent) or '0.168 ± 0.028': the mean and the standard deviation."""
    values = np.asarray(values, dtype=float)
    if percent:
        return f"{values.mean():.1%} ± {values.std():.1%}"
    return f"{values.mean():.3f} ± {values.std():.3f}"


def seed_summary(runs, key: str = "val_accuracy") -> str:
    """One cell of a table over seeds: 'diverged in k of S' if any run diverged, else the
    mean ± std of ``key``."""
    diverged = sum(run["diverged"] for run in runs)
    if diverged:
        return f"diverged in {diverged} of {len(runs)}"
    return mean_std([run[key] for run in runs], percent=key != "train_loss")


def working_lrs(runs_per_lr, lrs=SWEEP_LRS, target: float = 0.9) -> list:
    """The learning rates at which no seed diverged and the mean validation accuracy
    reaches ``target``."""
    return [lr for lr, runs in zip(lrs, runs_per_lr)
            if not any(run["diverged"] for run in runs)
            and np.mean([run["val_accuracy"] for run in runs]) >= target]


def render_optimizer_comparison(races):
    """Training loss and validation accuracy per epoch, the mean over seeds of each
    optimizer (from ``compare_optimizers``)."""
    fig = _figure(11, 3.8)
    ax_l, ax_a = fig.subplots(1, 2)
    for (name, runs), color in zip(races.items(), COLORS):
        loss = np.mean([run["history"]["loss"] for run in runs], axis=0)
        val = np.mean([run["history"]["val_accuracy"] for run in runs], axis=0)
        e = np.arange(1, len(loss) + 1)
        label = f"{OPTIMIZER_LABELS[name]} (lr={COMPARE_LR[name]:g})"
        ax_l.plot(e, loss, color=color, lw=2, label=label)
        ax_a.plot(e, val, color=color, lw=2, label=label)
    _log_y(ax_l)
    ax_l.set_ylabel("training loss (epoch mean)")
    ax_l.set_title(f"Six optimizers, same weights and batches ({len(runs)} seeds)")
    ax_a.set_ylabel("validation accuracy")
    ax_a.set_title("10 shape classes, 1,000 training images")
    for ax in (ax_l, ax_a):
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    ax_a.legend(frameon=False, fontsize=8)
    return fig


# =========================================================================== transfer
TRANSFER_SIZES = (50, 1000, 5000)
TRANSFER_SEEDS = (0, 1, 2)
STRATEGY_LABELS = {"scratch": "from scratch", "freeze_all": "freeze all, train softmax",
                   "freeze_most": "freeze most, train last layers",
                   "fine_tune": "fine-tune everything"}


@lru_cache(maxsize=4)
def target_data(pool: int = 5000, n_test: int = 1000, seed: int = 230):
    """(X_pool, y_pool, X_test, y_test) of the transfer target task (flattened).

    float64, so every model trained on them is float64: in float32 the last bits
    of one CPU's BLAS, amplified by training, move a test prediction or two.
    """
    from ..transfer import make_target

    rng = np.random.default_rng(seed)
    X_test, y_test = make_target(n_test, rng, dtype=np.float64)
    X, y = make_target(pool, rng, dtype=np.float64)
    return X, y, X_test, y_test


@lru_cache(maxsize=256)
def transfer_result(n: int, strategy: str, seed: int = 0, pool: int = 5000,
                    n_test: int = 1000, budget: int = 30_000) -> dict:
    """Train ``strategy`` on the first n examples of a seeded shuffle of the pool."""
    from ..transfer import run_transfer

    X, y, X_test, y_test = target_data(pool, n_test)
    if n > len(X):
        raise ValueError(f"n must be <= the pool size {len(X)}, got {n}")
    rng = np.random.default_rng([seed, n])
    idx = rng.permutation(len(X))[:n]
    return run_transfer(strategy, X[idx], y[idx], X_test, y_test, rng=rng, budget=budget)


def transfer_accuracies(sizes=TRANSFER_SIZES, strategies=None, seeds=TRANSFER_SEEDS,
                        **kw) -> dict:
    """{(n, strategy): array of test accuracies, one per seed}."""
    from ..transfer import STRATEGIES

    strategies = STRATEGIES if strategies is None else strategies
    return {(n, s): np.array([transfer_result(n, s, seed, **kw)["accuracy"] for seed in seeds])
            for n in sizes for s in strategies}


def transfer_table(sizes=TRANSFER_SIZES, strategies=None, seeds=TRANSFER_SEEDS, **kw):
    """{(n, strategy): (mean test accuracy, std over seeds)}."""
    accs = transfer_accuracies(sizes, strategies, seeds, **kw)
    return {key: (float(a.mean()), float(a.std())) for key, a in accs.items()}


def best_counts(accs: dict, n: int, strategies) -> dict:
    """{strategy: in how many seeds it has the best test accuracy at size n} (a tie counts
    for each of the tied strategies)."""
    per_seed = np.array([accs[(n, s)] for s in strategies])      # (strategies, seeds)
    best = per_seed == per_seed.max(axis=0)
    return {s: int(k) for s, k in zip(strategies, best.sum(axis=1))}


def render_transfer(n: int = 50, strategy: str = "freeze_all", sizes=TRANSFER_SIZES,
                    seeds=(0,), **kw):
    """Test accuracy against the training-set size for every strategy, and predictions of
    the chosen (n, strategy) model on 12 test images."""
    from ..datasets.shapes import SHAPES
    from ..transfer import STRATEGIES

    fig = new_figure(12, 4.2, layout=None)
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.13, top=0.9, wspace=0.15)
    gs = fig.add_gridspec(3, 8)
    ax = fig.add_subplot(gs[:, :4])
    table = transfer_table(sizes, STRATEGIES, seeds, **kw)
    for s, color in zip(STRATEGIES, COLORS):
        means = [table[(m, s)][0] for m in sizes]
        ax.plot(sizes, means, "-o", color=color, lw=2.5 if s == strategy else 1.2,
                label=STRATEGY_LABELS[s])
    ax.plot([n], [table[(n, strategy)][0]], "o", ms=14, mfc="none", color=PALETTE["black"])
    _log_x(ax)
    ax.set_xticks(list(sizes), [f"{m:,}" for m in sizes])   # label the sizes actually trained
    ax.set_xlabel("target training examples (10 classes)")
    ax.set_ylabel("test accuracy")
    ax.set_title("Transfer to shapes at 70% scale")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    result = transfer_result(n, strategy, seeds[0], **kw)
    X, y, X_test, y_test = target_data(kw.get("pool", 5000), kw.get("n_test", 1000))
    pred = result["model"].predict(X_test[:12]).argmax(axis=1)
    # the 12 test images as ONE 3 x 4 mosaic in one axes: 12 axes would double the redraw time
    size, gap = 28, 10
    mosaic = np.zeros((3 * (size + gap), 4 * (size + gap)))
    ax_img = fig.add_subplot(gs[:, 4:])
    for i in range(12):
        r, c = divmod(i, 4)
        top, left = r * (size + gap) + gap, c * (size + gap) + gap // 2
        mosaic[top:top + size, left:left + size] = X_test[i].reshape(size, size)
        ok = pred[i] == y_test[i]
        ax_img.text(left + size / 2, top - 1.5, SHAPES[pred[i]], ha="center", va="bottom",
                    fontsize=8, color=PALETTE["black"] if ok else PALETTE["vermillion"])
    ax_img.imshow(mosaic, cmap="gray_r", vmin=0, vmax=1)
    ax_img.set_axis_off()
    fig.text(0.75, 0.95, f"{STRATEGY_LABELS[strategy]}, n = {n}: test accuracy "
             f"{result['accuracy']:.1%} (predictions; red = wrong)", ha="center", fontsize=9)
    return fig


def render_transfer_data(k: int = 8):
    """Source images (what the network was pretrained on) above target images (70% scale)."""
    from ..datasets.shapes import SHAPES, make_shapes
    from ..transfer import make_target

    rng = np.random.default_rng(1)
    src, ys = make_shapes(k, rng=rng, rotate=30.0, jitter=0.12)
    tgt, yt = make_target(k, rng)
    fig = new_figure(k * 1.1, 2.6)
    axes = fig.subplots(2, k)
    for i in range(k):
        for row, (img, lab) in enumerate([(src[i], ys[i]), (tgt[i].reshape(28, 28), yt[i])]):
            a = axes[row, i]
            a.imshow(img, cmap="gray_r", vmin=0, vmax=1)
            a.set_xticks([])
            a.set_yticks([])
            a.set_title(SHAPES[lab], fontsize=8)
    axes[0, 0].set_ylabel("source", fontsize=9)
    axes[1, 0].set_ylabel("target", fontsize=9)
    return fig


def message_figure(text: str):
    fig = new_figure(4, 2)
    message_axes(fig.subplots(), text)
    return fig
