"""Overfitting a small batch: the first test of any new model and training loop.

Train on ONE mini-batch, over and over. A correct model with enough capacity
and a sensible learning rate memorizes it: the loss falls to about zero and
the accuracy reaches 100 %. If it cannot, no amount of data will help; the
usual reasons are, most likely first:

    a bug          a wrong sign or a missing term in a backward pass, a
                   gradient never reset (forgotten zero_grad), an update
                   that never happens
    the lr / init  a learning rate far too small (the loss barely moves) or
                   too large (it diverges), saturated or dead units
    capacity       a model too SMALL for the batch (Dense(2, 1) on XOR)
    depth          a deep PLAIN network (no batch norm, no residual
                   connections): gradients vanish or explode through many
                   layers, units saturate or die, and SGD at a learning rate
                   that suits a shallow net fails. It needs a smaller learning
                   rate, a better initialization, batch norm or residual
                   connections

(The sheet says the model may be "too complex". More parameters are not the
problem: WIDER networks memorize a batch too. A DEEPER plain one is harder to
optimize; that is a matter of learning rate, initialization and architecture,
not of too many parameters.)

    result = overfit_one_batch(model, X_batch, y_batch, lr=0.5)
    result.reached, result.iterations, result.final_loss, result.final_accuracy
    print(result.verdict)

Convention: ``losses[t]`` is the loss on the batch after t weight updates,
so ``losses[0]`` is the loss at initialization and ``iterations`` is the
number of updates after which the loss was <= ``loss_threshold`` and every
example was classified correctly.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validate import check_float, check_int
from .layer import Layer
from .losses import get_loss
from .optimizers import Optimizer
from .training import check_data, check_model, check_optimizer

# Diagnosis thresholds, on the loss curve (L0 = initial loss, Lf = final loss).
BARELY_MOVED = 0.10    # (L0 - Lf) / L0 below this: the loss "barely moved"
WENT_UP = 1.05         # Lf > WENT_UP * L0: the loss went up
STILL_FALLING = 0.05   # drop over the last 20 % of iterations, relative to Lf
OSCILLATING = 0.25     # loss rose in 25 % to 75 % of the iterations: it oscillates
# What a deep plain network that fails the test needs (not fewer parameters).
DEPTH_CURES = ("try a smaller learning rate, a better initialization, batch norm or residual "
               "connections")


@dataclass
class OverfitResult:
    """What happened when a model was trained on one batch.

    reached : the loss fell to <= loss_threshold with 100 % accuracy
    iterations : number of updates it took (None if not reached)
    final_loss, final_accuracy : on the batch, after the last update
        (accuracy None for a loss without one, e.g. MSE)
    losses : (T + 1,) loss after 0, 1, ..., T updates; accuracies alike
    diagnosis : "overfits", "diverged", "went up", "barely moved",
        "oscillates", "still falling" or "plateau"
    """

    reached: bool
    iterations: int | None
    final_loss: float
    final_accuracy: float | None
    losses: np.ndarray
    accuracies: np.ndarray | None
    loss_threshold: float
    max_iterations: int
    diagnosis: str

    @property
    def verdict(self) -> str:
        """One sentence: did it overfit, and if not, what to suspect first."""
        L0, Lf, n = self.losses[0], self.final_loss, len(self.losses) - 1
        acc = "" if self.final_accuracy is None else f", accuracy {self.final_accuracy:.0%}"
        if self.diagnosis == "overfits":
            acc = "" if self.final_accuracy is None else " and accuracy 100%"
            return (f"overfits: loss {Lf:.3g} <= {self.loss_threshold:g}{acc} after "
                    f"{self.iterations} iterations; the model and its training loop can "
                    "learn, go on to the full data")
        if self.diagnosis == "diverged":
            return (f"FAILS, diverged: the loss became {Lf} after {n} iterations; the "
                    "learning rate is too large (or the initialization too wide)")
        if self.diagnosis == "went up":
            return (f"FAILS, the loss went up ({L0:.3g} -> {Lf:.3g}{acc}): a sign error "
                    "in a backward pass (run a gradient check) or a learning rate far too "
                    "large")
        if self.diagnosis == "barely moved":
            return (f"FAILS, the loss barely moved ({L0:.3g} -> {Lf:.3g} in {n} "
                    f"iterations{acc}): a learning rate far too small, or gradients that "
                    "never reach the weights (a backward bug, dead or saturated units; in a "
                    f"deep plain network: {DEPTH_CURES})")
        if self.diagnosis == "oscillates":
            return (f"FAILS, the loss goes up and down without settling ({L0:.3g} -> "
                    f"{Lf:.3g}{acc}): a wrong sign in a backward pass (part of the model "
                    "climbs the loss while the rest descends: run a gradient check), "
                    "gradients that accumulate (a forgotten zero_grad) or a learning rate "
                    "too large")
        if self.diagnosis == "still falling":
            return (f"not yet: the loss is still falling ({L0:.3g} -> {Lf:.3g} in {n} "
                    f"iterations{acc}); give it more iterations or a larger learning rate")
        return (f"FAILS, the loss plateaued at {Lf:.3g}{acc}: a model too small for this "
                "batch (make it wider), a bug that limits what the model can learn (a "
                "missing gradient: run a gradient check), or a deep plain network that is "
                f"hard to optimize ({DEPTH_CURES})")

    def __repr__(self) -> str:
        acc = "None" if self.final_accuracy is None else f"{self.final_accuracy:.3f}"
        return (f"OverfitResult(reached={self.reached}, iterations={self.iterations}, "
                f"final_loss={self.final_loss:.3g}, final_accuracy={acc}, "
                f"diagnosis={self.diagnosis!r})")


def sgd_update(model: Layer, optimizer: Optimizer, dz: np.ndarray) -> None:
    """The sheet's steps 2 and 3: reset the gradients, backpropagate, update."""
    optimizer.zero_grad()
    model.backward(dz)
    optimizer.step()


def diagnose(losses, reached: bool, diverged: bool) -> str:
    """Name what a loss curve on one batch shows (see OverfitResult.diagnosis)."""
    losses = np.asarray(losses, dtype=np.float64)
    if diverged:
        return "diverged"
    if reached:
        return "overfits"
    L0, Lf = losses[0], losses[-1]
    steps = np.diff(losses)
    rising = float(np.mean(steps > 0)) if steps.size else 0.0
    if steps.size >= 4 and OSCILLATING < rising < 1 - OSCILLATING:
        return "oscillates"
    if Lf > WENT_UP * L0:
        return "went up"
    if L0 - Lf < BARELY_MOVED * L0:
        return "barely moved"
    tail = max(2, len(losses) // 5)
    if losses[-tail] - Lf > STILL_FALLING * Lf:
        return "still falling"
    return "plateau"


def overfit_one_batch(model: Layer, X, y, *, loss="binary_cross_entropy", lr: float | None = None,
                      optimizer: Optimizer | None = None, max_iterations: int = 1000,
                      loss_threshold: float = 0.01,
                      update: Callable[[Layer, Optimizer, np.ndarray], None] | None = None,
                      stop_when_reached: bool = True) -> OverfitResult:
    """Train ``model`` (in place) on the single batch (X, y) and report how it went.

    X : (B, ...) one mini-batch; y : (B,) or (B, 1) its targets
    loss : name ("binary_cross_entropy", "softmax_cross_entropy", "mse") or a
        function (logits, y) -> (value, dlogits)
    lr : learning rate of the default SGD (0.1 if not given); not with optimizer
    max_iterations : weight updates at most
    loss_threshold : "about zero": the loss must fall to <= this, with 100 %
        accuracy when the loss has an accuracy
    update : function (model, optimizer, dlogits) doing steps 2 and 3;
        default ``sgd_update`` (zero_grad, backward, step). Pass your own
        training step to test it.
    stop_when_reached : stop at the first iteration that meets the threshold
    """
    params = check_model(model)
    X, y = check_data(model, X, y, params[0].dtype)
    loss_fn, acc_fn = get_loss(loss)
    max_iterations = check_int(max_iterations, "max_iterations", low=1)
    loss_threshold = check_float(loss_threshold, "loss_threshold", low=0.0, low_open=True)
    optimizer = check_optimizer(optimizer, lr, params)
    update = sgd_update if update is None else update
    if not callable(update):
        raise TypeError(f"update must be a function (model, optimizer, dlogits), got {update!r}")

    losses: list[float] = []
    accs: list[float] = []
    reached_at, diverged = None, False
    model.train()
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported
        for t in range(max_iterations + 1):
            z = model.forward(X)
            if not np.all(np.isfinite(z)):
                losses.append(math.nan)
                diverged = True
                break
            value, dz = loss_fn(z, y)
            acc = acc_fn(z, y) if acc_fn is not None else None
            losses.append(value)
            if acc is not None:
                accs.append(acc)
            if not math.isfinite(value):
                diverged = True
                break
            if reached_at is None and value <= loss_threshold and (acc is None or acc == 1.0):
                reached_at = t
                if stop_when_reached:
                    break
            if t == max_iterations:
                break
            update(model, optimizer, dz)
    curve = np.array(losses)
    return OverfitResult(
        reached=reached_at is not None, iterations=reached_at, final_loss=float(curve[-1]),
        final_accuracy=accs[-1] if accs else None,
        losses=curve, accuracies=np.array(accs) if acc_fn is not None else None,
        loss_threshold=loss_threshold, max_iterations=max_iterations,
        diagnosis=diagnose(curve, reached_at is not None, diverged),
    )
