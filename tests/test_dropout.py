"""Dropout: keep rate, mean preservation, eval identity, backward reuses the mask."""

import numpy as np
import pytest

import dlkit as dl
from dlkit import gradcheck as gc
from dlkit.dropout import dropout_backward, dropout_forward, dropout_mask


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_keep_rate_and_mean_preserved(p):
    # 200 000 units: the keep rate has standard deviation sqrt(p(1-p)/n) < 0.0012
    layer = dl.Dropout(p, rng=np.random.default_rng(0))
    x = np.full((400, 500), 3.0)
    y = layer.forward(x)
    kept = y != 0
    assert abs(kept.mean() - (1 - p)) < 0.006
    # kept units are scaled by exactly 1/(1-p), dropped ones are exactly 0
    np.testing.assert_allclose(y[kept], 3.0 / (1 - p))
    # E[y] = (1-p) * 3/(1-p) = 3: the mean is preserved (within 5 standard errors)
    se = 3.0 * np.sqrt(p / (1 - p)) / np.sqrt(x.size)
    assert abs(y.mean() - 3.0) < 5 * se


def test_variance_grows_as_p_over_1_minus_p():
    # Var[y] = x^2 (1/(1-p) - 1) = x^2 p / (1-p); for x = 1 and p = 0.5 that is 1
    y = dl.Dropout(0.5, rng=np.random.default_rng(1)).forward(np.ones((500, 400)))
    assert abs(y.var() - 1.0) < 0.02


def test_eval_mode_is_identity_and_backward_passes_through():
    layer = dl.Dropout(0.5, rng=np.random.default_rng(0)).eval()
    x = np.random.default_rng(1).standard_normal((8, 6))
    y = layer.forward(x)
    assert y is x or np.array_equal(y, x)
    dy = np.arange(48.0).reshape(8, 6)
    np.testing.assert_array_equal(layer.backward(dy), dy)


def test_sequential_predict_uses_eval_mode():
    rng = np.random.default_rng(0)
    model = dl.Sequential(dl.Dense(3, 16, rng=rng), dl.ReLU(), dl.Dropout(0.5, rng=rng),
                          dl.Dense(16, 1, rng=rng))
    X = rng.standard_normal((5, 3))
    np.testing.assert_array_equal(model.predict(X), model.predict(X))
    assert model.training  # predict restores training mode
    a, b = model.forward(X), model.forward(X)
    assert not np.array_equal(a, b)  # two training passes draw two masks


def test_p_zero_is_identity():
    layer = dl.Dropout(0.0, rng=np.random.default_rng(0))
    x = np.random.default_rng(1).standard_normal((4, 5))
    np.testing.assert_array_equal(layer.forward(x), x)
    np.testing.assert_array_equal(layer.backward(np.ones((4, 5))), np.ones((4, 5)))


def test_backward_uses_the_forward_mask():
    layer = dl.Dropout(0.4, rng=np.random.default_rng(3))
    x = np.random.default_rng(4).standard_normal((6, 7))
    y = layer.forward(x)
    mask = layer.mask.copy()
    np.testing.assert_allclose(y, x * mask)
    dy = np.random.default_rng(5).standard_normal((6, 7))
    dx = layer.backward(dy)
    np.testing.assert_allclose(dx, dy * mask)
    # dropped units get no gradient, kept ones get dy / (1 - p)
    assert np.all(dx[mask == 0] == 0)
    np.testing.assert_allclose(dx[mask != 0], dy[mask != 0] / 0.6)
    # a second backward, without a new forward, uses the same mask
    np.testing.assert_allclose(layer.backward(dy), dx)


def test_same_rng_state_same_mask():
    a = dl.Dropout(0.5, rng=np.random.default_rng(7))
    b = dl.Dropout(0.5, rng=np.random.default_rng(7))
    x = np.ones((3, 4))
    np.testing.assert_array_equal(a.forward(x), b.forward(x))


def test_gradcheck_layer_with_mask_held_fixed():
    layer = dl.Dropout(0.3, rng=np.random.default_rng(1))
    x = np.random.default_rng(2).standard_normal((5, 8))
    result = gc.check_layer(layer, x)
    gc.assert_gradients_ok(result)


def test_gradcheck_model_with_dropout():
    rng = np.random.default_rng(0)
    model = dl.Sequential(dl.Dense(3, 8, rng=rng), dl.ReLU(),
                          dl.Dropout(0.5, rng=np.random.default_rng(9)), dl.Dense(8, 1, rng=rng))
    X = rng.standard_normal((6, 3))
    y = np.array([0, 1, 1, 0, 1, 0])
    gc.assert_gradients_ok(gc.check_model(model, dl.binary_cross_entropy, X, y))


def test_plain_functions_match_the_layer():
    x = np.random.default_rng(0).standard_normal((4, 6))
    y, mask = dropout_forward(x, 0.25, np.random.default_rng(11))
    layer_y = dl.Dropout(0.25, rng=np.random.default_rng(11)).forward(x)
    np.testing.assert_array_equal(y, layer_y)
    np.testing.assert_array_equal(dropout_backward(np.ones_like(x), mask), mask)
    y_eval, mask_eval = dropout_forward(x, 0.25, np.random.default_rng(11), training=False)
    assert mask_eval is None and np.array_equal(y_eval, x)
    assert dropout_backward(x, None) is x


def test_mask_convention_keep_where_u_at_least_p():
    u = np.random.default_rng(5).random((3, 4))
    mask = dropout_mask((3, 4), 0.5, np.random.default_rng(5))
    np.testing.assert_array_equal(mask, (u >= 0.5) * 2.0)


def test_float32_stays_float32():
    layer = dl.Dropout(0.5, rng=np.random.default_rng(0))
    x = np.ones((4, 4), dtype=np.float32)
    assert layer.forward(x).dtype == np.float32
    assert layer.backward(np.ones((4, 4), dtype=np.float32)).dtype == np.float32


@pytest.mark.parametrize("p", [1.0, -0.1, 1.5])
def test_bad_p_raises_naming_p(p):
    with pytest.raises(ValueError, match=r"p is the DROP probability and must be in \[0, 1\), got"):
        dl.Dropout(p)


def test_non_number_p_raises_type_error():
    with pytest.raises(TypeError, match="p must be a number"):
        dl.Dropout("0.5")
    with pytest.raises(TypeError, match="p must be a number"):
        dl.Dropout(True)


def test_bad_rng_and_backward_before_forward():
    with pytest.raises(TypeError, match="rng"):
        dl.Dropout(0.5, rng=0)
    with pytest.raises(RuntimeError, match="before forward"):
        dl.Dropout(0.5, rng=np.random.default_rng(0)).backward(np.ones((2, 2)))


def test_backward_shape_mismatch():
    layer = dl.Dropout(0.5, rng=np.random.default_rng(0))
    layer.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"dy must have shape \(2, 3\)"):
        layer.backward(np.ones((3, 2)))


def test_repr_names_the_drop_probability():
    assert repr(dl.Dropout(0.25, rng=np.random.default_rng(0))) == "Dropout(p=0.25)"


def test_plain_function_rejects_a_list_and_scales_integers_exactly():
    with pytest.raises(TypeError, match="x must be a NumPy array, got list"):
        dropout_forward([1.0, 2.0], 0.5, np.random.default_rng(0))
    # p = 0.3: kept units must be 1 / 0.7 = 1.4286..., not int(1.43) = 1
    y, mask = dropout_forward(np.ones((50, 40), dtype=int), 0.3, np.random.default_rng(0))
    assert y.dtype == np.float64
    np.testing.assert_allclose(y[y != 0], 1 / 0.7)
