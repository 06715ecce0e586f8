"""Losses from logits: values by hand, stability, gradient checks."""

import numpy as np
import pytest

import dlkit as dl
from dlkit.gradcheck import check_loss


def test_bce_value_by_hand():
    # z = 0 gives p = 1/2, so L = log 2 whatever the label
    loss, dz = dl.binary_cross_entropy(np.array([0.0, 0.0]), np.array([0, 1]))
    assert loss == pytest.approx(np.log(2))
    np.testing.assert_allclose(dz, [0.25, -0.25])  # (p - y) / N


def test_bce_matches_the_sheet_formula_on_moderate_logits():
    z = np.array([-2.0, 0.5, 3.0])
    y = np.array([0.0, 1.0, 1.0])
    p = 1 / (1 + np.exp(-z))
    sheet = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert dl.binary_cross_entropy(z, y)[0] == pytest.approx(sheet, rel=1e-12)


def test_bce_is_stable_for_huge_logits():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, dz = dl.binary_cross_entropy(np.array([1e4, -1e4, 1e4, -1e4]),
                                           np.array([0, 1, 1, 0]))
    # two confident mistakes cost 1e4 each, two confident successes cost 0
    assert loss == pytest.approx(2 * 1e4 / 4)
    np.testing.assert_allclose(dz, [0.25, -0.25, 0.0, 0.0])


def test_bce_accepts_column_logits():
    loss1, dz1 = dl.binary_cross_entropy(np.array([[0.3], [-1.0]]), np.array([1, 0]))
    loss2, dz2 = dl.binary_cross_entropy(np.array([0.3, -1.0]), np.array([1, 0]))
    assert loss1 == pytest.approx(loss2)
    assert dz1.shape == (2, 1)
    np.testing.assert_allclose(dz1.ravel(), dz2)


def test_softmax_cross_entropy_by_hand():
    z = np.array([[0.0, 0.0, 0.0]])
    loss, dz = dl.softmax_cross_entropy(z, np.array([2]))
    assert loss == pytest.approx(np.log(3))
    np.testing.assert_allclose(dz, [[1 / 3, 1 / 3, -2 / 3]])


def test_softmax_cross_entropy_is_stable():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, dz = dl.softmax_cross_entropy(np.array([[1e4, 0.0], [0.0, 1e4]]), np.array([1, 1]))
    assert loss == pytest.approx(1e4 / 2)
    assert np.isfinite(dz).all()


def test_mse_by_hand():
    loss, d = dl.mse(np.array([1.0, 3.0]), np.array([0.0, 1.0]))
    assert loss == pytest.approx((1 + 4) / 2)
    np.testing.assert_allclose(d, [1.0, 2.0])  # 2 (z - y) / 2


@pytest.mark.parametrize("fn, y", [
    (dl.binary_cross_entropy, np.array([0, 1, 1, 0, 1])),
    (dl.mse, np.linspace(-1, 1, 5)),
])
def test_gradient_check_1d_losses(fn, y):
    z = np.random.default_rng(0).normal(0, 2, 5)
    assert check_loss(fn, z, y).max_error < 1e-7


def test_gradient_check_softmax_cross_entropy():
    rng = np.random.default_rng(1)
    z = rng.normal(0, 2, (6, 4))
    assert check_loss(dl.softmax_cross_entropy, z, rng.integers(0, 4, 6)).max_error < 1e-7
