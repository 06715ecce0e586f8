"""Toy 2-D data sets: shapes, labels, determinism."""

import numpy as np
import pytest

import dlkit as dl


@pytest.mark.parametrize("name", sorted(dl.datasets.TOY_DATASETS))
def test_shapes_labels_and_determinism(name):
    X1, y1 = dl.datasets.make_toy(name, n=101, noise=0.1, rng=np.random.default_rng(3))
    X2, y2 = dl.datasets.make_toy(name, n=101, noise=0.1, rng=np.random.default_rng(3))
    assert X1.shape == (101, 2) and y1.shape == (101,)
    assert X1.dtype == np.float64 and np.issubdtype(y1.dtype, np.integer)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    counts = np.bincount(y1)
    assert counts.max() - counts.min() <= 1  # balanced classes


def test_noise_zero_moons_lie_on_the_half_circles():
    X, y = dl.datasets.make_moons(50, noise=0.0, rng=np.random.default_rng(0))
    r0 = np.hypot(*X[y == 0].T)
    r1 = np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5)
    np.testing.assert_allclose(r0, 1.0)
    np.testing.assert_allclose(r1, 1.0)


def test_xor_labels_follow_the_signs():
    X, y = dl.datasets.make_xor(200, noise=0.0, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))


def test_train_val_split_partitions_the_data():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    Xt, yt, Xv, yv = dl.datasets.train_val_split(X, y, 0.3, rng=np.random.default_rng(0))
    assert len(Xv) == 3 and len(Xt) == 7
    np.testing.assert_array_equal(np.sort(np.r_[yt, yv]), y)
    np.testing.assert_array_equal(Xt[:, 0] // 2, yt)
