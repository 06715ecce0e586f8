"""Learning-rate schedules: values by hand, use from fit, validated arguments."""

import numpy as np
import pytest

import dlkit as dl
from dlkit import schedules as S


def test_step_decay_values():
    # lr0 = 0.1 halved every 3 epochs: 0.1 0.1 0.1 0.05 0.05 0.05 0.025
    s = S.StepDecay(0.1, drop=0.5, every=3)
    np.testing.assert_allclose(s.values(7), [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025])


def test_exponential_values():
    # 0.1 * 0.9^e: 0.1, 0.09, 0.081, 0.0729
    np.testing.assert_allclose(S.ExponentialDecay(0.1, gamma=0.9).values(4),
                               [0.1, 0.09, 0.081, 0.0729])


def test_inverse_time_values():
    # 1/t: 0.1 / (1 + 0.5 e): 0.1, 0.1/1.5, 0.1/2, 0.1/2.5
    np.testing.assert_allclose(S.InverseTimeDecay(0.1, decay_rate=0.5).values(4),
                               [0.1, 0.1 / 1.5, 0.05, 0.04])


def test_cosine_values_without_and_with_warmup():
    # epochs = 4: q = e/4, lr = 0.1 (1 + cos(pi q)) / 2: 0.1, 0.0853553, 0.05, 0.0146447
    s = S.CosineDecay(0.1, epochs=4)
    np.testing.assert_allclose(s.values(4), [0.1, 0.1 * (1 + np.sqrt(0.5)) / 2, 0.05,
                                             0.1 * (1 - np.sqrt(0.5)) / 2])
    # past the end: lr_min
    assert S.CosineDecay(0.1, epochs=4, lr_min=0.01)(10) == pytest.approx(0.01)
    # warmup = 2 of 6 epochs: 0.05, 0.1, then cosine over 4 epochs from 0.1 down to lr_min
    w = S.CosineDecay(0.1, epochs=6, warmup=2, lr_min=0.02)
    np.testing.assert_allclose(w.values(4), [0.05, 0.1, 0.1, 0.02 + 0.08 * (1 + np.sqrt(0.5)) / 2])


def test_constant_and_get_schedule_and_repr():
    assert S.Constant(0.3).values(3).tolist() == [0.3, 0.3, 0.3]
    s = S.get_schedule("step", 0.2, drop=0.1, every=5)
    assert isinstance(s, S.StepDecay) and s(5) == pytest.approx(0.02)
    assert repr(s) == "StepDecay(lr0=0.2, drop=0.1, every=5)"
    with pytest.raises(ValueError, match="unknown schedule name 'linear'"):
        S.get_schedule("linear", 0.1)


def test_usable_from_fit():
    rng = np.random.default_rng(0)
    X, y = dl.datasets.make_moons(64, noise=0.2, rng=rng)
    model = dl.Sequential(dl.Dense(2, 8, rng=rng), dl.ReLU(), dl.Dense(8, 1, rng=rng))
    opt = dl.optimizers.Momentum(model.parameters(), lr=1.0)
    h = dl.fit(model, X, y, optimizer=opt, epochs=5, rng=rng,
               lr_schedule=S.StepDecay(0.4, drop=0.5, every=2))
    np.testing.assert_allclose(h["lr"], [0.4, 0.4, 0.2, 0.2, 0.1])
    assert opt.lr == pytest.approx(0.1)


@pytest.mark.parametrize("make,match", [
    (lambda: S.StepDecay(0.0), "lr0"),
    (lambda: S.StepDecay(-0.1), "lr0"),
    (lambda: S.StepDecay(0.1, drop=0.0), "drop"),
    (lambda: S.StepDecay(0.1, drop=1.5), "drop"),
    (lambda: S.StepDecay(0.1, every=0), "every"),
    (lambda: S.ExponentialDecay(0.1, gamma=1.1), "gamma"),
    (lambda: S.InverseTimeDecay(0.1, decay_rate=-1.0), "decay_rate"),
    (lambda: S.CosineDecay(0.1, epochs=0), "epochs"),
    (lambda: S.CosineDecay(0.1, epochs=10, lr_min=0.2), "lr_min"),
    (lambda: S.CosineDecay(0.1, epochs=10, warmup=10), "warmup"),
    (lambda: S.Constant(0.1)(-1), "epoch"),
])
def test_bad_arguments_are_rejected(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_epoch_must_be_an_integer():
    with pytest.raises(TypeError, match="epoch"):
        S.Constant(0.1)(1.5)
