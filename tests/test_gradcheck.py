"""dlkit.gradcheck: passes every correct layer, flags planted bugs in every mode, clear errors."""

import numpy as np
import pytest

import dlkit as dl
from dlkit import gradcheck as gc

MODES = ["full", "coords", "directions"]


def rng(seed=0):
    return np.random.default_rng(seed)


def away_from_kink(shape, seed=1, margin=1e-3):
    """Gaussian inputs with every |x| > margin (ReLU's kink at 0 stays out of reach of h)."""
    x = rng(seed).standard_normal(shape)
    return np.where(np.abs(x) < margin, margin * 10 * np.sign(x + 1e-300), x)


# -- planted bugs ---------------------------------------------------------------------------
class SignFlipTanh(dl.Tanh):
    def backward(self, dy):
        return -super().backward(dy)


class TransposedDense(dl.Dense):
    """dW computed as (x^T dy)^T: the right shape only because W is square."""

    def backward(self, dy):
        self.W.grad += (self._x.T @ dy).T
        self.b.grad += dy.sum(axis=0)
        return dy @ self.W.value.T


class NoBiasGradDense(dl.Dense):
    def backward(self, dy):
        self.W.grad += self._x.T @ dy
        return dy @ self.W.value.T


class Residual(dl.Layer):
    """y = x + tanh(x W); ``skip=False`` plants the classic missing term in dx."""

    def __init__(self, d, rng, skip=True):
        super().__init__()
        self.W = dl.Parameter(0.5 * rng.standard_normal((d, d)), name="W")
        self.skip = skip

    def forward(self, x):
        self._x, self._t = x, np.tanh(x @ self.W.value)
        return x + self._t

    def backward(self, dy):
        da = dy * (1 - self._t ** 2)
        self.W.grad += self._x.T @ da
        return (dy if self.skip else 0.0) + da @ self.W.value.T


class RandomScale(dl.Layer):
    """Multiplies by a fresh random mask at every forward pass (dropout-like), from self.rng."""

    def __init__(self, rng):
        super().__init__()
        self.rng = rng

    def forward(self, x):
        self._m = self.rng.random(x.shape) * 2.0
        return x * self._m

    def backward(self, dy):
        return dy * self._m


# -- correct layers pass, in every mode ---------------------------------------------------------
CORRECT_LAYERS = {
    "Dense": lambda: dl.Dense(4, 3, rng=rng(2)),
    "ReLU": lambda: dl.ReLU(),
    "Sigmoid": lambda: dl.Sigmoid(),
    "Tanh": lambda: dl.Tanh(),
    "Sequential": lambda: dl.Sequential(dl.Dense(4, 6, rng=rng(3)), dl.ReLU(),
                                        dl.Dense(6, 5, rng=rng(4)), dl.Sigmoid(),
                                        dl.Dense(5, 2, rng=rng(5))),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", sorted(CORRECT_LAYERS))
def test_correct_layers_pass(name, mode):
    result = gc.check_layer(CORRECT_LAYERS[name](), away_from_kink((5, 4)), mode=mode, k=6)
    assert result.mode == mode
    assert result.ok(), result.report()
    assert result.max_error < 1e-7
    assert result.verdict().startswith("OK")


def test_sequential_checks_every_parameter_under_its_own_name():
    # Two parameters both named "W" used to overwrite each other: only the last was checked.
    result = gc.check_layer(CORRECT_LAYERS["Sequential"](), away_from_kink((5, 4)))
    assert list(result.errors) == ["x", "0.W", "0.b", "2.W", "2.b", "4.W", "4.b"]
    bug = dl.Sequential(TransposedDense(4, 4, rng=rng(1)), dl.Tanh(), dl.Dense(4, 2, rng=rng(2)))
    result = gc.check_layer(bug, away_from_kink((5, 4)))
    assert result.worst == "0.W" and result.errors["0.W"] > gc.BUG_THRESHOLD
    assert result.errors["2.W"] < gc.TOLERANCE


LOSS_CASES = {
    "bce (N,)": (dl.binary_cross_entropy, rng(6).normal(0, 3, 7), np.array([0, 1, 1, 0, 1, 0, 1])),
    "bce (N, 1)": (dl.binary_cross_entropy, rng(7).normal(0, 3, (6, 1)), np.array([1, 0, 1, 1, 0, 0])),
    "softmax": (dl.softmax_cross_entropy, rng(8).normal(0, 2, (6, 4)), np.array([0, 3, 1, 2, 3, 0])),
    "mse": (dl.mse, rng(9).standard_normal((5, 3)), rng(10).standard_normal((5, 3))),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", sorted(LOSS_CASES))
def test_losses_pass(name, mode):
    fn, z, y = LOSS_CASES[name]
    result = gc.check_loss(fn, z, y, mode=mode, k=5)
    assert result.ok(), result.report()


@pytest.mark.parametrize("mode", MODES)
def test_full_model_through_each_loss(mode):
    X = away_from_kink((6, 3), seed=11)
    model = dl.Sequential(dl.Dense(3, 5, rng=rng(12)), dl.Tanh(), dl.Dense(5, 4, rng=rng(13)))
    y = np.array([0, 1, 2, 3, 1, 0])
    result = gc.check_model(model, "softmax_cross_entropy", X, y, mode=mode, check_input=True)
    assert result.ok(), result.report()
    assert set(result.errors) == {"x", "0.W", "0.b", "2.W", "2.b"}


# -- planted bugs are caught, in every mode -------------------------------------------------------
def bug_sign_flip():
    layer = dl.Sequential(dl.Dense(4, 4, rng=rng(1)), SignFlipTanh(), dl.Dense(4, 2, rng=rng(2)))
    return layer, {"x", "0.W", "0.b"}


def bug_transposed():
    return TransposedDense(5, 5, rng=rng(3)), {"W"}


def bug_missing_skip_term():
    return Residual(5, rng(4), skip=False), {"x"}


def bug_missing_bias_grad():
    return NoBiasGradDense(5, 3, rng=rng(5)), {"b"}


BUGS = {"sign flip": bug_sign_flip, "transposed dW": bug_transposed,
        "missing term in dx": bug_missing_skip_term, "missing db": bug_missing_bias_grad}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", sorted(BUGS))
def test_planted_bugs_are_flagged(name, mode):
    layer, wrong = BUGS[name]()
    x = away_from_kink((6, layer.parameters()[0].shape[0]))
    result = gc.check_layer(layer, x, mode=mode, k=10)
    assert result.worst in wrong
    for array in wrong:
        assert result.errors[array] > gc.BUG_THRESHOLD, result.report()
    for array in set(result.errors) - wrong:
        assert result.errors[array] < gc.TOLERANCE, result.report()
    assert result.verdict().startswith("BUG")
    with pytest.raises(AssertionError, match=result.worst):
        gc.assert_gradients_ok(result)


def test_the_correct_residual_passes():
    assert gc.check_layer(Residual(5, rng(4)), away_from_kink((6, 5))).ok()


@pytest.mark.parametrize("mode", MODES)
def test_a_scaled_gradient_gives_one_eleventh(mode):
    # analytical = 1.1 x the true gradient: ||0.1 g|| / ||1.1 g|| = 1/11 in the norm form.
    # A sampled check estimates it; its denominator is never below the expected size of the
    # sample, so the estimate can only be smaller, never a false alarm.
    A = rng(20).standard_normal((6, 6))
    A = A @ A.T

    def f(x):
        return 0.5 * float(x @ A @ x)

    x = rng(21).standard_normal(6)
    result = gc.check_function(f, x, 1.1 * (A @ x), mode=mode, k=4)
    if mode == "full":
        assert result.max_error == pytest.approx(1 / 11, rel=1e-6)
    else:
        assert 1 / 11 / 2 < result.max_error <= 1 / 11 * (1 + 1e-6)


def test_sampled_floor_prevents_false_alarms_on_tiny_entries(monkeypatch):
    # 3 entries carry the gradient, 197 are ~1e-14 (saturated units): round-off of the
    # numerical gradient (~1e-11) dwarfs them. Sampling only tiny entries must not cry "bug".
    c = np.full(200, 1e-14)
    c[:3] = 1.0
    x = rng(1).standard_normal(200)

    def f(v):
        return 0.5 * float(np.sum(c * v * v))

    result = gc.check_function(f, x, c * x, mode="coords", k=5)
    assert np.all(result.indices["x"] >= 3)  # the sample missed the 3 large entries
    assert result.ok()
    monkeypatch.setattr(gc, "SAMPLED_FLOOR", 0.0)
    assert gc.check_function(f, x, c * x, mode="coords", k=5).max_error > 0.5


def test_sampled_modes_agree_with_the_full_sweep_on_a_bug_spread_over_the_array():
    layer = lambda: TransposedDense(8, 8, rng=rng(3))  # noqa: E731
    x = away_from_kink((10, 8))
    full = gc.check_layer(layer(), x, mode="full").errors["W"]
    for mode in ["coords", "directions"]:
        est = gc.check_layer(layer(), x, mode=mode, k=30).errors["W"]
        assert full / 3 < est < full * 3, (mode, est, full)


def test_directions_see_a_bug_confined_to_one_column():
    class SkipsColumn(dl.Dense):
        def backward(self, dy):
            self.W.grad[:, 1:] += (self._x.T @ dy)[:, 1:]
            self.b.grad += dy.sum(axis=0)
            return dy @ self.W.value.T

    x = away_from_kink((8, 40))
    full = gc.check_layer(SkipsColumn(40, 40, rng=rng(1)), x, mode="full")
    directions = gc.check_layer(SkipsColumn(40, 40, rng=rng(1)), x, mode="directions", k=10)
    assert full.errors["W"] > gc.BUG_THRESHOLD
    assert directions.errors["W"] > gc.BUG_THRESHOLD
    assert full.errors["W"] / 3 < directions.errors["W"] < 3 * full.errors["W"]


def test_auto_mode_sweeps_small_arrays_and_samples_large_ones():
    small = gc.check_function(lambda v: float(np.sum(v ** 2)), np.ones(10), 2 * np.ones(10))
    assert small.mode == "full" and small.evaluations == 20
    n = gc.FULL_SWEEP_LIMIT + 1
    x = rng(2).standard_normal(n)
    big = gc.check_function(lambda v: float(np.sum(v ** 2)), x, 2 * x, k=7)
    assert big.mode == "directions" and big.evaluations == 14
    assert big.ok()


def test_worst_entry_points_at_the_planted_entry():
    x = rng(3).standard_normal((3, 4))
    grad = 2 * x
    grad[2, 1] += 1.0
    f = lambda v: float(np.sum(v ** 2))  # noqa: E731
    for mode in ["full", "coords"]:
        result = gc.check_function(f, x, grad, mode=mode, k=12)
        idx, num, ana = result.worst_entry()
        assert idx == (2, 1)
        assert num == pytest.approx(2 * x[2, 1], rel=1e-8)
        assert ana == pytest.approx(2 * x[2, 1] + 1.0)
    result = gc.check_function(f, x, grad, mode="directions", k=5)
    idx, _, _ = result.worst_entry()
    assert len(idx) == 1 and 0 <= idx[0] < 5


def test_a_flipped_sign_is_named_and_its_tie_broken_the_same_way_everywhere():
    # Every entry of a sign-flipped gradient has error 2: argmax over round-off would name
    # a different entry on another CPU. Ties go to the first entry, and the verdict says
    # what the tie is.
    x = rng(8).standard_normal((4, 3))
    f = lambda v: float(np.sum(v ** 3))  # noqa: E731
    for seed in range(5):
        wobble = 1 + 1e-12 * rng(seed).standard_normal(x.shape)  # another CPU's round-off
        result = gc.check_function(f, x, -3 * x ** 2 * wobble)
        assert result.worst_entry()[0] == (0, 0)
        assert "analytical = -numerical in all 12 entries (a sign error)" in result.verdict()
    # a genuine worst entry still wins over near-ties: all 1 % off, one 10 % off
    grad = 1.01 * 3 * x ** 2
    assert gc.check_function(f, x, grad).worst_entry()[0] == (0, 0)
    grad[2, 1] *= 1.1 / 1.01
    assert gc.check_function(f, x, grad).worst_entry()[0] == (2, 1)
    # a wrong gradient that is not a flipped sign gets no such hint
    assert "sign" not in gc.check_function(f, x, 2 * x ** 2).verdict()


def test_ok_verdict_names_no_round_off_winner():
    x = away_from_kink((3, 4))
    result = gc.check_layer(dl.Dense(4, 2, rng=rng(1)), x)
    assert result.ok() and result.verdict() == "OK: relative error < 1e-07 in all 3 arrays"
    one = gc.check_function(lambda v: float(np.sum(v ** 2)), x, 2 * x)
    assert one.verdict() == "OK: relative error < 1e-07 in the only array"


# -- random layers: masks held fixed ---------------------------------------------------------------
def test_random_masks_are_held_fixed():
    x = away_from_kink((4, 5))
    assert gc.check_layer(RandomScale(rng(3)), x).ok()
    loose = gc.check_layer(RandomScale(rng(3)), x, freeze_random=False)
    assert loose.max_error > gc.BUG_THRESHOLD
    model = dl.Sequential(dl.Dense(5, 4, rng=rng(4)), RandomScale(rng(5)), dl.Dense(4, 1, rng=rng(6)))
    for mode in MODES:
        assert gc.check_model(model, "bce", x, np.array([0, 1, 1, 0]), mode=mode).ok()


# -- the finite differences themselves ----------------------------------------------------------------
def test_central_difference_is_second_order_and_forward_first_order():
    x0 = np.array([0.3, -0.7, 1.1])
    exact = np.cos(x0)

    def err(h, method):
        f = lambda v: float(np.sum(np.sin(v)))  # noqa: E731
        return np.max(np.abs(gc.numerical_gradient(f, x0.copy(), h, method) - exact))

    assert err(1e-2, "central") / err(1e-3, "central") == pytest.approx(100, rel=0.05)
    assert err(1e-2, "forward") / err(1e-3, "forward") == pytest.approx(10, rel=0.1)


def test_numerical_gradient_restores_x_and_matches_a_quadratic():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = np.array([0.5, -1.5])
    before = x.copy()
    g = gc.numerical_gradient(lambda v: 0.5 * float(v @ A @ v), x)
    assert np.array_equal(x, before)
    assert np.allclose(g, A @ x, rtol=1e-8)  # central differences are exact for quadratics


def test_directional_derivative_is_the_dot_product():
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    x = np.array([0.5, -1.5])
    u = np.array([0.6, 0.8])
    d = gc.directional_derivative(lambda v: 0.5 * float(v @ A @ v), x, u)
    assert d == pytest.approx(float((A @ x) @ u), rel=1e-9)
    assert np.array_equal(x, [0.5, -1.5])


def test_relative_error_forms():
    a = np.array([3.0, 4.0])
    assert gc.relative_error(a, a) == 0.0
    assert gc.relative_error(a, -a) == pytest.approx(2.0)
    assert gc.relative_error(a, 2 * a) == pytest.approx(0.5)  # ||a|| / ||2a||
    assert gc.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert np.allclose(gc.elementwise_relative_error([1.0, 0.0], [1.1, 0.0]), [0.1 / 1.1, 0.0])


def test_verdict_bands_and_report():
    r = gc.GradCheckResult(errors={"W": 2e-5, "b": 1e-9},
                           numerical={"W": np.ones(2), "b": np.ones(1)},
                           analytical={"W": np.ones(2), "b": np.ones(1)})
    assert r.verdict().startswith("suspicious") and "'W'" in r.verdict()
    assert r.report().splitlines()[0].split() == ["array", "relative", "error"]
    assert repr(r) == "GradCheckResult(max_error=2.00e-05, worst='W')"
    lines = r.report(floor=1e-8).splitlines()
    assert lines[1].split() == ["W", "2.00e-05"] and lines[2].split() == ["b", "<", "1e-08"]
    assert r.report() == r.report(floor=None) and "1.00e-09" in r.report()
    with pytest.raises(ValueError, match="floor"):
        r.report(floor=0.0)


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize("h", [0.0, -1e-5])
def test_h_must_be_positive(h):
    with pytest.raises(ValueError, match="h must be > 0"):
        gc.numerical_gradient(lambda v: float(v.sum()), np.ones(3), h=h)
    with pytest.raises(ValueError, match=r"h must be > 0.*" + str(h).replace("-", "-")):
        gc.check_layer(dl.Tanh(), np.ones((2, 2)), h=h)
    with pytest.raises(ValueError, match="h must be > 0"):
        gc.check_model(dl.Sequential(dl.Dense(2, 1, rng=rng())), "bce", np.ones((2, 2)),
                       np.array([0, 1]), h=h)
    with pytest.raises(ValueError, match="h must be > 0"):
        gc.directional_derivative(lambda v: float(v.sum()), np.ones(2), np.ones(2), h=h)


def test_h_must_be_a_number():
    with pytest.raises(TypeError, match="h must be a real number"):
        gc.check_loss(dl.mse, np.ones((2, 2)), np.zeros((2, 2)), h="1e-5")


def test_f_must_return_a_scalar():
    with pytest.raises(ValueError, match="f must return a scalar, got shape \\(3,\\)"):
        gc.numerical_gradient(lambda v: v * 2, np.ones(3))
    with pytest.raises(ValueError, match="must return a scalar"):
        gc.check_function(lambda v: v ** 2, np.ones(3), 2 * np.ones(3))
    with pytest.raises(ValueError, match="loss_fn must return a scalar"):
        gc.check_loss(lambda z, y: (z ** 2, 2 * z), np.ones(3), None)
    with pytest.raises(ValueError, match="pair"):
        gc.check_loss(lambda z, y: float(np.sum(z)), np.ones(3), None)


def test_mismatched_shapes_are_named():
    with pytest.raises(ValueError, match=r"grad has shape \(2,\) but x has shape \(3,\)"):
        gc.check_function(lambda v: float(np.sum(v ** 2)), np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match=r"dlogits of shape \(3, 1\) but the logits have"):
        gc.check_loss(lambda z, y: (float(np.sum(z)), np.ones((3, 1))), np.ones(3), None)
    with pytest.raises(ValueError, match="shapes differ"):
        gc.relative_error(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match=r"u has shape \(3,\) but x has shape \(2,\)"):
        gc.directional_derivative(lambda v: float(v.sum()), np.ones(2), np.ones(3))

    class WrongDx(dl.Tanh):
        def backward(self, dy):
            return super().backward(dy)[:, :1]

    with pytest.raises(ValueError, match=r"returned dx of shape \(2, 1\) but x has shape \(2, 3\)"):
        gc.check_layer(WrongDx(), np.ones((2, 3)))


def test_float32_parameters_are_refused():
    layer = dl.Dense(3, 2, rng=rng(), dtype=np.float32)
    with pytest.raises(ValueError, match="need float64 \\(W is float32\\)"):
        gc.check_layer(layer, np.ones((2, 3)))
    model = dl.Sequential(dl.Dense(3, 1, rng=rng(), dtype=np.float32))
    with pytest.raises(ValueError, match="need float64 \\(0.W is float32\\)"):
        gc.check_model(model, "bce", np.ones((2, 3)), np.array([0, 1]))
    with pytest.raises(ValueError, match="need float64 \\(x is float32\\)"):
        gc.check_function(lambda v: float(np.sum(v)), np.ones(3, dtype=np.float32), np.ones(3))


def test_mode_k_method_and_types_are_checked():
    f, x = (lambda v: float(np.sum(v ** 2))), np.ones(3)
    with pytest.raises(ValueError, match="mode must be one of .* got 'random'"):
        gc.check_function(f, x, 2 * x, mode="random")
    with pytest.raises(ValueError, match="k must be >= 1, got 0"):
        gc.check_function(f, x, 2 * x, mode="coords", k=0)
    with pytest.raises(ValueError, match="method must be one of .* got 'backward'"):
        gc.numerical_gradient(f, x, method="backward")
    with pytest.raises(TypeError, match="layer must be a dlkit Layer"):
        gc.check_layer(lambda v: v, x)
    with pytest.raises(TypeError, match="x must be a float ndarray"):
        gc.numerical_gradient(f, [1.0, 2.0])
    with pytest.raises(TypeError, match="loss_fn must be a function"):
        gc.check_model(dl.Sequential(dl.Dense(3, 1, rng=rng())), 3, np.ones((2, 3)), [0, 1])


def test_integer_x_and_relative_error_shapes_are_named():
    with pytest.raises(TypeError, match="x must be a float ndarray .* got an array of int64"):
        gc.numerical_gradient(lambda v: float(v.sum()), np.array([1, 2], dtype=np.int64))
    with pytest.raises(ValueError, match=r"a and b must have the same shape .* a \(2,\) vs b \(3,\)"):
        gc.relative_error(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match="a and b"):
        gc.elementwise_relative_error(np.ones(2), np.ones((2, 1)))
