"""Regenerate the shipped pretrained weights: ``python -m dlkit.pretrain``.

The source task: 10 classes of shapes (``dlkit.datasets.SHAPES``), 28x28
grayscale, rendered procedurally with a seeded rng (no download), in varied
poses (rotation up to +-30 degrees, centre offset up to 12% of the frame). The
network: MLP 784-128-64-10 with ReLU, He initialization, trained with Adam
and softmax cross-entropy in float32. The weights go to
``dlkit/data/pretrained_shapes.npz`` (float32, ~0.4 MB) together with the
configuration and the validation accuracy reached.

    python -m dlkit.pretrain                    # the shipped file (about a minute)
    python -m dlkit.pretrain --tiny --out /tmp/w.npz   # a seconds-long smoke run

The same seed and configuration give the same data and the same training
run; the last bits of the weights can still differ between machines (BLAS
summation order).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from ._validate import check_float, check_int
from .datasets.shapes import SHAPES, make_shapes
from .optimizers import Adam
from .training import evaluate, fit
from .transfer import PRETRAINED_PATH, mlp, save_pretrained


@dataclass(frozen=True)
class PretrainConfig:
    """Everything that determines the pretrained weights."""

    n_train: int = 30_000
    n_val: int = 2_000
    size: int = 28
    rotate: float = 30.0
    jitter: float = 0.12
    hidden: tuple[int, ...] = (128, 64)
    epochs: int = 8
    batch_size: int = 128
    lr: float = 1e-3
    seed: int = 230
    classes: tuple[str, ...] = field(default=SHAPES)

    def __post_init__(self):
        check_int(self.n_train, "n_train", low=len(self.classes))
        check_int(self.n_val, "n_val", low=len(self.classes))
        check_int(self.size, "size", low=8)
        check_int(self.epochs, "epochs", low=1)
        check_int(self.batch_size, "batch_size", low=1)
        check_float(self.lr, "lr", low=0.0, low_open=True)
        for i, h in enumerate(self.hidden):
            check_int(h, f"hidden[{i}]", low=1)

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.size * self.size, *self.hidden, len(self.classes))


TINY = PretrainConfig(n_train=300, n_val=100, hidden=(16, 8), epochs=2, batch_size=64)


def render_data(n: int, config: PretrainConfig, rng: np.random.Generator, desc: str,
                progress: bool = True, chunk: int = 1000):
    """n shapes as flattened float32 images (n, size*size) and labels (n,), with a progress bar."""
    from tqdm.auto import tqdm

    X = np.empty((n, config.size * config.size), dtype=np.float32)
    y = np.empty(n, dtype=np.int64)
    with tqdm(total=n, desc=desc, unit="img", disable=not progress) as bar:
        for start in range(0, n, chunk):
            stop = min(n, start + chunk)
            Xc, yc = make_shapes(stop - start, classes=config.classes, size=config.size, rng=rng,
                                 rotate=config.rotate, jitter=config.jitter)
            X[start:stop] = Xc.reshape(stop - start, -1)
            y[start:stop] = yc
            bar.update(stop - start)
    return X, y


def pretrain(config: PretrainConfig | None = None, progress: bool = True):
    """Render the source data and train the network -> (model, metrics)."""
    config = PretrainConfig() if config is None else config
    data_rng = np.random.default_rng([config.seed, 0])
    X, y = render_data(config.n_train, config, data_rng, "render train", progress)
    X_val, y_val = render_data(config.n_val, config, data_rng, "render val", progress)
    train_rng = np.random.default_rng([config.seed, 1])
    model = mlp(config.sizes, rng=train_rng, dtype=np.float32)
    opt = Adam(model.parameters(), lr=config.lr)
    history = fit(model, X, y, loss="softmax_cross_entropy", optimizer=opt,
                  epochs=config.epochs, batch_size=config.batch_size, rng=train_rng,
                  validation_data=(X_val, y_val), verbose=progress)
    val_loss, val_acc = evaluate(model, X_val, y_val, loss="softmax_cross_entropy")
    metrics = {"train_loss": round(float(history["loss"][-1]), 4),
               "val_loss": round(float(val_loss), 4),
               "val_accuracy": round(float(val_acc), 4)}
    return model, metrics


def config_dict(config: PretrainConfig) -> dict:
    d = asdict(config)
    d["hidden"] = list(config.hidden)
    d["classes"] = list(config.classes)
    return d


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dlkit.pretrain",
        description="Train the MLP on procedurally rendered shapes and save its weights.")
    parser.add_argument("--out", default=str(PRETRAINED_PATH), help="output .npz path")
    parser.add_argument("--tiny", action="store_true", help="a tiny, seconds-long configuration")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--n-train", type=int, default=None)
    parser.add_argument("--rotate", type=float, default=None)
    parser.add_argument("--jitter", type=float, default=None)
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    config = TINY if args.tiny else PretrainConfig()
    changes = {k: v for k, v in (("seed", args.seed), ("epochs", args.epochs),
                                 ("n_train", args.n_train), ("rotate", args.rotate),
                                 ("jitter", args.jitter)) if v is not None}
    config = replace(config, **changes)
    model, metrics = pretrain(config, progress=not args.quiet)
    path = save_pretrained(model, args.out, classes=config.classes,
                           config=config_dict(config), metrics=metrics)
    print(f"saved {path} ({path.stat().st_size / 1e3:.0f} kB): "
          f"val_accuracy={metrics['val_accuracy']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
