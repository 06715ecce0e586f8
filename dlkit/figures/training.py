"""Figures of chapter 02, "Training a neural network"."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..activations import ReLU
from ..callbacks import History
from ..datasets.toy import make_toy, train_val_split
from ..dense import Dense
from ..minibatch import num_batches
from ..plotting import (
    PALETTE,
    TRAIN_COLOR,
    message_axes,
    new_figure,
    plot_decision_boundary,
    plot_loss_curves,
)
from ..sequential import Sequential
from ..training import TrainingDiverged, fit

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


def render_training(lr: float = 0.3, batch_size: int = 32, epochs: int = 50, hidden: int = 16,
                    dataset: str = "moons"):
    """Decision boundary (left) and training/validation loss (right) after training."""
    model, history, note = train_toy(dataset, float(lr), int(batch_size), int(epochs),
                                     int(hidden))
    X, y, Xv, yv = toy_split(dataset)
    steps = num_batches(len(X), min(int(batch_size), len(X)))
    fig = new_figure(9.6, 3.9, layout=None)  # fixed margins: redrawn on every slider move
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.13, top=0.82, wspace=0.25)
    ax_b, ax_l = fig.subplots(1, 2)
    if len(history) == 0:
        message_axes(ax_b, note)
        message_axes(ax_l, note)
        return fig
    acc = history["val_accuracy"][-1]
    plot_decision_boundary(ax_b, model, X, y, resolution=80,
                           title=f"{dataset}: validation accuracy {acc:.0%}")
    plot_loss_curves(ax_l, history, title=f"{steps} iterations per epoch "
                     f"(N = {len(X)}, batch size {min(int(batch_size), len(X))})")
    ax_l.set_ylabel("binary cross-entropy")
    losses = np.asarray(history["loss"])
    if losses.max() > 10 * losses[0]:
        ax_l.set_yscale("log")
        note = note or f"the loss blew up to {losses.max():.1e}: learning rate too large"
    if note:
        ax_l.text(0.02, 0.04, note, transform=ax_l.transAxes, color=PALETTE["vermillion"],
                  fontsize=9)
    fig.suptitle(f"lr = {lr:.3g}, hidden units = {hidden}, epochs = {len(history)}")
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
