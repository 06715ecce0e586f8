"""BatchNorm: training vs evaluation, running statistics, gradients, bad input."""

import numpy as np
import pytest

import dlkit as dl
from dlkit.batchnorm import batchnorm_backward, batchnorm_forward
from dlkit.gradcheck import assert_gradients_ok, check_layer


def test_training_mode_output_has_zero_mean_unit_variance_per_feature():
    rng = np.random.default_rng(0)
    x = rng.normal(5.0, 3.0, size=(64, 4)) * np.array([1, 10, 0.1, 100])
    y = dl.BatchNorm(4).forward(x)
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-12)
    var = x.var(axis=0)
    np.testing.assert_allclose(y.var(axis=0), var / (var + 1e-5), rtol=1e-10)  # eps: just below 1


def test_the_formula_by_hand():
    """x = (1, 3) per feature: mu = 2, sigma^2 = 1 (biased) -> x_hat = (-1, 1) / sqrt(1 + eps)."""
    bn = dl.BatchNorm(1, eps=0.25)
    bn.gamma.value[:] = 2.0
    bn.beta.value[:] = 0.5
    y = bn.forward(np.array([[1.0], [3.0]]))
    x_hat = np.array([[-1.0], [1.0]]) / np.sqrt(1.0 + 0.25)     # eps inside the sqrt
    np.testing.assert_allclose(y, 2.0 * x_hat + 0.5)


def test_images_are_normalized_per_channel_over_batch_and_space():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 2, 4, 5)) * np.array([1.0, 20.0]).reshape(1, 2, 1, 1) + 7
    y = dl.BatchNorm(2).forward(x)
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1.0, atol=1e-3)


def test_running_statistics_follow_the_momentum_convention():
    bn = dl.BatchNorm(2, momentum=0.9)
    x1 = np.array([[0.0, 10.0], [2.0, 14.0]])      # mean (1, 12), unbiased var (2, 8)
    bn.forward(x1)
    np.testing.assert_allclose(bn.running_mean, 0.9 * 0 + 0.1 * np.array([1.0, 12.0]))
    np.testing.assert_allclose(bn.running_var, 0.9 * 1 + 0.1 * np.array([2.0, 8.0]))
    x2 = np.array([[4.0, 0.0], [4.0, 2.0]])        # mean (4, 1), unbiased var (0, 2)
    bn.forward(x2)
    np.testing.assert_allclose(bn.running_mean, 0.9 * np.array([0.1, 1.2]) + 0.1 * np.array([4, 1]))
    np.testing.assert_allclose(bn.running_var, 0.9 * np.array([1.1, 1.7]) + 0.1 * np.array([0, 2]))


def test_running_statistics_converge_to_the_data_statistics():
    rng = np.random.default_rng(2)
    bn = dl.BatchNorm(3, momentum=0.9)
    mean, std = np.array([1.0, -2.0, 5.0]), np.array([0.5, 2.0, 3.0])
    for _ in range(300):
        bn.forward(rng.normal(mean, std, size=(32, 3)))
    np.testing.assert_allclose(bn.running_mean, mean, atol=0.15 * std.max())
    np.testing.assert_allclose(bn.running_var, std ** 2, rtol=0.25)


def test_eval_mode_uses_running_statistics_and_does_not_update_them():
    bn = dl.BatchNorm(2)
    bn.running_mean[:] = [1.0, 2.0]
    bn.running_var[:] = [4.0, 9.0]
    bn.gamma.value[:] = [1.0, 2.0]
    bn.beta.value[:] = [0.0, 1.0]
    bn.eval()
    x = np.array([[3.0, 2.0], [5.0, 8.0], [1.0, -1.0]])
    y = bn.forward(x)
    expected = (x - [1.0, 2.0]) / np.sqrt(np.array([4.0, 9.0]) + bn.eps) * [1.0, 2.0] + [0.0, 1.0]
    np.testing.assert_allclose(y, expected)
    np.testing.assert_array_equal(bn.running_mean, [1.0, 2.0])
    np.testing.assert_array_equal(bn.running_var, [4.0, 9.0])
    # in eval mode an example's output does not depend on the rest of the batch
    np.testing.assert_allclose(bn.forward(x[:1]), y[:1])


def test_training_mode_output_depends_on_the_batch_eval_mode_does_not():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((8, 3))
    bn = dl.BatchNorm(3)
    a = bn.forward(x)[:4]
    b = bn.forward(x[:4])
    assert not np.allclose(a, b)
    bn.eval()
    np.testing.assert_allclose(bn.forward(x)[:4], bn.forward(x[:4]))


def test_sequential_predict_switches_to_running_statistics():
    rng = np.random.default_rng(4)
    model = dl.Sequential(dl.Dense(3, 4, rng=rng), dl.BatchNorm(4), dl.ReLU(),
                          dl.Dense(4, 1, rng=rng))
    X = rng.standard_normal((50, 3))
    y = (X[:, 0] > 0).astype(float)
    dl.fit(model, X, y, epochs=5, batch_size=10, rng=rng)
    bn = model[1]
    before = bn.running_mean.copy()
    model.predict(X[:1])                     # a batch of one works in eval mode
    np.testing.assert_array_equal(bn.running_mean, before)
    assert model.training


@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 3, 2)])
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_gradients(shape, mode):
    rng = np.random.default_rng(5)
    bn = dl.BatchNorm(4)
    bn.gamma.value[:] = rng.uniform(0.5, 2, 4)
    bn.beta.value[:] = rng.standard_normal(4)
    bn.running_mean[:] = rng.standard_normal(4)
    bn.running_var[:] = rng.uniform(0.5, 2, 4)
    if mode == "eval":
        bn.eval()
    result = check_layer(bn, rng.normal(2.0, 3.0, size=shape))
    assert_gradients_ok(result)
    assert set(result.errors) == {"x", "gamma", "beta"}


def test_compact_backward_matches_the_step_by_step_chain_rule():
    rng = np.random.default_rng(6)
    x, dy = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    gamma, beta, eps = rng.uniform(0.5, 2, 3), rng.standard_normal(3), 1e-5
    _, cache = batchnorm_forward(x, gamma, beta, eps)
    dx, dgamma, dbeta = batchnorm_backward(dy, cache)
    # the long way: through mu and var as intermediate nodes
    n = len(x)
    mu, var = x.mean(0), x.var(0)
    x_hat = (x - mu) / np.sqrt(var + eps)
    dx_hat = dy * gamma
    dvar = np.sum(dx_hat * (x - mu) * -0.5 * (var + eps) ** -1.5, axis=0)
    dmu = np.sum(-dx_hat / np.sqrt(var + eps), axis=0) + dvar * np.mean(-2 * (x - mu), axis=0)
    dx_long = dx_hat / np.sqrt(var + eps) + dvar * 2 * (x - mu) / n + dmu / n
    np.testing.assert_allclose(dx, dx_long, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dgamma, np.sum(dy * x_hat, 0))
    np.testing.assert_allclose(dbeta, dy.sum(0))


def test_parameters_are_gamma_and_beta_not_regularized():
    bn = dl.BatchNorm(5)
    assert [p.name for p in bn.parameters()] == ["gamma", "beta"]
    assert not any(p.regularize for p in bn.parameters())
    np.testing.assert_array_equal(bn.gamma.value, 1.0)
    np.testing.assert_array_equal(bn.beta.value, 0.0)
    assert bn.num_features == 5


def test_float32():
    bn = dl.BatchNorm(3, dtype=np.float32)
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    y = bn.forward(x)
    assert y.dtype == np.float32 and bn.backward(y).dtype == np.float32


def test_bad_input():
    bn = dl.BatchNorm(4)
    with pytest.raises(ValueError, match=r"\(1, 4\) \(1 value\(s\) per feature\)"):
        bn.forward(np.ones((1, 4)))
    with pytest.raises(ValueError, match=r"\(0 value\(s\) per feature\)"):
        bn.forward(np.ones((0, 4, 2, 2)))
    with pytest.raises(ValueError, match=r"num_features=4.*\(8, 3\)"):
        bn.forward(np.ones((8, 3)))
    with pytest.raises(ValueError, match="num_features"):
        bn.forward(np.ones((8, 4, 2)))
    with pytest.raises(ValueError, match="momentum"):
        dl.BatchNorm(4, momentum=1.0)
    with pytest.raises(ValueError, match="eps"):
        dl.BatchNorm(4, eps=0.0)
    with pytest.raises(ValueError, match="num_features"):
        dl.BatchNorm(0)
    with pytest.raises(RuntimeError, match="before forward"):
        dl.BatchNorm(4).backward(np.ones((2, 4)))
    bn.eval()
    assert bn.forward(np.ones((1, 4))).shape == (1, 4)   # eval mode: fine
    for empty in ((0, 4), (0, 4, 3, 3)):                 # and an empty batch gives an empty one
        assert bn.forward(np.ones(empty)).shape == empty
        assert bn.backward(np.ones(empty)).shape == empty


def test_sequential_checks_batchnorm_width():
    with pytest.raises(ValueError, match="expects 8 input features"):
        dl.Sequential(dl.Dense(3, 4), dl.BatchNorm(8))


@pytest.mark.parametrize("mode", ["train", "eval"])
@pytest.mark.parametrize("shape", [(6, 4), (3, 4, 3, 2)])
def test_strided_input_and_gradient_match_a_contiguous_copy(shape, mode):
    """The elementwise steps view x as an (N, F) matrix; a strided x or dy (a slice, a
    transpose) must give what its contiguous copy gives, and never be written to."""
    rng = np.random.default_rng(7)
    big = rng.normal(1.0, 2.0, size=(2 * shape[0],) + shape[1:])
    x = big[::2]                                        # every other example: strided
    dy = np.asfortranarray(rng.standard_normal(shape))  # column-major: not C-contiguous
    assert not x.flags.c_contiguous and not dy.flags.c_contiguous
    x_before, dy_before = x.copy(), dy.copy()
    results = []
    for xs, dys in ((x, dy), (np.ascontiguousarray(x), np.ascontiguousarray(dy))):
        bn = dl.BatchNorm(4)
        bn.gamma.value[:] = [0.5, 1.0, 1.5, 2.0]
        bn.running_var[:] = 2.0
        if mode == "eval":
            bn.eval()
        y = bn.forward(xs)
        results.append((y, bn.backward(dys), bn.gamma.grad.copy(), bn.beta.grad.copy()))
    for got, want in zip(*results):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(dy, dy_before)


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_backward_leaves_the_cache_for_another_backward(mode):
    """backward reads the forward's cache and never writes into it: a second backward after
    the same forward gives the same dx and adds the same parameter gradients once more."""
    rng = np.random.default_rng(8)
    x, dy = rng.standard_normal((5, 3, 2, 2)), rng.standard_normal((5, 3, 2, 2))
    bn = dl.BatchNorm(3)
    if mode == "eval":
        bn.eval()
    bn.forward(x)
    first, dgamma = bn.backward(dy), bn.gamma.grad.copy()
    np.testing.assert_array_equal(bn.backward(dy), first)
    np.testing.assert_array_equal(bn.gamma.grad, 2 * dgamma)


def test_dy_of_another_shape_is_refused_by_name():
    bn = dl.BatchNorm(3)
    bn.forward(np.random.default_rng(10).standard_normal((4, 3, 2, 2)))
    with pytest.raises(ValueError, match=r"shape of the last forward's x, \(4, 3, 2, 2\), got "
                                         r"\(4, 3, 3, 3\)"):
        bn.backward(np.ones((4, 3, 3, 3)))
