"""Checkers for chapter 05's exercises: numerical gradient, relative error, the
overfit-one-batch loop, and the "debug this network" residual block.

The references are bound here, at import time, so that a submission which
reassigns ``dlkit.gradcheck.numerical_gradient`` cannot change the answer key.
"""

from __future__ import annotations

import numpy as np

from ..activations import Tanh as _Tanh
from ..datasets.toy import make_xor as _make_xor
from ..dense import Dense as _Dense
from ..gradcheck import check_layer as _ref_check_layer
from ..gradcheck import numerical_gradient as _ref_numerical_gradient
from ..gradcheck import relative_error as _ref_relative_error
from ..losses import binary_cross_entropy as _ref_bce
from ..overfit import overfit_one_batch as _ref_overfit
from ..sequential import Sequential as _Sequential
from . import assert_array_close, assert_scalar_close, call_student, fail, negated, scaled_by


# -- exercise 1: the central difference -------------------------------------------------
def _cases_numerical_gradient():
    rng = np.random.default_rng(51)
    C = rng.standard_normal((3, 4))
    yield ("f(x) = sum(C sin x) + sum(x^3) / 3, x of shape (3, 4), h = 1e-3",
           lambda x: float(np.sum(C * np.sin(x)) + np.sum(x ** 3) / 3),
           rng.standard_normal((3, 4)), 1e-3)
    yield ("f(x) = log(sum(exp(x))), x of shape (5,), h = 1e-4",
           lambda x: float(np.log(np.sum(np.exp(x)))), rng.standard_normal(5), 1e-4)
    yield ("f(x) = sum(x^4), x of shape (2, 3), a large h = 0.1",
           lambda x: float(np.sum(x ** 4)), rng.standard_normal((2, 3)), 0.1)


def _forward_difference(f, x, h):
    x = x.copy()
    f0, grad = f(x), np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - f0) / h
        x[i] = old
    return grad


def check_numerical_gradient(numerical_gradient) -> None:
    """numerical_gradient(f, x, h) -> central-difference gradient of scalar f at x."""
    for label, f, x0, h in _cases_numerical_gradient():
        x = x0.copy()
        got = call_student(numerical_gradient, f, x, h, what="numerical_gradient")
        if got is None:
            fail("numerical_gradient returned None: return the gradient array")
        if not np.array_equal(x, x0):
            fail(f"numerical_gradient changed x ({label}): put every perturbed entry back "
                 "(x[i] = old) before moving to the next one")
        expected = _ref_numerical_gradient(f, x0.copy(), h)
        forward = _forward_difference(f, x0, h)
        all_at_once = (f(x0 + h) - f(x0 - h)) / (2 * h)
        assert_array_close(got, expected, f"the gradient ({label})", rtol=1e-6, atol=1e-9,
                           hints=[
            (lambda g, e, fw=forward: np.allclose(g, fw, rtol=1e-6, atol=1e-9),
             "this is the forward difference (f(x + h) - f(x)) / h, accurate only to O(h): "
             "use the central difference (f(x + h) - f(x - h)) / (2h)"),
            (scaled_by(2.0), "divide by 2h, not h: the two points are 2h apart"),
            (scaled_by(0.5), "divide by 2h, not 4h"),
            (negated, "check the order: f(x + h) - f(x - h)"),
            (lambda g, e, a=all_at_once: np.allclose(g, a, rtol=1e-6),
             "perturb ONE entry at a time (x[i] += h), not the whole array (x + h)"),
            (lambda g, e: True, "perturb one entry at a time by the step h you are given: "
             "grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2h)"),
        ])


# -- exercise 2: the relative error -------------------------------------------------------
def _cases_relative_error():
    rng = np.random.default_rng(52)
    a = rng.standard_normal((4, 3))
    yield "a close pair", a, a + 1e-4 * rng.standard_normal((4, 3))
    yield "b = 3 a", a, 3 * a
    yield "a = 3 b", 3 * a, a
    yield "unrelated arrays", rng.standard_normal(6), rng.standard_normal(6)
    yield "tiny arrays (1e-20): the error is scale-free", 1e-20 * a, 2e-20 * a[::-1]
    yield "both zero", np.zeros(5), np.zeros(5)


def check_relative_error(relative_error) -> None:
    """relative_error(a, b) -> ||a - b||_2 / max(||a||_2, ||b||_2), 0.0 when both are 0."""
    for label, a, b in _cases_relative_error():
        got = call_student(relative_error, a.copy(), b.copy(), what="relative_error")
        if isinstance(got, np.ndarray) and got.size > 1:
            fail(f"relative_error returned an array of shape {got.shape} ({label}): reduce "
                 "to one number with norms, np.linalg.norm(a - b) / max(...)")
        expected = _ref_relative_error(a, b)
        na, nb, nd = np.linalg.norm(a), np.linalg.norm(b), np.linalg.norm(a - b)
        try:
            value = float(np.asarray(got, dtype=np.float64).reshape(()))
        except (TypeError, ValueError):
            fail(f"relative_error must return a single number, got {type(got).__name__}")
        if expected == 0.0 and not np.isfinite(value):
            fail(f"relative_error is {value} when both arrays are zero: guard the "
                 "denominator (max(..., 1e-300)) so that equal arrays give 0.0")
        by_a, by_b = nd / max(na, 1e-300), nd / max(nb, 1e-300)
        by_sum = nd / max(na + nb, 1e-300)
        assert_scalar_close(got, expected, f"relative_error ({label})", rtol=1e-6,
                            atol=1e-12, hints=[
            (lambda g, e, v=by_a: np.isclose(g, v),
             "divide by the LARGER of the two norms, max(||a||, ||b||), not by ||a||"),
            (lambda g, e, v=by_b: np.isclose(g, v),
             "divide by the LARGER of the two norms, max(||a||, ||b||), not by ||b||"),
            (lambda g, e, v=by_sum: np.isclose(g, v),
             "divide by max(||a||, ||b||), not by the sum of the norms"),
            (lambda g, e: np.isclose(g, e * e), "use norms, not squared norms"),
            (lambda g, e: g < 1e-3 * e, "the error must not depend on the scale: use a "
             "denominator guard far below any real norm (1e-300), or none but for 0 / 0"),
        ])


# -- exercise 3: the overfit-one-batch loop ----------------------------------------------
_ITERATIONS, _LR = 40, 0.5


def _batch_and_model(seed: int = 3):
    X, y = _make_xor(16, noise=0.2, rng=np.random.default_rng(230))
    rng = np.random.default_rng(seed)
    model = _Sequential(_Dense(2, 8, rng=rng), _Tanh(), _Dense(8, 1, rng=rng))
    return X, y, model


def _manual_loop(X, y, model, lr, iterations, *, zero_grad=True, sign=1.0, record_after=False):
    """Plausible variants of the loop, to recognise the usual mistakes."""
    params = model.parameters()
    losses = []
    for _ in range(iterations):
        value, dz = _ref_bce(model.forward(X), y)
        if zero_grad:
            for p in params:
                p.grad.fill(0.0)
        model.backward(dz)
        for p in params:
            p.value -= sign * lr * p.grad
        if record_after:
            value = _ref_bce(model.forward(X), y)[0]
        losses.append(value)
    return np.array(losses)


def check_overfit_batch(overfit_batch) -> None:
    """overfit_batch(model, X, y, lr, iterations) -> list of `iterations` losses.

    losses[t] is the binary cross-entropy on the batch before update t; every
    iteration does zero_grad, backward, SGD step.
    """
    X, y, model = _batch_and_model()
    got = call_student(overfit_batch, model, X.copy(), y.copy(), _LR, _ITERATIONS,
                       what="overfit_batch")
    if got is None:
        fail("overfit_batch returned None: return the list of losses")
    try:
        got = np.asarray(got, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        fail(f"overfit_batch must return a list of numbers, got {type(got).__name__}")
    if got.shape != (_ITERATIONS,):
        fail(f"overfit_batch returned {got.size} losses for iterations={_ITERATIONS}: record "
             "exactly one loss per iteration")
    _, _, ref_model = _batch_and_model()
    ref = _ref_overfit(ref_model, X, y, lr=_LR, max_iterations=_ITERATIONS,
                       stop_when_reached=False)
    expected = ref.losses[:_ITERATIONS]

    def variant(**kw):
        Xv, yv, m = _batch_and_model()
        with np.errstate(all="ignore"):
            return _manual_loop(Xv, yv, m, _LR, _ITERATIONS, **kw)

    assert_array_close(got, expected, f"the losses over {_ITERATIONS} iterations (lr={_LR})",
                       rtol=1e-6, atol=1e-10, hints=[
        (lambda g, e: np.allclose(g, variant(zero_grad=False), rtol=1e-6),
         "reset the gradients before each backward (optimizer.zero_grad()): backward ADDS "
         "into .grad, so without it the gradients pile up"),
        (lambda g, e: np.allclose(g, variant(record_after=True), rtol=1e-6),
         "record the loss computed at the start of the iteration, before its update"),
        (lambda g, e: np.allclose(g, variant(sign=-1.0), rtol=1e-6),
         "step AGAINST the gradient: w <- w - lr * grad"),
        (lambda g, e: np.isclose(g[0], e[0]), "the first loss is right, so the update is "
         "wrong: zero_grad, backward(dz), then w <- w - lr * grad with the given lr"),
    ])
    for (name, p), p_ref in zip(model.named_parameters(), ref_model.parameters()):
        assert_array_close(p.value, p_ref.value, f"parameter {name} after training",
                           rtol=1e-6, atol=1e-10, hints=[
            (lambda g, e: True, f"do exactly {_ITERATIONS} updates, on the model you are "
             "given (train it in place)"),
        ])


# -- exercise 4: debug this network -------------------------------------------------------
def _residual_reference(x, W, b, dy):
    """y = x + tanh(x W + b): returns (y, dx, dW, db)."""
    t = np.tanh(x @ W + b)
    da = dy * (1.0 - t * t)
    return x + t, dy + da @ W.T, x.T @ da, da.sum(axis=0)


def check_residual_tanh(layer_cls) -> None:
    """layer_cls(features, rng): y = x + tanh(x W + b), with a correct backward."""
    rng = np.random.default_rng(54)
    D, N = 4, 5
    name = getattr(layer_cls, "__name__", "the layer class")
    layer = call_student(layer_cls, D, np.random.default_rng(0), what=f"{name}(4, rng)")
    for attr in ("W", "b"):
        if not hasattr(layer, attr):
            fail(f"the layer has no parameter {attr!r}: keep the W and b of ResidualTanh")
    W, b = 0.8 * rng.standard_normal((D, D)), 0.3 * rng.standard_normal(D)
    x, dy = rng.standard_normal((N, D)), rng.standard_normal((N, D))
    layer.W.value[...] = W
    layer.b.value[...] = b
    layer.W.grad.fill(0.0)
    layer.b.grad.fill(0.0)
    y_ref, dx_ref, dW_ref, db_ref = _residual_reference(x, W, b, dy)
    y = call_student(layer.forward, x.copy(), what="forward")
    assert_array_close(y, y_ref, "forward(x) = x + tanh(x W + b)", hints=[
        (lambda g, e: True, "only backward needs fixing: keep ResidualTanh's forward"),
    ])
    dx = call_student(layer.backward, dy.copy(), what="backward")
    t = np.tanh(x @ W + b)
    da = dy * (1 - t * t)
    assert_array_close(dx, dx_ref, "dx", hints=[
        (lambda g, e: np.allclose(g, da @ W.T), "y = x + tanh(...): the skip path x adds its "
         "own term, so dx = dy + (dy * (1 - t^2)) W^T"),
        (lambda g, e: np.allclose(g, dy + da @ W), "dx goes through W^T, not W"),
        (lambda g, e: np.allclose(g, dy + dy @ W.T), "go back through tanh first: "
         "multiply dy by its derivative (1 - t^2)"),
    ])
    assert_array_close(layer.W.grad, dW_ref, "W.grad", hints=[
        (lambda g, e: np.allclose(g, e.T), "dW is transposed: dW = x^T da, of shape "
         "(D_in, D_out); W is square here, so the shapes cannot warn you"),
        (lambda g, e: np.allclose(g, x.T @ dy), "multiply by tanh's derivative (1 - t^2)"),
    ])
    assert_array_close(layer.b.grad, db_ref, "b.grad", hints=[
        (lambda g, e: np.allclose(g, dy.sum(axis=0)), "multiply by tanh's derivative "
         "(1 - t^2) before summing"),
    ])
    layer.forward(x.copy())
    call_student(layer.backward, dy.copy(), what="backward")
    assert_array_close(layer.W.grad, 2 * dW_ref, "W.grad after two backward passes", hints=[
        (lambda g, e: np.allclose(g, dW_ref), "ADD into W.grad (+=): gradients accumulate "
         "until zero_grad"),
    ])
    fresh = layer_cls(D, np.random.default_rng(1))
    result = _ref_check_layer(fresh, rng.standard_normal((N, D)))
    if not result.ok():
        fail(f"the gradient check still fails: {result.verdict()}\n{result.report()}")
