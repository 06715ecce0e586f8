"""dlkit.overfit: a correct model overfits one batch; broken ones do not, and the verdict says why."""

import numpy as np
import pytest

import dlkit as dl
from dlkit.overfit import diagnose, overfit_one_batch


@pytest.fixture(scope="module")
def batch():
    return dl.datasets.make_xor(16, noise=0.2, rng=np.random.default_rng(230))


def mlp(hidden=16, first=dl.Dense, act=dl.Tanh, seed=0):
    r = np.random.default_rng(seed)
    return dl.Sequential(first(2, hidden, rng=r), act(), dl.Dense(hidden, 1, rng=r))


class SignSlipTanh(dl.Tanh):
    def backward(self, dy):
        return dy * (self._y ** 2 - 1.0)


class NoBiasGradDense(dl.Dense):
    def backward(self, dy):
        self.W.grad += self._x.T @ dy
        return dy @ self.W.value.T


def no_zero_grad(model, optimizer, dz):
    model.backward(dz)
    optimizer.step()


def gradient_ascent(model, optimizer, dz):
    optimizer.zero_grad()
    model.backward(dz)
    for p in model.parameters():
        p.value += optimizer.lr * p.grad


def test_a_correct_model_overfits(batch):
    X, y = batch
    model = mlp()
    initial_loss = dl.binary_cross_entropy(model.forward(X), y)[0]
    r = overfit_one_batch(model, X, y, lr=0.5, max_iterations=1000)
    assert r.reached and r.diagnosis == "overfits"
    assert isinstance(r.iterations, int) and 0 < r.iterations < 1000
    assert r.final_loss <= 0.01 and r.final_accuracy == 1.0
    assert len(r.losses) == r.iterations + 1 == len(r.accuracies)
    assert r.losses[0] == pytest.approx(initial_loss)
    assert r.losses[-2] > 0.01  # it stopped at the first iteration below the threshold
    assert r.verdict.startswith(f"overfits: loss {r.final_loss:.3g} <= 0.01 and accuracy 100% "
                                f"after {r.iterations} iterations")
    # the model was trained in place: it now fits the batch
    assert dl.binary_cross_entropy(model.forward(X), y)[0] == pytest.approx(r.final_loss)


def test_losses_t_is_the_loss_after_t_updates(batch):
    X, y = batch
    r = overfit_one_batch(mlp(), X, y, lr=0.5, max_iterations=3, stop_when_reached=False)
    model = mlp()
    opt = dl.SGD(model.parameters(), lr=0.5)
    expected = []
    for _ in range(4):
        value, dz = dl.binary_cross_entropy(model.forward(X), y)
        expected.append(value)
        opt.zero_grad()
        model.backward(dz)
        opt.step()
    assert np.allclose(r.losses, expected, rtol=1e-12)
    assert not r.reached and len(r.losses) == 4


def test_same_seed_same_result(batch):
    X, y = batch
    a = overfit_one_batch(mlp(), X, y, lr=0.5)
    b = overfit_one_batch(mlp(), X, y, lr=0.5)
    assert a.iterations == b.iterations and np.array_equal(a.losses, b.losses)


@pytest.mark.parametrize("case, expected", [
    ("wrong sign in Tanh.backward", {"oscillates", "went up"}),
    ("missing bias gradient", {"plateau"}),
    ("learning rate 1e-4", {"barely moved"}),
    ("Dense(2, 1) on XOR", {"plateau"}),
])
def test_broken_models_fail_with_a_diagnosis(batch, case, expected):
    X, y = batch
    model, lr = {
        "wrong sign in Tanh.backward": (mlp(act=SignSlipTanh), 0.5),
        "missing bias gradient": (mlp(first=NoBiasGradDense), 0.5),
        "learning rate 1e-4": (mlp(), 1e-4),
        "Dense(2, 1) on XOR": (dl.Sequential(dl.Dense(2, 1, rng=np.random.default_rng(0))), 0.5),
    }[case]
    r = overfit_one_batch(model, X, y, lr=lr, max_iterations=1000)
    assert not r.reached and r.iterations is None
    assert r.diagnosis in expected
    assert r.final_loss > 0.3 and r.final_accuracy < 1.0
    assert len(r.losses) == 1001
    assert r.verdict.startswith("FAILS")


def test_a_linear_model_cannot_fit_xor_whatever_the_lr(batch):
    X, y = batch
    for lr in [0.05, 0.5, 5.0]:
        r = overfit_one_batch(dl.Sequential(dl.Dense(2, 1, rng=np.random.default_rng(0))), X, y,
                              lr=lr, max_iterations=500)
        assert not r.reached and r.final_accuracy <= 0.75


def test_width_only_helps(batch):
    # More parameters are not a reason to fail: wider networks overfit too.
    X, y = batch
    for hidden in [4, 16, 64, 256]:
        assert overfit_one_batch(mlp(hidden), X, y, lr=0.5, max_iterations=1500).reached


def deep_mlp(depth, act=dl.Tanh, init="xavier", seed=0, hidden=16):
    r = np.random.default_rng(seed)
    layers, width = [], 2
    for _ in range(depth):
        layers += [dl.Dense(width, hidden, init=init, rng=r), act()]
        width = hidden
    return dl.Sequential(*layers, dl.Dense(width, 1, rng=r))


def test_depth_can_fail_and_the_verdict_names_the_cures(batch):
    # ... but depth can: a plain deep net at a shallow net's learning rate fails, and a
    # smaller learning rate rescues the same net (seed 4 is stuck whatever the round-off).
    X, y = batch
    deep = overfit_one_batch(deep_mlp(16, seed=4), X, y, lr=0.5, max_iterations=1500)
    assert not deep.reached and deep.final_loss > 0.3
    assert "a smaller learning rate" in deep.verdict and "residual connections" in deep.verdict
    assert overfit_one_batch(deep_mlp(16, seed=4), X, y, lr=0.05, max_iterations=1500).reached
    relu = overfit_one_batch(deep_mlp(32, dl.ReLU, "he", seed=0), X, y, lr=0.5,
                             max_iterations=1500)
    assert relu.diagnosis == "diverged"
    shallow = overfit_one_batch(deep_mlp(1, seed=4), X, y, lr=0.5, max_iterations=1500)
    assert shallow.reached


def test_gradient_ascent_goes_up(batch):
    X, y = batch
    r = overfit_one_batch(mlp(), X, y, lr=0.05, max_iterations=200, update=gradient_ascent)
    assert r.diagnosis == "went up" and r.final_loss > r.losses[0]
    assert "sign error" in r.verdict


def test_forgotten_zero_grad_fails_on_a_regression_batch(batch):
    X, _ = batch
    t = np.sin(2 * X[:, 0]) * np.cos(X[:, 1])
    good = overfit_one_batch(mlp(seed=1), X, t, loss="mse", lr=0.2, max_iterations=2000,
                             loss_threshold=1e-3)
    bad = overfit_one_batch(mlp(seed=1), X, t, loss="mse", lr=0.2, max_iterations=2000,
                            loss_threshold=1e-3, update=no_zero_grad)
    assert good.reached and good.final_accuracy is None and good.accuracies is None
    assert not bad.reached and bad.diagnosis in {"oscillates", "went up", "diverged"}


def test_divergence_is_reported_not_raised(batch):
    X, _ = batch
    t = np.sin(2 * X[:, 0])
    r = overfit_one_batch(mlp(), X, t, loss="mse", lr=50.0, max_iterations=200)
    assert r.diagnosis == "diverged" and not r.reached
    assert not np.isfinite(r.final_loss)
    assert "diverged" in r.verdict and "learning rate is too large" in r.verdict


def test_a_custom_optimizer_is_used(batch):
    X, y = batch
    model = mlp()
    r = overfit_one_batch(model, X, y, optimizer=dl.SGD(model.parameters(), lr=0.5))
    assert r.reached


@pytest.mark.parametrize("curve, expected", [
    ([0.7] * 50, "barely moved"),
    (np.linspace(0.7, 0.9, 50), "went up"),
    ([0.7, 0.5] * 25, "oscillates"),
    (np.linspace(0.7, 0.1, 50), "still falling"),
    (np.r_[np.linspace(0.7, 0.3, 20), np.full(30, 0.3)], "plateau"),
])
def test_diagnose_reads_curves(curve, expected):
    assert diagnose(curve, reached=False, diverged=False) == expected
    assert diagnose(curve, reached=True, diverged=False) == "overfits"
    assert diagnose(curve, reached=False, diverged=True) == "diverged"


def test_bad_input(batch):
    X, y = batch
    with pytest.raises(ValueError, match=r"y must have one entry per row of X \(16\)"):
        overfit_one_batch(mlp(), X, y[:10])
    with pytest.raises(ValueError, match="max_iterations must be >= 1, got 0"):
        overfit_one_batch(mlp(), X, y, max_iterations=0)
    with pytest.raises(ValueError, match="loss_threshold must be > 0"):
        overfit_one_batch(mlp(), X, y, loss_threshold=0.0)
    with pytest.raises(ValueError, match="lr must be > 0"):
        overfit_one_batch(mlp(), X, y, lr=-0.1)
    model = mlp()
    with pytest.raises(ValueError, match="lr=0.5 given together with optimizer"):
        overfit_one_batch(model, X, y, lr=0.5, optimizer=dl.SGD(model.parameters(), lr=0.1))
    with pytest.raises(TypeError, match="model must be a dlkit Layer"):
        overfit_one_batch(lambda v: v, X, y)
    with pytest.raises(TypeError, match="update must be a function"):
        overfit_one_batch(mlp(), X, y, update="sgd")
    with pytest.raises(ValueError, match=r"X must have shape \(N, features...\)"):
        overfit_one_batch(mlp(), X[0], y[:1])
    with pytest.raises(ValueError, match="loss must be"):
        overfit_one_batch(mlp(), X, y, loss="hinge")


def test_fit_calls_an_overridden_backward_of_the_first_layer(batch):
    # A Dense subclass that overrides backward (this chapter's planted bugs) is called by
    # fit, as by the overfit test.
    X, y = batch
    calls = []

    class Spy(dl.Dense):
        def backward(self, dy):
            calls.append(dy.shape)
            return super().backward(dy)

    model = dl.Sequential(Spy(2, 4, rng=np.random.default_rng(0)), dl.Tanh(),
                          dl.Dense(4, 1, rng=np.random.default_rng(1)))
    dl.fit(model, X, y, lr=0.1, epochs=1, batch_size=16, rng=np.random.default_rng(0))
    assert calls == [(16, 4)]
    buggy = mlp(first=NoBiasGradDense)
    dl.fit(buggy, X, y, lr=0.5, epochs=5, batch_size=16, rng=np.random.default_rng(0))
    assert np.all(buggy.layers[0].b.value == 0.0)  # the bug acts in fit as in the overfit test
