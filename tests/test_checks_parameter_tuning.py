"""Chapter 03's checkers accept correct answers and fail, with a hint, on the usual mistakes."""

import numpy as np
import pytest

from dlkit.checks.parameter_tuning import (
    check_adam_step,
    check_momentum_step,
    check_xavier_uniform,
)


def stub(*args):
    raise NotImplementedError()


# ------------------------------------------------------------------ Xavier
def xavier_ok(shape, rng):
    a = np.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-a, a, size=shape)


def xavier_ok_other_sampler(shape, rng):
    a = np.sqrt(6.0 / (shape[0] + shape[1]))
    return a * (2 * rng.random(shape) - 1)


def test_xavier_accepts_any_correct_sampler():
    check_xavier_uniform(xavier_ok)
    check_xavier_uniform(xavier_ok_other_sampler)


@pytest.mark.parametrize("wrong,message", [
    (stub, "not implemented"),
    (lambda shape, rng: rng.uniform(-np.sqrt(2 / sum(shape)), np.sqrt(2 / sum(shape)), shape),
     "std.*as the bound"),
    (lambda shape, rng: rng.uniform(-np.sqrt(6 / shape[0]), np.sqrt(6 / shape[0]), shape),
     "He"),
    (lambda shape, rng: rng.normal(0, np.sqrt(2 / sum(shape)), shape), "normal distribution"),
    (lambda shape, rng: rng.uniform(-np.sqrt(3 / shape[0]), np.sqrt(3 / shape[0]), shape),
     "LeCun"),
    (lambda shape, rng: np.random.default_rng().uniform(-np.sqrt(6 / sum(shape)),
                                                         np.sqrt(6 / sum(shape)), shape),
     "rng argument"),
    (lambda shape, rng: rng.uniform(0, np.sqrt(6 / sum(shape)), shape), "variance"),
    (lambda shape, rng: rng.uniform(-1, 1, shape[::-1]), "shape"),
    (lambda shape, rng: list(rng.uniform(-0.01, 0.01, shape)), "NumPy array"),
])
def test_xavier_rejects_plausible_wrong_answers(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_xavier_uniform(wrong)


# ------------------------------------------------------------------ momentum
def momentum_ok(w, dw, v, lr, beta):
    v = beta * v + (1 - beta) * dw
    return w - lr * v, v


def momentum_in_place(w, dw, v, lr, beta):
    v *= beta
    v += (1 - beta) * dw
    w -= lr * v
    return w, v


def test_momentum_accepts_correct_answers():
    check_momentum_step(momentum_ok)
    check_momentum_step(momentum_in_place)


@pytest.mark.parametrize("wrong,message", [
    (stub, "not implemented"),
    (lambda w, dw, v, lr, b: (w - lr * (b * v + dw), b * v + dw), "undamped"),
    (lambda w, dw, v, lr, b: (w - lr * ((1 - b) * v + b * dw), (1 - b) * v + b * dw),
     "OLD velocity"),
    (lambda w, dw, v, lr, b: (w - lr * dw, b * v + (1 - b) * dw), "raw gradient"),
    (lambda w, dw, v, lr, b: (w - lr * v, b * v + (1 - b) * dw), "NEW velocity"),
    (lambda w, dw, v, lr, b: (w + lr * (b * v + (1 - b) * dw), b * v + (1 - b) * dw), "sign"),
    (lambda w, dw, v, lr, b: w - lr * (b * v + (1 - b) * dw), "pair"),
])
def test_momentum_rejects_plausible_wrong_answers(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_momentum_step(wrong)


# ------------------------------------------------------------------ Adam
def adam_ok(w, dw, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_variant(correct_m=True, correct_v=True, eps_inside=False, t_shift=0,
                 return_hat=False, abs_not_square=False, swap=False):
    def adam(w, dw, m, v, t, lr, beta1, beta2, eps):
        if swap:
            beta1, beta2 = beta2, beta1
        m = beta1 * m + (1 - beta1) * dw
        v = beta2 * v + (1 - beta2) * (np.abs(dw) if abs_not_square else dw ** 2)
        tt = t + t_shift
        m_hat = m / (1 - beta1 ** tt) if correct_m else m
        v_hat = v / (1 - beta2 ** tt) if correct_v else v
        denom = np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps
        w = w - lr * m_hat / denom
        return (w, m_hat, v_hat) if return_hat else (w, m, v)
    return adam


def test_adam_accepts_the_correct_answer():
    check_adam_step(adam_ok)


@pytest.mark.parametrize("wrong,message", [
    (stub, "not implemented"),
    (adam_variant(correct_m=False, correct_v=False), "no bias correction"),
    (adam_variant(correct_v=False), "only m is bias-corrected"),
    (adam_variant(correct_m=False), "only v is bias-corrected"),
    (adam_variant(eps_inside=True), "outside the square root"),
    (adam_variant(t_shift=1), "do not add 1"),
    (adam_variant(return_hat=True), "not the bias-corrected"),
    (adam_variant(abs_not_square=True), "SQUARED"),
    (adam_variant(swap=True), "beta1"),
    (lambda *a: adam_ok(*a)[0], "three arrays"),
])
def test_adam_rejects_plausible_wrong_answers(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_adam_step(wrong)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_adam_off_by_one_at_later_steps():
    # t - 1 divides by 1 - beta^0 = 0 at the first step: an inf, caught as non-finite
    with pytest.raises(AssertionError, match="expected finite|off by one"):
        check_adam_step(adam_variant(t_shift=-1))


def test_answer_key_cannot_be_monkeypatched(monkeypatch):
    import dlkit.optimizers

    class Fake(dlkit.optimizers.Adam):
        def update(self, p, state):
            p.value[...] = 0.0

    monkeypatch.setattr(dlkit.optimizers, "Adam", Fake)
    with pytest.raises(AssertionError):
        check_adam_step(lambda w, *a: (np.zeros_like(w), *adam_ok(w, *a)[1:]))
