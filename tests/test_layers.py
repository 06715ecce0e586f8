"""Dense, activations and Sequential: forward values, gradient checks, bookkeeping."""

import numpy as np
import pytest

import dlkit as dl
from dlkit.gradcheck import check_layer, check_model

RNG = np.random.default_rng(0)


def test_dense_forward_is_xW_plus_b():
    layer = dl.Dense(3, 2, rng=np.random.default_rng(1))
    layer.W.value[...] = [[1, 2], [3, 4], [5, 6]]
    layer.b.value[...] = [10, 20]
    y = layer.forward(np.array([[1.0, 0.0, -1.0]]))
    # 1*1 + 0*3 - 1*5 + 10 = 6 ; 1*2 + 0*4 - 1*6 + 20 = 16
    np.testing.assert_allclose(y, [[6.0, 16.0]])


def test_dense_backward_by_hand():
    layer = dl.Dense(2, 1, rng=np.random.default_rng(1))
    layer.W.value[...] = [[2.0], [-1.0]]
    x = np.array([[1.0, 3.0], [2.0, 0.0]])
    layer.forward(x)
    dx = layer.backward(np.array([[1.0], [0.5]]))
    # dW = x^T dy = [[1*1 + 2*0.5], [3*1 + 0*0.5]] = [[2], [3]]; db = 1.5; dx = dy W^T
    np.testing.assert_allclose(layer.W.grad, [[2.0], [3.0]])
    np.testing.assert_allclose(layer.b.grad, [1.5])
    np.testing.assert_allclose(dx, [[2.0, -1.0], [1.0, -0.5]])


def test_backward_accumulates_until_zero_grad():
    layer = dl.Dense(2, 2, rng=np.random.default_rng(1))
    x = RNG.standard_normal((4, 2))
    layer.forward(x)
    layer.backward(np.ones((4, 2)))
    once = layer.W.grad.copy()
    layer.backward(np.ones((4, 2)))
    np.testing.assert_allclose(layer.W.grad, 2 * once)
    dl.SGD(layer.parameters(), lr=0.1).zero_grad()
    assert not layer.W.grad.any()


def test_backward_never_updates_weights():
    layer = dl.Dense(3, 2, rng=np.random.default_rng(1))
    before = layer.W.value.copy()
    layer.forward(RNG.standard_normal((4, 3)))
    layer.backward(RNG.standard_normal((4, 2)))
    np.testing.assert_array_equal(layer.W.value, before)


@pytest.mark.parametrize("layer", [dl.Dense(4, 3, rng=np.random.default_rng(2)), dl.ReLU(),
                                   dl.Sigmoid(), dl.Tanh()], ids=repr)
def test_gradient_check_every_layer(layer):
    x = np.random.default_rng(3).standard_normal((5, 4))
    x[np.abs(x) < 1e-3] = 0.5  # keep ReLU away from its kink at 0
    result = check_layer(layer, x)
    assert result.max_error < 1e-7, result.report()


def test_gradient_check_sequential_model():
    rng = np.random.default_rng(4)
    model = dl.Sequential(dl.Dense(3, 6, rng=rng), dl.Tanh(), dl.Dense(6, 4, rng=rng),
                          dl.Sigmoid(), dl.Dense(4, 3, rng=rng))
    X = rng.standard_normal((7, 3))
    y = rng.integers(0, 3, 7)
    result = check_model(model, dl.softmax_cross_entropy, X, y, check_input=True)
    assert result.max_error < 1e-7, result.report()
    assert set(result.errors) == {"x", "0.W", "0.b", "2.W", "2.b", "4.W", "4.b"}


def test_activation_values():
    x = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_allclose(dl.ReLU().forward(x), [0, 0, 3])
    np.testing.assert_allclose(dl.Sigmoid().forward(x), 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(dl.Tanh().forward(x), np.tanh(x))
    big = np.array([-1e4, 1e4])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        np.testing.assert_allclose(dl.sigmoid(big), [0.0, 1.0])


def test_sequential_bookkeeping():
    rng = np.random.default_rng(5)
    model = dl.Sequential(dl.Dense(2, 4, rng=rng), dl.ReLU(), dl.Dense(4, 1, rng=rng))
    assert model.num_parameters() == 2 * 4 + 4 + 4 * 1 + 1
    assert [n for n, _ in model.named_parameters()] == ["0.W", "0.b", "2.W", "2.b"]
    model.eval()
    assert all(not layer.training for layer in model)
    model.train()
    assert all(layer.training for layer in model)
    model.freeze(1)
    assert [p.trainable for p in model.parameters()] == [False, False, True, True]
    model.unfreeze()
    assert all(p.trainable for p in model.parameters())
    assert "total 17 params" in model.summary()


def test_state_dict_round_trip():
    rng = np.random.default_rng(6)
    model = dl.Sequential(dl.Dense(2, 3, rng=rng), dl.ReLU(), dl.Dense(3, 1, rng=rng))
    state = model.state_dict()
    for p in model.parameters():
        p.value += 1.0
    model.load_state_dict(state)
    for name, p in model.named_parameters():
        np.testing.assert_array_equal(p.value, state[name])


def test_float32_model_stays_float32():
    rng = np.random.default_rng(7)
    model = dl.Sequential(dl.Dense(2, 8, rng=rng, dtype=np.float32), dl.ReLU(),
                          dl.Dense(8, 1, rng=rng, dtype=np.float32))
    X, y = dl.datasets.make_moons(64, rng=rng)
    history = dl.fit(model, X, y, lr=0.5, epochs=5, batch_size=16, rng=rng)
    assert all(p.dtype == np.float32 for p in model.parameters())
    assert model.forward(X.astype(np.float32)).dtype == np.float32
    assert np.isfinite(history["loss"]).all()

