"""Checkers for chapter 02's exercises: cross-entropy, dense backward, the SGD step."""

from __future__ import annotations

import numpy as np

from ..losses import _bce as _reference_bce
from . import assert_array_close, assert_scalar_close, call_student, fail, negated, scaled_by


def _cases_bce():
    rng = np.random.default_rng(2)
    z = rng.normal(0, 3, 7)
    y = (rng.random(7) < 0.5).astype(float)
    yield "random logits", z, y
    yield "large logits (+-1e4: a naive log(sigmoid(z)) overflows)", \
        np.array([1e4, -1e4, 800.0, -800.0, 0.0]), np.array([0.0, 1.0, 1.0, 0.0, 1.0])


def check_binary_cross_entropy(bce_from_logits) -> None:
    """bce_from_logits(z, y) -> (mean loss, dL/dz), z and y of shape (N,)."""
    for label, z, y in _cases_bce():
        out = call_student(bce_from_logits, z.copy(), y.copy(), what="bce_from_logits")
        if not isinstance(out, tuple) or len(out) != 2:
            fail(f"bce_from_logits must return a pair (loss, dz), got {type(out).__name__}")
        loss, dz = out
        ref_loss, ref_dz = _reference_bce(z, y)
        n = len(z)
        assert_scalar_close(loss, ref_loss, f"the loss ({label})", rtol=1e-6, hints=[
            (lambda got, exp, n=n: np.isclose(got, exp * n), "take the mean over the batch, "
             "not the sum"),
            (lambda got, exp: not np.isfinite(got), "compute it from the logit z with the "
             "stable form max(z, 0) - y z + log(1 + exp(-|z|))"),
        ])
        assert_array_close(dz, ref_dz, f"dL/dz ({label})", rtol=1e-6, atol=1e-12, hints=[
            (scaled_by(n), "the loss is a mean: divide the gradient by N too"),
            (negated, "check the sign: dL/dz = sigmoid(z) - y"),
        ])


def check_dense_backward(dense_backward) -> None:
    """dense_backward(x, W, dy) -> (dx, dW, db) for y = x W + b."""
    rng = np.random.default_rng(3)
    for n, d_in, d_out in [(4, 3, 2), (1, 5, 5), (6, 2, 7)]:
        x = rng.standard_normal((n, d_in))
        W = rng.standard_normal((d_in, d_out))
        dy = rng.standard_normal((n, d_out))
        out = call_student(dense_backward, x.copy(), W.copy(), dy.copy(),
                           what="dense_backward")
        if not isinstance(out, tuple) or len(out) != 3:
            fail(f"dense_backward must return three arrays (dx, dW, db), got "
                 f"{type(out).__name__}")
        dx, dW, db = out
        shapes = f"(x {x.shape}, W {W.shape}, dy {dy.shape})"
        assert_array_close(dx, dy @ W.T, f"dx {shapes}")
        assert_array_close(dW, x.T @ dy, f"dW {shapes}", hints=[
            (scaled_by(1.0 / n), "do not average over the batch: dy already carries the "
             "1/N of the loss"),
        ])
        if np.shape(db) == (n, d_out):
            fail(f"db has shape {np.shape(db)}, expected ({d_out},): the bias is shared by "
                 "every example, so sum dy over the batch axis (axis=0)")
        assert_array_close(db, dy.sum(axis=0), f"db {shapes}", hints=[
            (lambda g, e, n=n: np.allclose(g, e / n), "sum over the batch, do not average"),
        ])


def check_sgd_step(sgd_step) -> None:
    """sgd_step(w, grad, lr) -> the updated w (w - lr * grad)."""
    rng = np.random.default_rng(4)
    for lr in (0.1, 0.01, 2.0):
        w = rng.standard_normal((3, 2))
        g = rng.standard_normal((3, 2))
        expected = w - lr * g
        out = call_student(sgd_step, w.copy(), g.copy(), lr, what="sgd_step")
        if out is None:
            fail("sgd_step returned None: return the updated weights")
        assert_array_close(out, expected, f"sgd_step with lr={lr}", hints=[
            (lambda got, exp, w=w, g=g, lr=lr: np.allclose(got, w + lr * g),
             "step against the gradient: w - lr * grad"),
            (lambda got, exp, w=w, g=g: np.allclose(got, w - g),
             "multiply the gradient by the learning rate"),
        ])
