"""Plotting helpers: decision boundaries, loss curves, figures as PNG.

Figures are built with ``matplotlib.figure.Figure`` directly, not pyplot: no
global figure state, nothing shown twice in a notebook, safe in widget
callbacks. Colours come from the Okabe-Ito palette, safe for colour-blind
readers.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

# Okabe & Ito (2008), "Color Universal Design"
PALETTE = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
    "sky": "#56B4E9", "purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000",
}
CLASS_COLORS = [PALETTE[c] for c in ("blue", "orange", "green", "purple", "sky", "vermillion")]
TRAIN_COLOR, VAL_COLOR = PALETTE["blue"], PALETTE["vermillion"]


def new_figure(width: float = 6.4, height: float = 4.0, dpi: int = 100,
               layout: str | None = "constrained") -> Figure:
    """A standalone Figure (not registered with pyplot).

    The constrained layout places labels well but costs ~0.1 s per draw; figures
    redrawn by a slider can pass ``layout=None`` and ``fig.subplots_adjust(...)``.
    """
    return Figure(figsize=(width, height), dpi=dpi, layout=layout)


def figure_to_png(fig: Figure, dpi: int | None = None) -> bytes:
    """Render a Figure to PNG bytes (for widgets.Image, files, tests)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi if dpi is not None else fig.dpi)
    return buf.getvalue()


def plot_points(ax, X, y, *, alpha: float = 0.9, size: float = 14, marker: str = "o",
                edge: str = "white", label_prefix: str = "class ") -> None:
    """Scatter 2-D points coloured by integer class."""
    y = np.asarray(y).reshape(-1).astype(int)
    for c in np.unique(y):
        m = y == c
        ax.scatter(X[m, 0], X[m, 1], s=size, c=CLASS_COLORS[c % len(CLASS_COLORS)],
                   marker=marker, edgecolors=edge, linewidths=0.4, alpha=alpha,
                   label=f"{label_prefix}{c}")


def grid_for(X, resolution: int = 100, margin: float = 0.5):
    """A (resolution x resolution) grid covering the points: xx, yy, and its points (R*R, 2)."""
    lo = X.min(axis=0) - margin
    hi = X.max(axis=0) + margin
    xs = np.linspace(lo[0], hi[0], resolution)
    ys = np.linspace(lo[1], hi[1], resolution)
    xx, yy = np.meshgrid(xs, ys)
    return xx, yy, np.c_[xx.ravel(), yy.ravel()]


def plot_decision_boundary(ax, model, X, y, *, resolution: int = 100, title: str | None = None,
                           grid=None) -> None:
    """Shade the plane by the model's predicted class and scatter the data on top.

    ``model`` is a Sequential (its ``predict`` is used) or a function
    points (M, 2) -> logits (M,), (M, 1) or (M, C).
    """
    xx, yy, pts = grid if grid is not None else grid_for(X, resolution)
    predict = model.predict if hasattr(model, "predict") else model
    z = np.asarray(predict(pts))
    n_classes = max(2, int(np.max(y)) + 1)
    if z.ndim == 2 and z.shape[1] > 1:
        cls = np.argmax(z, axis=1)
    else:
        cls = (z.reshape(-1) > 0).astype(int)
    cmap = ListedColormap(CLASS_COLORS[:n_classes])
    # imshow of the class grid: much faster to draw than contourf, same picture
    ax.imshow(cls.reshape(xx.shape), origin="lower", cmap=cmap, alpha=0.25, vmin=-0.5,
              vmax=n_classes - 0.5, extent=(xx.min(), xx.max(), yy.min(), yy.max()),
              aspect="auto", interpolation="nearest")
    if z.ndim == 1 or z.shape[1] == 1:
        ax.contour(xx, yy, z.reshape(xx.shape), levels=[0.0], colors="k", linewidths=1.0)
    plot_points(ax, X, y)
    ax.set_xlim(xx.min(), xx.max())
    ax.set_ylim(yy.min(), yy.max())
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    if title:
        ax.set_title(title)


def plot_loss_curves(ax, history, *, keys=("loss", "val_loss"), title: str | None = "Loss",
                     log: bool = False, mark_best: str | None = None) -> None:
    """Training and validation curves from a History, against the epoch number."""
    colors = {"loss": TRAIN_COLOR, "val_loss": VAL_COLOR,
              "accuracy": TRAIN_COLOR, "val_accuracy": VAL_COLOR}
    labels = {"loss": "training", "val_loss": "validation",
              "accuracy": "training", "val_accuracy": "validation"}
    epochs = np.asarray(history.epoch) + 1
    for key in keys:
        if key in history:
            ax.plot(epochs, history[key], color=colors.get(key), label=labels.get(key, key),
                    linestyle="-" if not key.startswith("val") else "--")
    if mark_best and mark_best in history:
        values = np.asarray(history[mark_best])
        best = int(np.argmin(values))
        ax.axvline(epochs[best], color=PALETTE["black"], linestyle=":", linewidth=1)
        ax.plot(epochs[best], values[best], "o", color=PALETTE["black"], label="best epoch")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(keys[0].replace("val_", "").replace("_", " "))
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(frameon=False)


def message_axes(ax, text: str, color: str = PALETTE["vermillion"]) -> None:
    """Write a message across an axes (e.g. 'training diverged') instead of a plot."""
    ax.text(0.5, 0.5, text, ha="center", va="center", wrap=True, color=color,
            transform=ax.transAxes, fontsize=11)
    ax.set_xticks([])
    ax.set_yticks([])


def _show_figures_inline() -> None:
    """In a Jupyter kernel, display a bare Figure (a cell's last expression) as a PNG.

    Our figures are not created through pyplot, so IPython's inline backend does
    not know them and would show only "<Figure size ...>". Registering a PNG
    formatter for ``Figure`` makes them appear in JupyterLab; nbval still
    compares only the text/plain part.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with the notebook tools
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    png = shell.display_formatter.formatters.get("image/png")
    if png is not None:
        png.for_type(Figure, lambda fig: figure_to_png(fig))


_show_figures_inline()
