"""Initializers: fans, the variances of Xavier and He (statistically), names, bad input.

Statistical tolerances come from the sample size: for n i.i.d. draws with
variance s2, the sample variance has standard error s2 * sqrt(2 / n) for a
normal distribution (fourth moment 3 s2^2) and s2 * sqrt(0.8 / n) for a
uniform one (fourth moment 9/5 s2^2). We allow 5 standard errors, so a
correct initializer fails with probability below 1e-6 (and the rng is seeded).
"""

import numpy as np
import pytest

import dlkit as dl
from dlkit import initializers as init


def test_fans_of_dense_and_conv_weights():
    assert init.fans((784, 128)) == (784, 128)            # Dense W: (fan_in, fan_out)
    assert init.fans((16, 3, 5, 5)) == (3 * 25, 16 * 25)  # Conv2D (C_out, C_in, kH, kW)
    assert init.fans((10,)) == (10, 10)
    assert init.fans(7) == (7, 7)


CASES = [
    # (function, shape, expected variance, normal?)
    (init.xavier_normal, (400, 600), 2 / (400 + 600), True),
    (init.xavier_uniform, (400, 600), 2 / (400 + 600), False),
    (init.he_normal, (500, 300), 2 / 500, True),
    (init.he_uniform, (500, 300), 2 / 500, False),
    (init.xavier_uniform, (32, 16, 3, 3), 2 / (16 * 9 + 32 * 9), False),
    (init.he_normal, (32, 16, 3, 3), 2 / (16 * 9), True),
]


@pytest.mark.parametrize("fn,shape,var,is_normal", CASES,
                         ids=[f"{c[0].__name__}{c[1]}" for c in CASES])
def test_variance_matches_the_formula_within_sampling_error(fn, shape, var, is_normal):
    w = fn(shape, np.random.default_rng(0))
    n = w.size
    assert w.shape == shape and w.dtype == np.float64
    se_var = var * np.sqrt((2.0 if is_normal else 0.8) / n)
    assert abs(w.var() - var) < 5 * se_var, (w.var(), var, se_var)
    assert abs(w.mean()) < 5 * np.sqrt(var / n)


def test_uniform_bounds_are_the_formula():
    # Xavier uniform: a = sqrt(6 / (fan_in + fan_out)) = sqrt(6 / 1000) = 0.0774597
    w = init.xavier_uniform((400, 600), np.random.default_rng(1))
    a = np.sqrt(6 / 1000)
    assert np.abs(w).max() <= a
    assert np.abs(w).max() > 0.999 * a  # 240,000 draws reach the edge
    # He uniform: a = sqrt(6 / fan_in) = sqrt(6 / 500)
    w = init.he_uniform((500, 300), np.random.default_rng(1))
    assert np.sqrt(6 / 500) * 0.999 < np.abs(w).max() <= np.sqrt(6 / 500)


def test_normal_std_zeros_and_gain():
    w = init.normal((300, 300), np.random.default_rng(2), std=0.5)
    assert abs(w.std() - 0.5) < 5 * 0.5 * np.sqrt(0.5 / w.size)
    assert not init.zeros((3, 4)).any()
    w1 = init.xavier_normal((300, 300), np.random.default_rng(3), gain=2.0)
    w2 = init.xavier_normal((300, 300), np.random.default_rng(3))
    np.testing.assert_allclose(w1, 2 * w2)


def test_same_seed_same_weights_and_float32():
    a = init.he_normal((20, 10), np.random.default_rng(5))
    b = init.he_normal((20, 10), np.random.default_rng(5))
    assert np.array_equal(a, b)
    for fn in (init.zeros, init.normal, init.xavier_normal, init.xavier_uniform,
               init.he_normal, init.he_uniform):
        assert fn((4, 3), np.random.default_rng(0), dtype=np.float32).dtype == np.float32


def test_chosen_by_name_or_function():
    assert init.get_initializer("xavier") is init.xavier_uniform
    assert init.get_initializer("Glorot_Normal") is init.xavier_normal
    assert init.get_initializer("he") is init.he_normal
    assert init.get_initializer("kaiming") is init.he_normal
    assert init.get_initializer(init.he_uniform) is init.he_uniform
    layer = dl.Dense(50, 40, init="he_uniform", rng=np.random.default_rng(0))
    assert np.abs(layer.W.value).max() <= np.sqrt(6 / 50)
    layer = dl.Dense(3, 2, init=lambda shape, rng: np.full(shape, 0.5))
    assert np.all(layer.W.value == 0.5)


def test_unknown_names_and_bad_arguments_are_rejected_clearly():
    with pytest.raises(ValueError, match=r"init must be one of .*'xavier'.* got 'xaviar'"):
        init.get_initializer("xaviar")
    with pytest.raises(TypeError, match="init must be a name or a callable"):
        init.get_initializer(3)
    with pytest.raises(ValueError, match=r"shape\[1\] must be >= 1, got 0"):
        init.he_normal((3, 0), np.random.default_rng(0))
    with pytest.raises(ValueError, match="std must be >= 0.0, got -1.0"):
        init.normal((3, 3), np.random.default_rng(0), std=-1.0)
    with pytest.raises(ValueError, match="gain must be > 0.0"):
        init.xavier_uniform((3, 3), np.random.default_rng(0), gain=0.0)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        init.xavier_normal((3, 3), 42)
