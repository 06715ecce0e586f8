"""Mini-batches: the sheet's middle way between one example and the whole set.

One *epoch* is one pass over the whole training set; one *iteration* is one
weight update on one mini-batch. With N examples and batch size B an epoch has
ceil(N / B) iterations; the last batch is smaller when B does not divide N
(keep it, or drop it with ``drop_last=True``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from ._validate import check_int, check_rng


def num_batches(n: int, batch_size: int, drop_last: bool = False) -> int:
    """Iterations per epoch: ceil(n / batch_size), or floor with drop_last."""
    n = check_int(n, "n", low=0)
    batch_size = check_int(batch_size, "batch_size", low=1)
    return n // batch_size if drop_last else math.ceil(n / batch_size)


def batch_indices(n: int, batch_size: int, rng=None, shuffle: bool = True,
                  drop_last: bool = False) -> Iterator[np.ndarray]:
    """Yield index arrays that cover range(n) once, in shuffled order if ``shuffle``.

    The same ``rng`` state gives the same batches. The last batch may be
    smaller than batch_size unless ``drop_last``.
    """
    n = check_int(n, "n", low=1)
    batch_size = check_int(batch_size, "batch_size", low=1)
    order = check_rng(rng).permutation(n) if shuffle else np.arange(n)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        yield order[start:start + batch_size]


def iterate_minibatches(X, y, batch_size: int, rng=None, shuffle: bool = True,
                        drop_last: bool = False):
    """Yield (X_batch, y_batch) pairs covering the data once (one epoch).

    X: (N, ...), y: (N, ...) -> X_batch: (B, ...), y_batch: (B, ...).
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
    for idx in batch_indices(len(X), batch_size, rng, shuffle, drop_last):
        yield X[idx], y[idx]
