"""Figures of chapter 01, "Data processing": the augmentation table, one widget per op, batch norm."""

from __future__ import annotations

import textwrap
from functools import lru_cache

import numpy as np

from .. import augment as A
from ..activations import ReLU
from ..batchnorm import BatchNorm
from ..datasets.images import load_digits, load_photo
from ..datasets.shapes import render as render_shapes
from ..dense import Dense
from ..initializers import normal
from ..plotting import PALETTE, TRAIN_COLOR, VAL_COLOR, message_axes, new_figure
from ..sequential import Sequential
from ..training import TrainingDiverged, evaluate, fit

#: The sheet's augmentation table: each technique and its one-line explanations.
SHEET_TABLE = [
    ("Original", ["Image without any modification"]),
    ("Flip", ["Flipped with respect to an axis for which the meaning of the image is preserved"]),
    ("Rotation", ["Rotation with a slight angle", "Simulates incorrect horizon calibration"]),
    ("Random crop", ["Random focus on one part of the image",
                     "Several random crops can be done in a row"]),
    ("Color shift", ["Nuances of RGB is slightly changed",
                     "Captures noise that can occur with light exposure"]),
    ("Noise addition", ["Addition of noise", "More tolerance to quality variation of inputs"]),
    ("Information loss", ["Parts of image ignored", "Mimics potential loss of parts of image"]),
    ("Contrast change", ["Luminosity changes",
                         "Controls difference in exposition due to time of day"]),
]

#: The parameters of the table's panels (all explicit: rerun with another seed to redraw).
TABLE_PARAMS = {
    "Flip": "axis='horizontal'",
    "Rotation": "angle=12°, fill='reflect'",
    "Random crop": "size=60 %, resized back",
    "Color shift": "shift=(+0.12, 0, -0.10)",
    "Noise addition": "std=0.08",
    "Information loss": "k=4 patches of 20 %",
    "Contrast change": "contrast=0.6, brightness=0.75",
}

WIDGET_SIDE = 160   # the photo's longer side in the widgets: each redraw stays fast


@lru_cache(maxsize=4)
def photo(max_side: int = WIDGET_SIDE) -> np.ndarray:
    """The photo (uint8, (H, W, 3)), downscaled and cached; read-only."""
    img = load_photo(max_side)
    img.setflags(write=False)
    return img


def table_images(seed: int = 0, max_side: int = 200) -> list[tuple[str, np.ndarray]]:
    """[(technique, image)] for the sheet's 8 panels, with TABLE_PARAMS, drawn with ``seed``."""
    img = photo(max_side)
    h, w, _ = img.shape
    rng = np.random.default_rng(seed)
    crop = (int(0.6 * h), int(0.6 * w))
    patch = (int(0.2 * h), int(0.2 * w))
    return [
        ("Original", img),
        ("Flip", A.flip(img, "horizontal")),
        ("Rotation", A.rotate(img, 12, fill="reflect")),
        ("Random crop", A.random_crop(img, crop, rng, resize=True)),
        ("Color shift", A.color_shift(img, (0.12, 0.0, -0.10))),
        ("Noise addition", A.add_noise(img, 0.08, rng)),
        ("Information loss", A.information_loss(img, 4, patch, rng)),
        ("Contrast change", A.adjust_contrast(img, 0.6, 0.75)),
    ]


def _mosaic(images, gap: int = 4) -> tuple[np.ndarray, list[float]]:
    """Images of equal height side by side on white, as one uint8 image (one axes draws
    faster than many); returns it and the x centre of each tile."""
    h = max(im.shape[0] for im in images)
    tiles, centres, x = [], [], 0
    for i, im in enumerate(images):
        im = im if im.dtype == np.uint8 else np.clip(np.rint(im * 255), 0, 255).astype(np.uint8)
        if im.shape[-1] == 1:
            im = np.repeat(im, 3, axis=-1)
        pad = np.full((h - im.shape[0], im.shape[1], 3), 255, np.uint8)
        tiles.append(np.concatenate([im, pad]))
        centres.append(x + (im.shape[1] - 1) / 2)
        x += im.shape[1]
        if i < len(images) - 1:
            tiles.append(np.full((h, gap, 3), 255, np.uint8))
            x += gap
    return np.concatenate(tiles, axis=1), centres


def _show(ax, img, title: str | None = None, fontsize: float = 10) -> None:
    ax.imshow(img, cmap="gray" if img.ndim == 2 or img.shape[-1] == 1 else None,
              vmin=0, vmax=255 if img.dtype == np.uint8 else 1, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=fontsize)


def render_augmentation_table(seed: int = 0):
    """The sheet's table on a real photograph: the original and the 7 techniques, 2 x 4."""
    fig = new_figure(12.0, 7.4, dpi=80)
    axes = fig.subplots(2, 4)
    explain = dict(SHEET_TABLE)
    for ax, (name, img) in zip(axes.ravel(), table_images(seed)):
        _show(ax, img, name, fontsize=12)
        lines = [textwrap.fill("• " + e, 34) for e in explain[name]]
        if name in TABLE_PARAMS:
            lines.append(f"[{TABLE_PARAMS[name]}]")
        ax.set_xlabel("\n".join(lines), fontsize=8.5, loc="left")
    fig.suptitle("Data augmentation, the sheet's table (photo: Grace Hopper, U.S. Navy, "
                 "public domain)", fontsize=12)
    return fig


# -- one widget per op ---------------------------------------------------------------
def _pair(original, augmented, title: str, n_extra: int = 0, width: float = 7.2):
    """A fast figure (no constrained layout): original | augmented [| extra panels]."""
    fig = new_figure(width, 3.3, layout=None)
    axes = fig.subplots(1, 2 + n_extra)
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.12, top=0.82, wspace=0.08)
    _show(axes[0], original, "original")
    _show(axes[1], augmented, title)
    return fig, axes


@lru_cache(maxsize=2)
def _letter(name: str = "b", size: int = 56) -> np.ndarray:
    return render_shapes([name], size=size, rng=np.random.default_rng(0), rotate=0.0,
                         jitter=0.0)[0][..., None]


def render_flip(axis: str = "horizontal"):
    """Photo and the letter b, before and after a flip about ``axis``."""
    img = photo()
    letter = _letter("b")
    fig, axes = _pair(img, A.flip(img, axis), f"flip(axis='{axis}')", n_extra=2, width=9.6)
    reads = {"horizontal": "d", "vertical": "p"}[axis]
    _show(axes[2], letter, "the letter b")
    _show(axes[3], A.flip(letter, axis), f"flipped: now reads '{reads}'")
    axes[3].set_xlabel("the label changed!", color=PALETTE["vermillion"])
    axes[1].set_xlabel("still the same person", color=PALETTE["green"])
    return fig


def render_rotation(angle: float = 15.0, fill: str = "constant"):
    """The photo rotated by ``angle`` degrees (counter-clockwise), corners filled by ``fill``."""
    img = photo()
    fig, _ = _pair(img, A.rotate(img, angle, fill=fill), f"rotate({angle:g}°, fill='{fill}')")
    return fig


def crop_positions(shape, size: int, count: int, seed: int) -> np.ndarray:
    """(count, 2) (top, left) of ``random_crops`` on an image of ``shape`` with this seed."""
    h, w = shape[:2]
    rng = np.random.default_rng(seed)
    return rng.integers(0, np.array([h - size + 1, w - size + 1]), size=(count, 2))


def render_random_crop(size: int = 96, count: int = 3, resize: bool = False, seed: int = 0):
    """``count`` random crops of ``size`` x ``size`` in a row, and where they came from."""
    img = photo()
    size = min(size, *img.shape[:2])
    crops = A.random_crops(img, size, count, np.random.default_rng(seed), resize=resize)
    pos = crop_positions(img.shape, size, count, seed)
    fig = new_figure(2.2 + 2.2 * count, 3.3, layout=None)
    ax0, ax1 = fig.subplots(1, 2, width_ratios=[1, count])
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.12, top=0.85, wspace=0.06)
    _show(ax0, img, "original and the crops", fontsize=9)
    colors = [PALETTE[c] for c in ("orange", "sky", "green", "yellow", "purple", "vermillion")]
    from matplotlib.patches import Rectangle

    for i, (top, left) in enumerate(pos):
        ax0.add_patch(Rectangle((left - 0.5, top - 0.5), size, size, fill=False,
                                edgecolor=colors[i % len(colors)], linewidth=2))
    tiles, centres = _mosaic(list(crops), gap=max(2, crops.shape[2] // 20))
    _show(ax1, tiles)
    ax1.set_xlabel(f"{count} random crops of {size} x {size} px"
                   + (", resized back" if resize else ""), fontsize=9)
    for i, xc in enumerate(centres):
        ax1.text(xc, -0.02 * tiles.shape[0], f"crop {i + 1}", ha="center", va="bottom",
                 fontsize=8, color=colors[i % len(colors)], fontweight="bold")
    return fig


def render_color_shift(red: float = 0.1, green: float = 0.0, blue: float = -0.1):
    """Per-channel shift of the RGB values, and the channel means before and after."""
    img = photo()
    out = A.color_shift(img, (red, green, blue))
    fig, axes = _pair(img, out, f"shift=({red:+.2f}, {green:+.2f}, {blue:+.2f})", n_extra=1,
                      width=9.0)
    ax = axes[2]
    before = img.reshape(-1, 3).mean(axis=0) / 255
    after = out.reshape(-1, 3).mean(axis=0) / 255
    x = np.arange(3)
    ax.bar(x - 0.2, before, 0.4, color=PALETTE["black"], alpha=0.35, label="original")
    ax.bar(x + 0.2, after, 0.4, color=[PALETTE["vermillion"], PALETTE["green"], PALETTE["blue"]],
           label="shifted")
    ax.set_xticks(x, ["R", "G", "B"])
    ax.set_ylim(0, 1)
    ax.set_ylabel("mean value (0..1)")
    ax.set_title("channel means", fontsize=10)
    ax.legend(frameon=False, fontsize=8, loc="upper right")
    fig.subplots_adjust(wspace=0.25)
    return fig


def render_noise(std: float = 0.1, seed: int = 0):
    """Gaussian noise of standard deviation ``std`` (in units of the full range)."""
    img = photo()
    out = A.add_noise(img, std, np.random.default_rng(seed))
    fig, _ = _pair(img, out, f"add_noise(std={std:.2f})")
    return fig


def render_information_loss(k: int = 3, size: int = 30, seed: int = 0):
    """``k`` random patches of ``size`` x ``size`` pixels blanked."""
    img = photo()
    size = min(size, *img.shape[:2])
    out = A.information_loss(img, k, size, np.random.default_rng(seed))
    fig, _ = _pair(img, out, f"information_loss(k={k}, size={size})")
    return fig


def render_contrast(contrast: float = 1.5, brightness: float = 1.0):
    """Contrast and brightness factors, and what they do to the histogram of intensities."""
    img = photo()
    out = A.adjust_contrast(img, contrast, brightness)
    fig, axes = _pair(img, out, f"contrast={contrast:.2f}, brightness={brightness:.2f}",
                      n_extra=1, width=9.0)
    ax = axes[2]
    bins = np.linspace(0, 255, 33)
    ax.hist(img.mean(axis=2).ravel(), bins=bins, color=PALETTE["black"], alpha=0.35,
            label="original")
    ax.hist(out.mean(axis=2).ravel(), bins=bins, histtype="step", linewidth=2,
            color=PALETTE["vermillion"], label="adjusted")
    ax.set_xlabel("grey level (0..255)")
    ax.set_ylabel("pixels")
    ax.set_title("intensity histogram", fontsize=10)
    ax.legend(frameon=False, fontsize=8)
    fig.subplots_adjust(wspace=0.25, bottom=0.18)
    return fig


def example_pipeline(p: float = 0.5) -> A.Pipeline:
    """All seven ops, each applied with probability p and parameters drawn from ranges."""
    return A.Pipeline([
        (A.Flip("horizontal"), p),
        (A.Rotate((-15, 15), fill="reflect"), p),
        (A.RandomCrop(0.7, resize=True), p),
        (A.ColorShift((-0.1, 0.1)), p),
        (A.AddNoise((0.0, 0.08)), p),
        (A.InformationLoss((1, 3), 0.15), p),
        (A.AdjustContrast((0.6, 1.4), (0.7, 1.3)), p),
    ])


def render_pipeline(p: float = 0.5, seed: int = 0):
    """Eight draws of the example pipeline on the photo: what a network sees at each epoch."""
    img = photo(120)
    batch = np.repeat(img[None], 8, axis=0)
    out = example_pipeline(p)(batch, np.random.default_rng(seed))
    fig = new_figure(9.6, 2.1, layout=None)
    ax = fig.subplots()
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.8)
    tiles, _ = _mosaic(list(out), gap=3)
    _show(ax, tiles)
    ax.set_title(f"8 draws of the pipeline of the 7 ops, each with probability p = {p:.2f} "
                 f"(seed {seed})", fontsize=10)
    return fig


# -- experiments ---------------------------------------------------------------------
def render_flip_lesson(results: dict[str, tuple[float, float]], chance: dict[str, float]):
    """Test accuracy without / with horizontal-flip augmentation, one pair of bars per data set."""
    fig = new_figure(6.4, 3.6)
    ax = fig.subplots()
    names = list(results)
    x = np.arange(len(names))
    plain = [results[n][0] for n in names]
    flipped = [results[n][1] for n in names]
    ax.bar(x - 0.2, plain, 0.4, color=PALETTE["blue"], label="no augmentation")
    ax.bar(x + 0.2, flipped, 0.4, color=PALETTE["orange"], label="horizontal flips, p = 0.5")
    for i, n in enumerate(names):
        ax.hlines(chance[n], i - 0.42, i + 0.42, colors=PALETTE["black"], linestyles=":")
        for dx, v in ((-0.2, plain[i]), (0.2, flipped[i])):
            ax.text(i + dx, v + 0.015, f"{v:.2f}", ha="center", fontsize=9)
    ax.set_xticks(x, names)
    ax.set_ylim(0, 1.15)
    ax.set_ylabel("test accuracy")
    ax.set_title("Flip only along an axis that keeps the label (dotted: chance)")
    ax.legend(frameon=False, loc="upper left", fontsize=9)
    return fig


def render_overfitting(runs: dict):
    """Accuracy against epochs, one panel per condition, mean over seeds (band: min to max).

    runs: {name: [(history, records), ...]}, one pair per seed; ``records`` is an array
    (K, 3) of (epoch, accuracy on the clean training data, validation accuracy), and
    ``history["accuracy"]`` what fit logs (the mini-batches as trained on, augmented or not).
    """
    fig = new_figure(9.6, 3.6)
    axes = np.atleast_1d(fig.subplots(1, len(runs), sharey=True))
    for ax, (name, seed_runs) in zip(axes, runs.items()):
        records = np.stack([rec for _, rec in seed_runs])          # (S, K, 3)
        epochs = records[0, :, 0]
        for col, color, style, label in ((1, TRAIN_COLOR, "-", "training (clean digits)"),
                                         (2, VAL_COLOR, "--", "validation")):
            acc = records[:, :, col]
            ax.plot(epochs, acc.mean(axis=0), color=color, linestyle=style, label=label)
            ax.fill_between(epochs, acc.min(axis=0), acc.max(axis=0), color=color, alpha=0.15)
        logged = np.mean([h["accuracy"] for h, _ in seed_runs], axis=0)
        ax.plot(np.arange(1, logged.size + 1), logged, color=PALETTE["black"], linestyle=":",
                linewidth=1, label="training, as logged by fit (batches seen)")
        gap = np.mean(records[:, -1, 1] - records[:, -1, 2])
        ax.set_title(f"{name}: final gap {gap:.3f} (mean of {len(seed_runs)} seeds)",
                     fontsize=10)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("accuracy")
    axes[0].legend(frameon=False, loc="lower right", fontsize=8)
    return fig


def render_bn_grid(tables: dict[str, np.ndarray], lrs, scales):
    """Heat maps of validation accuracy over learning rate x init scale; NaN = diverged."""
    fig = new_figure(4.4 * len(tables), 3.6)
    axes = np.atleast_1d(fig.subplots(1, len(tables)))
    for ax, (name, table) in zip(axes, tables.items()):
        shown = np.where(np.isnan(table), 0.0, table)
        im = ax.imshow(shown, vmin=0, vmax=1, cmap="viridis", origin="lower", aspect="auto")
        for i in range(table.shape[0]):
            for j in range(table.shape[1]):
                v = table[i, j]
                text = "diverged" if np.isnan(v) else f"{v:.2f}"
                ax.text(j, i, text, ha="center", va="center", fontsize=9,
                        color="white" if (np.isnan(v) or v < 0.6) else "black")
        ax.set_xticks(range(len(lrs)), [f"{v:g}" for v in lrs])
        ax.set_yticks(range(len(scales)), [f"{v:g}" for v in scales])
        ax.set_xlabel("learning rate")
        ax.set_ylabel("init scale (x He std)")
        ax.set_title(name)
    fig.colorbar(im, ax=list(axes), label="validation accuracy", shrink=0.9)
    return fig


# -- batch norm -------------------------------------------------------------------------
def bn_mlp(batchnorm: bool, init_scale: float, rng: np.random.Generator, depth: int = 3,
           width: int = 64, n_in: int = 784, n_out: int = 10) -> Sequential:
    """Dense -> [BatchNorm] -> ReLU, ``depth`` times, then a Dense output layer.

    Hidden weights start as N(0, (init_scale * He std)^2), He std = sqrt(2 / fan_in): scale 1
    is the well-tuned He initialization, 0.1 and 10 are badly scaled ones. The output layer
    keeps its default Xavier initialization.
    """
    def init(shape, rng):
        return normal(shape, rng, std=init_scale * np.sqrt(2.0 / shape[0]))

    layers, d = [], n_in
    for _ in range(depth):
        layers.append(Dense(d, width, init=init, rng=rng))
        if batchnorm:
            layers.append(BatchNorm(width))
        layers.append(ReLU())
        d = width
    layers.append(Dense(d, n_out, rng=rng))
    return Sequential(*layers)


@lru_cache(maxsize=1)
def digits_flat(n_train: int = 1000, n_val: int = 1000):
    """(X_train, y_train, X_val, y_val): MNIST digits as (N, 784) rows in [0, 1]."""
    X, y = load_digits()
    X = X.reshape(len(X), -1)
    return X[:n_train], y[:n_train], X[-n_val:], y[-n_val:]


def train_bn(batchnorm: bool, lr: float, init_scale: float, epochs: int = 5, seed: int = 0,
             n_train: int = 1000, n_val: int = 1000):
    """Train bn_mlp on digits with SGD (batches of 50).

    Returns (history, validation accuracy after the last epoch, or None if training
    diverged: ``fit`` raised TrainingDiverged because the loss was no longer finite).
    """
    Xtr, ytr, Xva, yva = digits_flat()
    rng = np.random.default_rng(seed)
    model = bn_mlp(batchnorm, init_scale, rng)
    try:
        history = fit(model, Xtr[:n_train], ytr[:n_train], loss="softmax_cross_entropy", lr=lr,
                      epochs=epochs, batch_size=50, rng=rng)
    except TrainingDiverged as err:
        return err.history, None
    return history, evaluate(model, Xva[:n_val], yva[:n_val], "softmax_cross_entropy")[1]


def bn_grid(lrs, scales, seeds, epochs: int = 5) -> dict[bool, np.ndarray]:
    """Validation accuracy of ``train_bn`` over a grid, without and with batch norm.

    Returns {batchnorm: array (len(seeds), len(scales), len(lrs))}, NaN where training
    diverged.
    """
    grid = {}
    for batchnorm in (False, True):
        acc = np.full((len(seeds), len(scales), len(lrs)), np.nan)
        for k, seed in enumerate(seeds):
            for i, scale in enumerate(scales):
                for j, lr in enumerate(lrs):
                    _, value = train_bn(batchnorm, lr, scale, epochs=epochs, seed=seed)
                    acc[k, i, j] = np.nan if value is None else value
        grid[batchnorm] = acc
    return grid


def mean_over_seeds(acc: np.ndarray) -> np.ndarray:
    """acc: (S, ...) with NaN for diverged runs -> the mean of the runs that finished,
    NaN where every seed diverged. (..., like acc without its first axis.)"""
    finished = ~np.isnan(acc)
    count = finished.sum(axis=0)
    total = np.where(finished, acc, 0.0).sum(axis=0)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


@lru_cache(maxsize=64)
def _bn_runs(lr: float, init_scale: float):
    return {bn: train_bn(bn, lr, init_scale, epochs=3, n_train=400, n_val=500)
            for bn in (False, True)}


def render_batchnorm(lr: float = 0.1, init_scale: float = 1.0):
    """Training loss per iteration without and with batch norm, at this lr and init scale."""
    runs = _bn_runs(float(lr), float(init_scale))
    fig = new_figure(7.2, 3.6, layout=None)
    ax = fig.subplots()
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.15, top=0.88)
    notes = []
    for bn, color, name in ((False, PALETTE["blue"], "without batch norm"),
                            (True, PALETTE["orange"], "with batch norm")):
        history, acc = runs[bn]
        loss = np.asarray(history.batch_loss)
        if loss.size:
            ax.plot(np.arange(1, loss.size + 1), loss, color=color,
                    label=f"{name}: " + ("diverged" if acc is None else f"val acc {acc:.2f}"))
        if acc is None:
            notes.append(f"{name}: diverged (loss not finite)")
    if not ax.lines:
        message_axes(ax, "\n".join(notes))
    else:
        ax.set_yscale("log")
        ax.set_xlabel("iteration")
        ax.set_ylabel("training loss (mini-batch)")
        ax.grid(alpha=0.3)
        ax.legend(frameon=False, fontsize=9)
        if notes:
            ax.text(0.02, 0.04, "\n".join(notes), transform=ax.transAxes,
                    color=PALETTE["vermillion"], fontsize=9)
    ax.set_title(f"lr = {lr:g}, init scale = {init_scale:g} x He")
    return fig
