"""Conv2D, MaxPool2D, Flatten: against direct loops, gradient checks, shapes and bad input."""

import numpy as np
import pytest

import dlkit as dl
from dlkit.gradcheck import assert_gradients_ok, check_layer, check_model


def conv_loops(x, W, b, stride, padding):
    """The definition, one output at a time: y[n,f,i,j] = b[f] + sum W[f] * window."""
    n, c, h, w = x.shape
    f, _, kh, kw = W.shape
    (sh, sw), (ph, pw) = stride, padding
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    ho, wo = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    y = np.zeros((n, f, ho, wo))
    for a in range(n):
        for o in range(f):
            for i in range(ho):
                for j in range(wo):
                    y[a, o, i, j] = b[o] + np.sum(W[o] * xp[a, :, i * sh:i * sh + kh,
                                                            j * sw:j * sw + kw])
    return y


def pool_loops(x, k, s):
    n, c, h, w = x.shape
    ho, wo = (h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1
    y = np.zeros((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            y[:, :, i, j] = x[:, :, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]].max(
                axis=(2, 3))
    return y


CONV_CASES = [  # (kernel, stride, padding, input H, W)
    (3, 1, 0, 6, 5), (3, 1, 1, 6, 5), (3, 2, 1, 7, 6), (2, 3, 2, 7, 7), ((2, 3), (2, 1), (0, 1), 6, 5),
    (1, 1, 0, 4, 4), (5, 2, 2, 5, 5),
]


@pytest.mark.parametrize("k,s,p,h,w", CONV_CASES)
def test_conv_forward_matches_the_loop_definition(k, s, p, h, w):
    rng = np.random.default_rng(0)
    conv = dl.Conv2D(3, 4, k, stride=s, padding=p, rng=rng)
    conv.b.value[:] = rng.standard_normal(4)
    x = rng.standard_normal((2, 3, h, w))
    y = conv.forward(x)
    np.testing.assert_allclose(y, conv_loops(x, conv.W.value, conv.b.value, conv.stride,
                                             conv.padding), atol=1e-12)
    assert y.shape[2:] == conv.output_shape(h, w)


@pytest.mark.parametrize("k,s,p,h,w", CONV_CASES)
def test_conv_gradients(k, s, p, h, w):
    rng = np.random.default_rng(1)
    conv = dl.Conv2D(2, 3, k, stride=s, padding=p, rng=rng)
    conv.b.value[:] = rng.standard_normal(3)
    result = check_layer(conv, rng.standard_normal((2, 2, h, w)))
    assert_gradients_ok(result)
    assert set(result.errors) == {"x", "W", "b"}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_backward_is_the_im2col_formulas_and_leaves_the_cache(dtype):
    """dW = dY cols^T and dcols = W^T dY, then col2im; backward writes nothing into the
    forward's cache, so a second backward gives the same dx."""
    rng = np.random.default_rng(11)
    layer = dl.Conv2D(3, 4, 3, stride=2, padding=1, rng=rng, dtype=dtype)
    x = rng.standard_normal((2, 3, 7, 6)).astype(dtype)
    layer.forward(x)
    cols = layer._cols.copy()
    dy = rng.standard_normal((2, 4, 4, 3)).astype(dtype)
    dx = layer.backward(dy)
    dY = dy.transpose(1, 0, 2, 3).reshape(4, -1)
    np.testing.assert_allclose(layer.W.grad, (dY @ cols.T).reshape(layer.W.shape), rtol=1e-5)
    np.testing.assert_array_equal(layer._cols, cols)
    np.testing.assert_array_equal(layer.backward(dy), dx)


def test_a_single_one_hot_kernel_shifts_the_image():
    conv = dl.Conv2D(1, 1, 3, padding=1, init="zeros")
    conv.W.value[0, 0, 1, 2] = 1.0          # read the right neighbour
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    y = conv.forward(x)
    np.testing.assert_array_equal(y[0, 0, :, :3], x[0, 0, :, 1:])
    np.testing.assert_array_equal(y[0, 0, :, 3], 0.0)


def test_conv_parameters_and_attributes():
    conv = dl.Conv2D(3, 8, 5, rng=np.random.default_rng(0))
    assert (conv.in_channels, conv.out_channels) == (3, 8)
    assert conv.W.shape == (8, 3, 5, 5) and conv.b.shape == (8,)
    assert conv.W.name == "W" and conv.W.regularize and conv.b.name == "b"
    assert not conv.b.regularize
    # He initialization: Var(W) = 2 / fan_in, fan_in = C_in kH kW = 75
    big = dl.Conv2D(16, 64, 3, rng=np.random.default_rng(0))
    assert big.W.value.std() == pytest.approx(np.sqrt(2 / 144), rel=0.05)


def test_conv_float32_stays_float32():
    conv = dl.Conv2D(2, 3, 3, rng=np.random.default_rng(0), dtype=np.float32)
    x = np.random.default_rng(1).standard_normal((2, 2, 5, 5)).astype(np.float32)
    y = conv.forward(x)
    assert y.dtype == np.float32
    assert conv.backward(np.ones_like(y)).dtype == np.float32


def test_conv_bad_input():
    conv = dl.Conv2D(3, 4, 3)
    with pytest.raises(ValueError, match=r"in_channels=3.*\(2, 1, 8, 8\)"):
        conv.forward(np.zeros((2, 1, 8, 8)))
    with pytest.raises(ValueError, match="channels last"):
        conv.forward(np.zeros((2, 8, 8, 3)))
    with pytest.raises(ValueError, match="channel axis"):
        conv.forward(np.zeros((2, 8, 8)))
    with pytest.raises(ValueError, match="smaller than the kernel"):
        conv.forward(np.zeros((1, 3, 2, 2)))
    with pytest.raises(ValueError, match="in_channels"):
        dl.Conv2D(0, 4, 3)
    with pytest.raises(ValueError, match="stride"):
        dl.Conv2D(1, 4, 3, stride=0)
    with pytest.raises(ValueError, match="kernel_size"):
        dl.Conv2D(1, 4, (3, 3, 3))
    with pytest.raises(RuntimeError, match="before forward"):
        dl.Conv2D(1, 1, 1).backward(np.zeros((1, 1, 1, 1)))
    conv.forward(np.zeros((2, 3, 8, 8)))
    with pytest.raises(ValueError, match="dy"):
        conv.backward(np.zeros((2, 4, 5, 5)))


@pytest.mark.parametrize("k,s", [(2, None), (3, 1), (2, 1), (3, 2), ((2, 3), (1, 2))])
def test_maxpool_forward_and_gradients(k, s):
    rng = np.random.default_rng(3)
    pool = dl.MaxPool2D(k, s)
    x = rng.standard_normal((2, 3, 7, 6))
    np.testing.assert_array_equal(pool.forward(x), pool_loops(x, pool.kernel_size, pool.stride))
    assert_gradients_ok(check_layer(pool, x))


def test_maxpool_routes_the_gradient_to_the_max_only():
    pool = dl.MaxPool2D(2)
    x = np.array([[1.0, 5.0], [3.0, 2.0]]).reshape(1, 1, 2, 2)
    assert pool.forward(x).item() == 5.0
    np.testing.assert_array_equal(pool.backward(np.array([[[[7.0]]]]))[0, 0], [[0, 7], [0, 0]])
    # overlapping windows: one input that wins two windows gets both gradients
    pool = dl.MaxPool2D(2, stride=1)
    x = np.array([[0.0, 9.0, 0.0]]).reshape(1, 1, 1, 3)
    x = np.concatenate([x, x], axis=2)          # (1, 1, 2, 3), the 9s win both windows
    pool.forward(x)
    dx = pool.backward(np.ones((1, 1, 1, 2)))
    assert dx.sum() == 2.0 and dx[0, 0, 0, 1] == 2.0


def test_maxpool_bad_input():
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        dl.MaxPool2D(2).forward(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="smaller than the window"):
        dl.MaxPool2D(3).forward(np.zeros((1, 1, 2, 2)))
    with pytest.raises(ValueError, match="kernel_size"):
        dl.MaxPool2D(0)


def test_flatten_round_trip():
    x = np.arange(24.0).reshape(2, 3, 2, 2)
    f = dl.Flatten()
    y = f.forward(x)
    np.testing.assert_array_equal(y, x.reshape(2, 12))
    np.testing.assert_array_equal(f.backward(y), x)
    with pytest.raises(ValueError, match="Flatten"):
        f.forward(np.zeros(3))


def test_a_small_conv_net_gradient_check():
    rng = np.random.default_rng(4)
    model = dl.Sequential(dl.Conv2D(1, 2, 3, padding=1, rng=rng, bias=False), dl.BatchNorm(2),
                          dl.ReLU(), dl.MaxPool2D(2), dl.Flatten(), dl.Dense(2 * 3 * 3, 3, rng=rng))
    X = rng.standard_normal((4, 1, 6, 6))
    y = np.array([0, 1, 2, 1])
    assert_gradients_ok(check_model(model, dl.softmax_cross_entropy, X, y, check_input=True))


def test_a_bias_before_batchnorm_gets_no_gradient():
    """BatchNorm subtracts the batch mean: a constant added before it changes nothing."""
    rng = np.random.default_rng(5)
    conv, bn = dl.Conv2D(1, 2, 3, rng=rng), dl.BatchNorm(2)
    x = rng.standard_normal((4, 1, 5, 5))
    y = bn.forward(conv.forward(x))
    conv.backward(bn.backward(rng.standard_normal(y.shape)))
    np.testing.assert_allclose(conv.b.grad, 0.0, atol=1e-12)
    assert np.abs(conv.W.grad).max() > 1e-3


def test_sequential_checks_channel_counts():
    with pytest.raises(ValueError, match="expects 4 input features"):
        dl.Sequential(dl.Conv2D(1, 8, 3), dl.ReLU(), dl.Conv2D(4, 8, 3))
    with pytest.raises(ValueError, match="expects 4 input features"):
        dl.Sequential(dl.Conv2D(1, 8, 3), dl.BatchNorm(4))
    # after Flatten the width is C H W, unknown before running: no false alarm
    dl.Sequential(dl.Conv2D(1, 8, 3), dl.Flatten(), dl.Dense(8 * 26 * 26, 10))


def test_a_conv_net_learns_the_digits():
    X, y = dl.datasets.load_digits(600)
    rng = np.random.default_rng(0)
    model = dl.Sequential(dl.Conv2D(1, 4, 3, rng=rng), dl.ReLU(), dl.MaxPool2D(2), dl.Flatten(),
                          dl.Dense(4 * 13 * 13, 10, rng=rng))
    h = dl.fit(model, X[:500, None], y[:500], loss="softmax_cross_entropy", lr=0.1, epochs=3,
               batch_size=32, rng=rng, validation_data=(X[500:, None], y[500:]))
    assert h["val_accuracy"][-1] > 0.7
