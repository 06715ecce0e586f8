"""Data sets, all offline: generated, or shipped inside the repository."""

from .images import DIGITS_CREDIT, PHOTO_CREDIT, load_digits, load_photo
from .regression import make_correlated_regression
from .shapes import FLIP_PARTNER, LETTERS, SHAPES, make_letters, make_shapes
from .toy import (
    TOY_DATASETS,
    make_blobs,
    make_circles,
    make_moons,
    make_spiral,
    make_toy,
    make_xor,
    train_val_split,
)

__all__ = [
    "LETTERS", "SHAPES", "make_letters", "make_shapes",
    "TOY_DATASETS", "make_blobs", "make_circles", "make_moons", "make_spiral", "make_toy",
    "make_xor", "train_val_split",
    "DIGITS_CREDIT", "FLIP_PARTNER", "PHOTO_CREDIT", "load_digits", "load_photo",
]
__all__ += ["make_correlated_regression"]
