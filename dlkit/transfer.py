"""Transfer learning: start from weights trained on a large source task.

The sheet's table, for a network pretrained on a big data set and a new
target task with its own output layer ("softmax"):

    target data   strategy        what is trained
    small         "freeze_all"    only the new softmax layer (all others frozen)
    medium        "freeze_most"   the last hidden layer(s) and the softmax
    large         "fine_tune"     everything, starting from the pretrained weights
    (baseline)    "scratch"       everything, from a fresh random initialization

dlkit ships one pretrained network, ``dlkit/data/pretrained_shapes.npz``: an
MLP 784-128-64-10 (ReLU) trained on 30,000 procedurally rendered 28x28
shapes, 10 classes (``dlkit.datasets.make_shapes``), by ``python -m
dlkit.pretrain`` (seeded; rerun it to regenerate the file).

The target task (``make_target``): the same ten shapes drawn at 70% of the
scale (20 px inside the 28 px frame), a scale the network never saw. The
output layer is new, so the label order could be anything.

    model = load_pretrained()                                     # source task
    model = transfer_model("freeze_all", num_classes=10, rng=rng)  # target task
    result = run_transfer("freeze_all", X, y, X_test, y_test, rng=rng)

Inputs are flattened images, ``X.reshape(N, -1)``, pixels in [0, 1].
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ._validate import check_dtype, check_float, check_int, check_rng
from .activations import ReLU
from .dense import Dense
from .optimizers import Adam
from .sequential import Sequential
from .training import evaluate, fit

PRETRAINED_PATH = Path(__file__).resolve().parent / "data" / "pretrained_shapes.npz"
FORMAT_VERSION = 1
STRATEGIES = ("scratch", "freeze_all", "freeze_most", "fine_tune")
# Adam learning rates per strategy, picked by a small sweep on a validation
# split: training only the softmax layer is a convex problem (logistic
# regression on fixed features) that takes a 10x larger step.
DEFAULT_LR = {"scratch": 1e-3, "freeze_all": 1e-2, "freeze_most": 3e-3, "fine_tune": 1e-3}
TARGET_SIZE, TARGET_PAD = 20, 4


def mlp(sizes, rng=None, dtype=np.float64, init="he") -> Sequential:
    """A ReLU MLP: Dense(sizes[0], sizes[1]), ReLU, ..., Dense(sizes[-2], sizes[-1]).

    sizes: (D_in, H_1, ..., H_k, C); the last layer outputs logits (no activation).
    Dense layers sit at even indices 0, 2, 4, ... of the Sequential.
    """
    sizes = [check_int(s, f"sizes[{i}]", low=1) for i, s in enumerate(sizes)]
    if len(sizes) < 2:
        raise ValueError(f"sizes needs at least an input and an output size, got {sizes}")
    rng = check_rng(rng)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Dense(a, b, init=init, rng=rng, dtype=dtype))
        if i < len(sizes) - 2:
            layers.append(ReLU())
    return Sequential(*layers)


def _sizes_of(model: Sequential) -> list[int]:
    dense = [layer for layer in model if isinstance(layer, Dense)]
    return [dense[0].in_features] + [d.out_features for d in dense]


def save_pretrained(model: Sequential, path, *, classes, config: dict, metrics: dict) -> Path:
    """Write a model's weights (float32) and what made them to an .npz file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {name: value.astype(np.float32) for name, value in model.state_dict().items()}
    np.savez_compressed(
        path,
        sizes=np.asarray(_sizes_of(model), dtype=np.int64),
        classes=np.asarray(list(classes)),
        config=np.asarray(json.dumps(config, sort_keys=True)),
        metrics=np.asarray(json.dumps(metrics, sort_keys=True)),
        format_version=np.asarray(FORMAT_VERSION),
        **arrays,
    )
    return path


def pretrained_info(path=None) -> dict:
    """What a pretrained file says about itself: sizes, classes, config, metrics."""
    with np.load(_existing(path)) as data:
        return {
            "sizes": [int(s) for s in data["sizes"]],
            "classes": [str(c) for c in data["classes"]],
            "config": json.loads(str(data["config"])),
            "metrics": json.loads(str(data["metrics"])),
            "format_version": int(data["format_version"]),
        }


def _existing(path) -> Path:
    path = PRETRAINED_PATH if path is None else Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"no pretrained weights at {path}; regenerate them with `python -m dlkit.pretrain`"
        )
    return path


def load_pretrained(path=None, *, sizes=None, model: Sequential | None = None,
                    dtype=np.float64) -> Sequential:
    """The pretrained network, built from the file and checked against what you expect.

    path : .npz file from ``dlkit.pretrain`` (default: the shipped
        ``dlkit/data/pretrained_shapes.npz``)
    sizes : expected layer sizes, e.g. (784, 128, 64, 10); None accepts the file's
    model : load into this Sequential instead of building one (its layer sizes
        must match the file's)
    dtype : float64 (default) or float32

    Raises ValueError, naming the parameter and both shapes, when the file's
    weights do not fit the requested architecture.
    """
    path = _existing(path)
    dtype = check_dtype(dtype)
    with np.load(path) as data:
        file_sizes = [int(s) for s in data["sizes"]]
        state = {k: data[k] for k in data.files
                 if k not in ("sizes", "classes", "config", "metrics", "format_version")}
    if sizes is not None:
        sizes = [check_int(s, f"sizes[{i}]", low=1) for i, s in enumerate(sizes)]
        if sizes != file_sizes:
            raise ValueError(
                f"sizes={tuple(sizes)} does not match the pretrained weights in {path.name}, "
                f"which have layer sizes {tuple(file_sizes)}"
            )
    if model is None:
        model = mlp(file_sizes, rng=np.random.default_rng(0), dtype=dtype)
    named = dict(model.named_parameters())
    for name, p in named.items():
        if name not in state:
            raise ValueError(f"the pretrained file {path.name} has no weights for {name!r} "
                             f"(it has {sorted(state)})")
        if state[name].shape != p.shape:
            raise ValueError(
                f"pretrained weights {name!r} in {path.name} have shape {state[name].shape} "
                f"but the model's parameter {name!r} has shape {p.shape}"
            )
    extra = sorted(set(state) - set(named))
    if extra:
        raise ValueError(f"the pretrained file {path.name} has weights {extra} that the model "
                         "does not have")
    return model.load_state_dict(state)


def replace_head(model: Sequential, num_classes: int, rng=None) -> Sequential:
    """The same body with a new, randomly initialized output layer for ``num_classes``."""
    num_classes = check_int(num_classes, "num_classes", low=2)
    last = model.layers[-1]
    if not isinstance(last, Dense):
        raise ValueError(f"the model's last layer must be Dense to be replaced, got {last!r}")
    head = Dense(last.in_features, num_classes, init="xavier", rng=check_rng(rng),
                 dtype=last.W.dtype)
    return Sequential(*model.layers[:-1], head)


def transfer_model(strategy: str, num_classes: int, rng=None, *, path=None,
                   dtype=np.float64) -> Sequential:
    """A model for the target task, set up for one of the sheet's strategies.

    strategy : "freeze_all"  pretrained body frozen, only the new softmax layer trains
               "freeze_most" first layer frozen; last hidden layer and softmax train
               "fine_tune"   everything trains, starting from the pretrained weights
               "scratch"     same architecture, fresh He initialization (baseline)
    num_classes : outputs of the new softmax layer
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {list(STRATEGIES)}, got {strategy!r}")
    rng = check_rng(rng)
    if strategy == "scratch":
        sizes = pretrained_info(path)["sizes"][:-1] + [check_int(num_classes, "num_classes",
                                                                   low=2)]
        return mlp(sizes, rng=rng, dtype=dtype)
    model = replace_head(load_pretrained(path, dtype=dtype), num_classes, rng)
    n_layers = len(model)
    if strategy == "freeze_all":
        model.freeze(n_layers - 1)          # everything but the head
    elif strategy == "freeze_most":
        model.freeze(n_layers - 3)          # everything but the last Dense + ReLU and the head
    return model


def make_target(n: int, rng=None, dtype=np.float32):
    """The transfer target: the 10 shapes at 70% scale -> X (n, 784), y (n,).

    Drawn at 20x20 with the source's pose variation (rotation up to +-30
    degrees, offset up to 12%), then padded with 4 black pixels on every side
    to the 28x28 frame of the pretrained network, and flattened.
    """
    from .datasets.shapes import make_shapes  # Pillow: loaded on first use

    X, y = make_shapes(n, size=TARGET_SIZE, rng=check_rng(rng), rotate=30.0, jitter=0.12)
    pad = TARGET_PAD
    X = np.pad(X, ((0, 0), (pad, pad), (pad, pad)))
    return X.reshape(len(X), -1).astype(check_dtype(dtype)), y


def frozen_prefix(model: Sequential) -> int:
    """How many leading layers have no trainable parameter (frozen or parameter-free)."""
    k = 0
    for layer in model:
        if any(p.trainable for p in layer.parameters()):
            break
        k += 1
    return k


def run_transfer(strategy: str, X, y, X_test, y_test, *, rng, lr: float | None = None,
                 batch_size: int = 32, budget: int = 30_000, max_epochs: int = 300,
                 path=None) -> dict:
    """Train one strategy on (X, y) with Adam and report its accuracy on (X_test, y_test).

    X: (N, 784), y: (N,) integer classes. The number of epochs gives every
    run the same budget of examples seen, ceil(budget / N), between 5 and
    max_epochs. Frozen leading layers are a fixed feature extractor, so their
    output is computed once and only the trainable layers go through ``fit``
    (the same updates as training the whole model with frozen layers, much
    faster).

    Returns {"strategy", "n", "epochs", "lr", "train_accuracy", "accuracy", "model"}.
    """
    rng = check_rng(rng)
    num_classes = int(np.max(y)) + 1 if len(y) else 2
    num_classes = max(num_classes, int(np.max(y_test)) + 1)
    lr = DEFAULT_LR[strategy] if lr is None and strategy in DEFAULT_LR else lr
    lr = check_float(lr, "lr", low=0.0, low_open=True)
    model = transfer_model(strategy, num_classes, rng=rng, path=path, dtype=X.dtype)
    n = len(X)
    epochs = int(min(max_epochs, max(5, -(-budget // n))))
    k = frozen_prefix(model)
    features = model[:k].predict(X) if k else X
    head = model[k:]
    opt = Adam(head.parameters(), lr=lr)
    history = fit(head, features, y, loss="softmax_cross_entropy", optimizer=opt,
                  epochs=epochs, batch_size=batch_size, rng=rng)
    _, acc = evaluate(model, X_test, y_test, loss="softmax_cross_entropy")
    return {"strategy": strategy, "n": n, "epochs": epochs, "lr": lr,
            "train_accuracy": float(history["accuracy"][-1]), "accuracy": float(acc),
            "model": model}
