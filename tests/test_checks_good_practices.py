"""Chapter 05's checkers: pass the right answer, fail stubs and plausible wrong answers with a hint."""

import numpy as np
import pytest

import dlkit as dl
from dlkit.checks import good_practices as checks


def stub(*args, **kwargs):
    raise NotImplementedError()


# -- exercise 1: the overfit loop -------------------------------------------------------------
def overfit_batch(model, X, y, lr, iterations, *, zero_grad=True, sign=1.0, after=False,
                  extra=0):
    opt = dl.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(iterations + extra):
        loss, dz = dl.binary_cross_entropy(model.forward(X), y)
        if zero_grad:
            opt.zero_grad()
        model.backward(dz)
        for p in model.parameters():
            p.value -= sign * lr * p.grad
        if after:
            loss = dl.binary_cross_entropy(model.forward(X), y)[0]
        losses.append(loss)
    return losses


def test_overfit_batch_passes_the_solution():
    checks.check_overfit_batch(overfit_batch)


@pytest.mark.parametrize("wrong, message", [
    (stub, "not implemented yet"),
    (lambda m, X, y, lr, it: None, "returned None"),
    (lambda m, X, y, lr, it: overfit_batch(m, X, y, lr, it, zero_grad=False), "zero_grad"),
    (lambda m, X, y, lr, it: overfit_batch(m, X, y, lr, it, after=True), "before its update"),
    (lambda m, X, y, lr, it: overfit_batch(m, X, y, lr, it, sign=-1.0), "AGAINST"),
    (lambda m, X, y, lr, it: overfit_batch(m, X, y, lr, it, extra=1), "exactly one loss"),
    (lambda m, X, y, lr, it: overfit_batch(m, X, y, 0.1, it), "the update is wrong"),
    (lambda m, X, y, lr, it: [dl.binary_cross_entropy(m.forward(X), y)[0]] * it, "Hint"),
    (lambda m, X, y, lr, it: "done", "list of numbers"),
])
def test_overfit_batch_catches_mistakes(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_overfit_batch(wrong)


def test_overfit_batch_must_train_the_given_model():
    import copy

    def trains_a_copy(model, X, y, lr, iterations):
        return overfit_batch(copy.deepcopy(model), X, y, lr, iterations)

    with pytest.raises(AssertionError, match="parameter 0.W after training"):
        checks.check_overfit_batch(trains_a_copy)


# -- exercise 2: the central difference -----------------------------------------------------------
def numerical_gradient(f, x, h=1e-5, *, forward=False, two=2.0, restore=True):
    grad = np.zeros_like(x, dtype=float)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old if forward else old - h
        f_minus = f(x)
        if restore:
            x[i] = old
        grad[i] = (f_plus - f_minus) / (h if forward else two * h)
    return grad


def test_numerical_gradient_passes_the_solution():
    checks.check_numerical_gradient(numerical_gradient)


def test_numerical_gradient_passes_a_copying_solution():
    def copying(f, x, h):
        grad = np.zeros_like(x)
        for i in np.ndindex(x.shape):
            xp, xm = x.copy(), x.copy()
            xp[i] += h
            xm[i] -= h
            grad[i] = (f(xp) - f(xm)) / (2 * h)
        return grad

    checks.check_numerical_gradient(copying)


@pytest.mark.parametrize("wrong, message", [
    (stub, "not implemented yet"),
    (lambda f, x, h: None, "returned None"),
    (lambda f, x, h: numerical_gradient(f, x, h, forward=True), "forward difference"),
    (lambda f, x, h: numerical_gradient(f, x, h, two=1.0), "divide by 2h, not h"),
    (lambda f, x, h: numerical_gradient(f, x, h, restore=False), "changed x"),
    (lambda f, x, h: np.full(x.shape, (f(x + h) - f(x - h)) / (2 * h)), "ONE entry at a time"),
    (lambda f, x, h: numerical_gradient(f, x, 1e-5), "step h you are given"),
    (lambda f, x, h: -numerical_gradient(f, x, h), "check the order"),
    (lambda f, x, h: numerical_gradient(f, x, h).ravel(), "has shape"),
])
def test_numerical_gradient_catches_mistakes(wrong, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_numerical_gradient(wrong)


def test_the_answer_key_cannot_be_monkeypatched(monkeypatch):
    monkeypatch.setattr(dl.gradcheck, "numerical_gradient", lambda f, x, h=1e-5: np.zeros_like(x))
    with pytest.raises(AssertionError):
        checks.check_numerical_gradient(lambda f, x, h: np.zeros_like(x))
    checks.check_numerical_gradient(numerical_gradient)


# -- exercise 3: the relative error -----------------------------------------------------------------
def relative_error(a, b):
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a), np.linalg.norm(b), 1e-300))


def test_relative_error_passes_the_solution():
    checks.check_relative_error(relative_error)


def test_relative_error_passes_an_equivalent_solution():
    def other(a, b):
        na, nb = np.sqrt(np.sum(a * a)), np.sqrt(np.sum(b * b))
        return 0.0 if na == nb == 0 else np.sqrt(np.sum((a - b) ** 2)) / max(na, nb)

    checks.check_relative_error(other)


N = np.linalg.norm


@pytest.mark.parametrize("wrong, message", [
    (stub, "not implemented yet"),
    (lambda a, b: N(a - b) / max(N(a), 1e-300), "not by \\|\\|a\\|\\|"),
    (lambda a, b: N(a - b) / max(N(b), 1e-300), "not by \\|\\|b\\|\\|"),
    (lambda a, b: N(a - b) / max(N(a) + N(b), 1e-300), "sum of the norms"),
    (lambda a, b: N(a - b) ** 2 / max(N(a) ** 2, N(b) ** 2, 1e-300), "squared norms"),
    (lambda a, b: N(a - b) / max(N(a), N(b)), "both arrays are zero"),
    (lambda a, b: np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), 1e-8), "array"),
    (lambda a, b: N(a - b) / max(N(a), N(b), 1e-8), "scale"),
    (lambda a, b: None, "single number"),
])
def test_relative_error_catches_mistakes(wrong, message):
    with pytest.raises(AssertionError, match=message):
        with np.errstate(invalid="ignore", divide="ignore"):
            checks.check_relative_error(wrong)


# -- exercise 4: debug this network ------------------------------------------------------------
class ResidualTanh(dl.Layer):
    """The notebook's buggy block."""

    def __init__(self, features, rng=None):
        super().__init__()
        self.W = dl.Parameter(dl.initializers.xavier_uniform((features, features), rng), name="W")
        self.b = dl.Parameter(np.zeros(features), name="b")

    def forward(self, x):
        self._x = x
        self._t = np.tanh(x @ self.W.value + self.b.value)
        return x + self._t

    def backward(self, dy):
        x, t = self._x, self._t
        da = dy * (1 - t ** 2)
        self.W.grad += da.T @ x
        self.b.grad += da.sum(axis=0)
        return da @ self.W.value.T


def fixed_class(*, transposed=False, skip=True, assign=False, through_tanh=True):
    class Fixed(ResidualTanh):
        def backward(self, dy):
            x, t = self._x, self._t
            da = dy * (1 - t ** 2) if through_tanh else dy
            dW = (da.T @ x) if transposed else (x.T @ da)
            if assign:
                self.W.grad[...] = dW
            else:
                self.W.grad += dW
            self.b.grad += da.sum(axis=0)
            return (dy if skip else 0.0) + da @ self.W.value.T
    return Fixed


def test_residual_passes_the_fix():
    checks.check_residual_tanh(fixed_class())


class Stub(ResidualTanh):
    def backward(self, dy):
        raise NotImplementedError()


@pytest.mark.parametrize("cls, message", [
    (Stub, "not implemented yet"),
    (ResidualTanh, "skip path"),
    (fixed_class(transposed=True), "transposed"),
    (fixed_class(skip=False), "skip path"),
    (fixed_class(assign=True), "ADD into W.grad"),
    (fixed_class(through_tanh=False), "Hint"),
])
def test_residual_catches_mistakes(cls, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_residual_tanh(cls)


def test_residual_forward_must_stay():
    class ChangedForward(fixed_class()):
        def forward(self, x):
            self._x = x
            self._t = np.tanh(x @ self.W.value + self.b.value)
            return self._t

    with pytest.raises(AssertionError, match="keep ResidualTanh's forward"):
        checks.check_residual_tanh(ChangedForward)


def test_residual_needs_W_and_b():
    class NoParams(dl.Layer):
        def __init__(self, features, rng=None):
            super().__init__()

    with pytest.raises(AssertionError, match="no parameter 'W'"):
        checks.check_residual_tanh(NoParams)
