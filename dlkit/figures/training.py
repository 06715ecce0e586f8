"""Figures of chapter 02, "Training a neural network"."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap

from ..activations import ReLU
from ..callbacks import History
from ..datasets.toy import make_toy, train_val_split
from ..dense import Dense
from ..minibatch import num_batches
from ..plotting import (
    CLASS_COLORS,
    PALETTE,
    TRAIN_COLOR,
    VAL_COLOR,
    grid_for,
    message_axes,
    new_figure,
    plot_points,
)
from ..sequential import Sequential
from ..training import TrainingDiverged, fit

#: Fixed margins for the widget's figure: a layout engine would measure every text per draw.
MARGINS = {"left": 0.07, "right": 0.98, "bottom": 0.13, "top": 0.82, "wspace": 0.25}

#: The widget stops after this many weight updates so a slider answers quickly;
#: with batch size 1 an epoch is a whole pass of single-example updates.
MAX_ITERATIONS = 2000


def mlp(hidden: int, rng: np.random.Generator, depth: int = 2, n_in: int = 2) -> Sequential:
    """A 2-input MLP with `depth` ReLU hidden layers of `hidden` units and one logit."""
    layers, width = [], n_in
    for _ in range(depth):
        layers += [Dense(width, hidden, init="he", rng=rng), ReLU()]
        width = hidden
    layers.append(Dense(width, 1, rng=rng))
    return Sequential(*layers)


@lru_cache(maxsize=8)
def toy_split(dataset: str = "moons", n: int = 400, noise: float = 0.25, seed: int = 230):
    """(X_train, y_train, X_val, y_val): half of n points for training, half for validation."""
    rng = np.random.default_rng(seed)
    X, y = make_toy(dataset, n=n, noise=noise, rng=rng)
    return train_val_split(X, y, val_fraction=0.5, rng=rng)


@lru_cache(maxsize=64)
def train_toy(dataset: str = "moons", lr: float = 0.3, batch_size: int = 32, epochs: int = 50,
              hidden: int = 16, seed: int = 0, max_iterations: int = MAX_ITERATIONS):
    """Train an MLP on a toy split; returns (model, history, note).

    Training stops early when `max_iterations` updates are used up, or when the
    loss diverges; `note` then says so ("" otherwise). Results are cached, so
    moving a slider back to a previous value answers at once.
    """
    X, y, Xv, yv = toy_split(dataset)
    rng = np.random.default_rng(seed)
    model = mlp(hidden, rng)
    steps = num_batches(len(X), min(batch_size, len(X)))
    run_epochs = max(1, min(epochs, max_iterations // steps))
    note = ""
    if run_epochs < epochs:
        note = f"stopped after {run_epochs} epochs: {max_iterations} updates budget"
    try:
        history = fit(model, X, y, lr=lr, epochs=run_epochs, batch_size=batch_size,
                      validation_data=(Xv, yv), rng=rng)
    except TrainingDiverged as err:
        history, note = err.history, str(err).split(". ")[0]
    return model, history, note


class TrainingPanels:
    """The two panels of `render_training`: a figure built once and redrawn in place.

    A new figure on every slider move cost about a quarter of the update:
    matplotlib creates the axes, every tick and every label from scratch. So
    the figure is built once with empty artists (a class image, two loss
    lines, a note) and each redraw only gives them new data and texts; the
    ticks and labels already exist. The figure keeps one Agg canvas, whose
    renderer (and matplotlib's cache of text sizes, kept per renderer) then
    lasts from one PNG to the next.
    """

    def __init__(self):
        self.fig = new_figure(9.6, 3.9, layout=None)
        self.fig.subplots_adjust(**MARGINS)
        FigureCanvasAgg(self.fig)  # its own canvas: one renderer for every redraw
        self.fig.training_panels = self  # lets render_training(fig=...) find them again
        self.ax_b, self.ax_l = self.fig.subplots(1, 2)
        # left: the predicted class on a grid, the zero-logit contour, the data
        self.dataset = None
        self.grid = None
        self.image = self.ax_b.imshow(np.zeros((2, 2)), origin="lower", alpha=0.25,
                                      aspect="auto", interpolation="nearest")
        self.contour = None
        self.ax_b.set_xlabel("x1")
        self.ax_b.set_ylabel("x2")
        # right: the loss curves and a note under them
        (self.train_line,) = self.ax_l.plot([], [], color=TRAIN_COLOR, label="training")
        (self.val_line,) = self.ax_l.plot([], [], color=VAL_COLOR, linestyle="--",
                                          label="validation")
        self.ax_l.set_xlabel("epoch")
        self.ax_l.set_ylabel("binary cross-entropy")
        self.ax_l.grid(alpha=0.3)
        self.ax_l.legend(frameon=False)
        self.note = self.ax_l.text(0.02, 0.04, "", transform=self.ax_l.transAxes,
                                   color=PALETTE["vermillion"], fontsize=9)

    def show_data(self, dataset: str) -> None:
        """Scatter a data set's training points and fit the class image to them."""
        X, y, _, _ = toy_split(dataset)
        for points in list(self.ax_b.collections):  # the previous data set and contour
            points.remove()
        self.contour = None
        plot_points(self.ax_b, X, y)
        self.grid = grid_for(X, resolution=80)
        xx, yy, _ = self.grid
        n_classes = max(2, int(np.max(y)) + 1)
        self.image.set_cmap(ListedColormap(CLASS_COLORS[:n_classes]))
        self.image.set_clim(-0.5, n_classes - 0.5)
        self.image.set_extent((xx.min(), xx.max(), yy.min(), yy.max()))
        self.ax_b.set_xlim(xx.min(), xx.max())
        self.ax_b.set_ylim(yy.min(), yy.max())
        self.dataset = dataset

    def show_boundary(self, model: Sequential) -> None:
        """Colour the grid by the predicted class; draw the line where the logit is 0."""
        xx, yy, pts = self.grid
        z = model.predict(pts).reshape(xx.shape)
        self.image.set_data((z > 0).astype(int))
        if self.contour is not None:
            self.contour.remove()
            self.contour = None
        if z.min() < 0 < z.max():  # no line when one class covers the whole plane
            self.contour = self.ax_b.contour(xx, yy, z, levels=[0.0], colors="k",
                                             linewidths=1.0)

    def show_losses(self, history: History) -> bool:
        """Set the loss curves; a log scale when the loss blew up. Returns whether it did."""
        epochs = np.asarray(history.epoch) + 1
        losses = np.asarray(history["loss"])
        self.train_line.set_data(epochs, losses)
        self.val_line.set_data(epochs, history["val_loss"])
        blew_up = bool(losses.max() > 10 * losses[0])
        scale = "log" if blew_up else "linear"
        if self.ax_l.get_yscale() != scale:
            self.ax_l.set_yscale(scale)
        self.ax_l.relim()
        self.ax_l.autoscale_view()
        return blew_up


def render_training(lr: float = 0.3, batch_size: int = 32, epochs: int = 50, hidden: int = 16,
                    dataset: str = "moons", fig=None):
    """Decision boundary (left) and training/validation loss (right) after training.

    ``fig``: a Figure returned by an earlier call, redrawn in place (the widget
    passes its figure back on every slider move); None draws a new one.
    """
    model, history, note = train_toy(dataset, float(lr), int(batch_size), int(epochs),
                                     int(hidden))
    if len(history) == 0:
        return _message_figure(note)
    panels = getattr(fig, "training_panels", None) or TrainingPanels()
    if panels.dataset != dataset:
        panels.show_data(dataset)
    panels.show_boundary(model)
    acc = history["val_accuracy"][-1]
    panels.ax_b.set_title(f"{dataset}: validation accuracy {acc:.0%}")
    n = len(toy_split(dataset)[0])
    batch = min(int(batch_size), n)
    panels.ax_l.set_title(f"{num_batches(n, batch)} iterations per epoch "
                          f"(N = {n}, batch size {batch})")
    if panels.show_losses(history):
        note = note or f"the loss blew up to {max(history['loss']):.1e}: learning rate too large"
    panels.note.set_text(note)
    panels.fig.suptitle(f"lr = {lr:.3g}, hidden units = {hidden}, epochs = {len(history)}")
    return panels.fig


def _message_figure(note: str):
    """The two panels of render_training with a message instead of plots."""
    fig = new_figure(9.6, 3.9, layout=None)
    fig.subplots_adjust(**MARGINS)
    for ax in fig.subplots(1, 2):
        message_axes(ax, note)
    return fig


def plot_cross_entropy():
    """L(z, y) against the logit z for y = 0 and y = 1, with the probability on top."""
    z = np.linspace(-6, 6, 400)
    softplus = np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
    fig = new_figure(6.4, 3.6)
    ax = fig.subplots()
    ax.plot(z, softplus - z, color=PALETTE["blue"], label="y = 1:  L = log(1 + e^{-z})")
    ax.plot(z, softplus, color=PALETTE["orange"], linestyle="--",
            label="y = 0:  L = log(1 + e^{z})")
    ax.set_xlabel("logit z (p = sigmoid(z))")
    ax.set_ylabel("cross-entropy L(z, y)")
    ax.set_title("Cross-entropy: confident and wrong costs linearly in |z|")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    return fig


def plot_iteration_losses(histories: dict[str, History], epochs_axis: bool = True):
    """Per-iteration loss of several runs, on a common epoch axis: the noise of small batches."""
    fig = new_figure(7.2, 3.6)
    ax = fig.subplots()
    colors = [PALETTE["sky"], PALETTE["orange"], TRAIN_COLOR, PALETTE["vermillion"]]
    for (label, h), color in zip(histories.items(), colors):
        losses = np.asarray(h.batch_loss)
        steps = h.params["steps_per_epoch"]
        x = np.arange(1, len(losses) + 1) / steps if epochs_axis else np.arange(len(losses))
        ax.plot(x, losses, color=color, linewidth=0.8, alpha=0.85, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("epoch" if epochs_axis else "iteration")
    ax.set_ylabel("mini-batch loss")
    ax.set_title("Every iteration's loss: smaller batches, noisier steps")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    return fig
