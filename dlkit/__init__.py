"""dlkit: the CS 230 "Deep Learning Tips and Tricks" techniques in small NumPy modules.

Every layer has an explicit forward and backward pass; nothing is hidden
behind autograd. The notebooks in ``notebooks/`` import it, and the exercises
are checked against it.

    import numpy as np
    import dlkit as dl

    rng = np.random.default_rng(230)
    X, y = dl.datasets.make_moons(200, noise=0.2, rng=rng)
    model = dl.Sequential(dl.Dense(2, 16, rng=rng), dl.ReLU(), dl.Dense(16, 1, rng=rng))
    history = dl.fit(model, X, y, loss="binary_cross_entropy", lr=0.5, epochs=200,
                     batch_size=32, rng=rng)
"""

import importlib

from . import gradcheck, initializers, losses, optimizers
from .activations import ReLU, Sigmoid, Tanh, sigmoid
from .callbacks import Callback, History, LambdaCallback, LearningRateScheduler
from .dense import Dense
from .layer import Layer
from .losses import binary_cross_entropy, mse, softmax_cross_entropy
from .minibatch import batch_indices, iterate_minibatches, num_batches
from .optimizers import SGD, Optimizer
from .overfit import OverfitResult, overfit_one_batch
from .parameter import Parameter
from .sequential import Sequential
from .training import TrainingDiverged, evaluate, fit

__version__ = "0.1.0"

# Submodules that pull in matplotlib, Pillow or ipywidgets load on first use, so that
# `import dlkit` stays fast (benchmarks/bench.py measures it).
_LAZY = {"datasets", "plotting", "interactive", "figures", "checks"}


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'dlkit' has no attribute {name!r}")

__all__ = [
    "Callback", "Dense", "History", "LambdaCallback", "Layer", "LearningRateScheduler",
    "Optimizer", "Parameter", "ReLU", "SGD", "Sequential", "Sigmoid", "Tanh",
    "TrainingDiverged", "batch_indices", "binary_cross_entropy", "datasets", "evaluate", "fit",
    "gradcheck", "initializers", "iterate_minibatches", "losses", "mse", "num_batches",
    "optimizers", "plotting", "sigmoid", "softmax_cross_entropy",
    "OverfitResult", "overfit", "overfit_one_batch",
]
