"""Checkers for chapter 01's exercises: contrast change, batch-norm forward and backward.

Each ``check_xxx(student_fn)`` calls the reader's function on seeded inputs,
compares with dlkit's own implementation (bound here at import time, so that
reassigning ``dlkit.batchnorm.batchnorm_forward`` cannot change the answer key)
and raises AssertionError with a hint at the usual mistake.
"""

from __future__ import annotations

import numpy as np

from ..augment import adjust_contrast as _ref_contrast
from ..batchnorm import batchnorm_backward as _ref_bn_backward
from ..batchnorm import batchnorm_forward as _ref_bn_forward
from . import assert_array_close, call_student, fail


def _images(seed: int, shape=(3, 5, 4, 3)) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.05, 0.95, size=shape)


def _contrast_hints(x, c, b):
    def formula(m, clip=True, shift=False):
        y = (c * x + (1 - c) * m + (b - 1)) if shift else b * (c * x + (1 - c) * m)
        return np.clip(y, 0, 1) if clip else y

    m_img = x.mean(axis=(1, 2, 3), keepdims=True)
    return [
        (lambda g, e: np.allclose(g, formula(x.mean())),
         "m must be the mean of each image (axes 1, 2, 3 with keepdims), not of the whole "
         "batch"),
        (lambda g, e: np.allclose(g, formula(x.mean(axis=(1, 2), keepdims=True))),
         "m is the mean over all pixels AND channels of an image (axes 1, 2, 3), not one mean "
         "per channel"),
        (lambda g, e: np.allclose(g, formula(m_img, clip=False)),
         "clip the result to [0, 1] (np.clip)"),
        (lambda g, e: np.allclose(g, formula(m_img, shift=True)),
         "brightness is a factor (multiply), not a shift"),
    ]


def check_adjust_contrast(student_fn) -> None:
    """student_fn(x, contrast, brightness) for x: (N, H, W, C) floats in [0, 1].

    Expected: y = clip(brightness * (contrast * x + (1 - contrast) * m), 0, 1),
    m the mean of EACH image over its pixels and channels.
    """
    cases = [(1.0, 1.0), (1.8, 1.0), (0.4, 1.0), (1.0, 0.6), (1.5, 1.3), (0.0, 1.0)]
    for i, (contrast, brightness) in enumerate(cases):
        x = _images(10 + i)
        x[1] *= 0.5   # images with different means: a batch-wide mean is caught
        x_before = x.copy()
        got = call_student(student_fn, x, contrast, brightness,
                           what="adjust_contrast(x, contrast, brightness)")
        if not np.array_equal(x, x_before):
            fail("adjust_contrast modified its input x in place: return a new array")
        expected = _ref_contrast(x, contrast, brightness)
        what = f"adjust_contrast(x, contrast={contrast}, brightness={brightness})"
        hints = _contrast_hints(x, contrast, brightness)
        assert_array_close(got, expected, what, rtol=1e-7, atol=1e-9, hints=hints)


def _bn_inputs(seed: int, n: int = 8, d: int = 5):
    rng = np.random.default_rng(seed)
    x = rng.normal(2.0, 3.0, size=(n, d)) * rng.uniform(0.5, 4.0, size=d)
    gamma = rng.uniform(0.5, 2.0, size=d)
    beta = rng.normal(0.0, 1.0, size=d)
    return x, gamma, beta


def _bn_forward_hints(x, gamma, beta, eps):
    mu = x.mean(axis=0)

    def norm(var, eps_inside=True):
        scale = 1 / np.sqrt(var + eps) if eps_inside else 1 / (np.sqrt(var) + eps)
        return gamma * (x - mu) * scale + beta

    per_row = (gamma * (x - x.mean(axis=1, keepdims=True))
               / np.sqrt(x.var(axis=1, keepdims=True) + eps) + beta)
    return [
        (lambda g, e: np.allclose(g, norm(x.var(axis=0, ddof=1))),
         "use the biased batch variance (divide by N, np.var's default ddof=0)"),
        (lambda g, e: np.allclose(g, norm(x.var(axis=0), eps_inside=False)),
         "eps goes INSIDE the square root: sqrt(var + eps)"),
        (lambda g, e: np.allclose(g, per_row),
         "normalize each feature over the batch (axis=0), not each example over its features "
         "(axis=1)"),
        (lambda g, e: np.allclose(g, (x - mu) / np.sqrt(x.var(axis=0) + eps)),
         "scale by gamma and shift by beta after normalizing"),
    ]


def check_batchnorm_forward(student_fn) -> None:
    """student_fn(x, gamma, beta, eps) -> y, training mode, x: (N, D)."""
    for seed, eps in ((0, 1e-5), (1, 1e-5), (2, 0.5)):
        x, gamma, beta = _bn_inputs(seed, n=4 if seed == 2 else 8)
        x_before = x.copy()
        got = call_student(student_fn, x, gamma, beta, eps,
                           what="batchnorm_forward(x, gamma, beta, eps)")
        if not np.array_equal(x, x_before):
            fail("batchnorm_forward modified its input x in place: return a new array")
        expected, _ = _ref_bn_forward(x, gamma, beta, eps)
        hints = _bn_forward_hints(x, gamma, beta, eps)
        assert_array_close(got, expected, f"batchnorm_forward (eps={eps})", hints=hints)


def check_batchnorm_backward(student_fn) -> None:
    """student_fn(dy, x, gamma, eps) -> (dx, dgamma, dbeta), training mode, x: (N, D)."""
    for seed, eps in ((3, 1e-5), (4, 1e-5), (5, 0.3)):
        x, gamma, beta = _bn_inputs(seed)
        dy = np.random.default_rng(100 + seed).normal(size=x.shape)
        got = call_student(student_fn, dy, x, gamma, eps,
                           what="batchnorm_backward(dy, x, gamma, eps)")
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            fail(f"batchnorm_backward must return a tuple (dx, dgamma, dbeta), got "
                 f"{type(got).__name__}")
        _, cache = _ref_bn_forward(x, gamma, beta, eps)
        dx, dgamma, dbeta = _ref_bn_backward(dy, cache)
        _check_bn_backward(got, (dx, dgamma, dbeta), dy, cache, eps, len(x))


def _check_bn_backward(got, expected, dy, cache, eps, n):
    dx, dgamma, dbeta = expected
    x_hat, inv_std, gamma = cache
    assert_array_close(
        got[2], dbeta, "dbeta",
        hints=[(lambda g, e: np.allclose(g, (dy * x_hat).sum(axis=0)),
                "dgamma and dbeta are swapped: dbeta = sum of dy over the batch")])
    assert_array_close(
        got[1], dgamma, "dgamma",
        hints=[(lambda g, e: np.allclose(g, dy.sum(axis=0)),
                "dgamma = sum over the batch of dy * x_hat (x_hat the normalized x)"),
               (lambda g, e: np.allclose(g, (dy * (x_hat / inv_std)).sum(axis=0))
                or not np.allclose(g, (dy * x_hat).sum(axis=0)),
                "use the normalized x_hat in dgamma = sum over the batch of dy * x_hat")])
    hints = [
        (lambda g, e: np.allclose(g, dy * gamma * inv_std),
         "this treats mu_B and sigma_B as constants; they depend on every x_i, which adds the "
         "two correction terms: dx = gamma/(N sigma) (N dy - sum dy - x_hat sum(dy x_hat))"),
        (lambda g, e: np.allclose(g, -e), "the sign is flipped"),
        (lambda g, e: np.allclose(g, e * n) or np.allclose(g, e / n),
         "check the factor 1/N: dx = gamma / (N sigma) * (N dy - ...)"),
    ]
    assert_array_close(got[0], dx, f"dx (eps={eps})", hints=hints)
