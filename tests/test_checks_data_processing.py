"""Chapter 01's checkers: pass on right answers, fail with a useful message on wrong ones."""

import numpy as np
import pytest

import dlkit
from dlkit.checks import data_processing as chk


# -- right answers, written the way a reader would --------------------------------------
def contrast_ok(x, contrast, brightness):
    m = x.mean(axis=(1, 2, 3), keepdims=True)
    return np.clip(brightness * (contrast * x + (1 - contrast) * m), 0, 1)


def bn_forward_ok(x, gamma, beta, eps):
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def bn_backward_ok(dy, x, gamma, eps):
    n = x.shape[0]
    mu, var = x.mean(axis=0), x.var(axis=0)
    x_hat = (x - mu) / np.sqrt(var + eps)
    dbeta = dy.sum(axis=0)
    dgamma = (dy * x_hat).sum(axis=0)
    dx = gamma / (n * np.sqrt(var + eps)) * (n * dy - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


def stub(*args):
    raise NotImplementedError()


def test_right_answers_pass():
    chk.check_adjust_contrast(contrast_ok)
    chk.check_batchnorm_forward(bn_forward_ok)
    chk.check_batchnorm_backward(bn_backward_ok)


@pytest.mark.parametrize("check", [chk.check_adjust_contrast, chk.check_batchnorm_forward,
                                   chk.check_batchnorm_backward])
def test_stubs_fail_with_a_friendly_message(check):
    with pytest.raises(AssertionError, match="not implemented yet"):
        check(stub)


# -- plausible wrong answers -------------------------------------------------------------
@pytest.mark.parametrize("wrong,hint", [
    (lambda x, c, b: np.clip(b * (c * x + (1 - c) * x.mean()), 0, 1), "each image"),
    (lambda x, c, b: np.clip(b * (c * x + (1 - c) * x.mean(axis=(1, 2), keepdims=True)), 0, 1),
     "AND channels"),
    (lambda x, c, b: b * (c * x + (1 - c) * x.mean(axis=(1, 2, 3), keepdims=True)), "clip"),
    (lambda x, c, b: np.clip(c * x + (1 - c) * x.mean(axis=(1, 2, 3), keepdims=True) + b - 1,
                             0, 1), "factor"),
    (lambda x, c, b: np.clip(c * x, 0, 1), "entries are wrong"),
])
def test_wrong_contrast_fails_with_a_hint(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        chk.check_adjust_contrast(wrong)


def test_contrast_in_place_fails():
    def in_place(x, c, b):
        x *= 1.0
        x[0, 0, 0, 0] = 0.0
        return contrast_ok(x, c, b)
    with pytest.raises(AssertionError, match="in place"):
        chk.check_adjust_contrast(in_place)


@pytest.mark.parametrize("wrong,hint", [
    (lambda x, g, b, eps: g * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + eps) + b, "biased"),
    (lambda x, g, b, eps: g * (x - x.mean(0)) / (np.sqrt(x.var(0)) + eps) + b, "INSIDE"),
    (lambda x, g, b, eps: g * (x - x.mean(1, keepdims=True))
     / np.sqrt(x.var(1, keepdims=True) + eps) + b, "axis=0"),
    (lambda x, g, b, eps: (x - x.mean(0)) / np.sqrt(x.var(0) + eps), "gamma"),
    (lambda x, g, b, eps: x - x.mean(0), "entries are wrong"),
    (lambda x, g, b, eps: (x - x.mean(0))[:, :2], "shape"),
])
def test_wrong_batchnorm_forward_fails_with_a_hint(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        chk.check_batchnorm_forward(wrong)


def _bn_parts(dy, x, gamma, eps):
    mu, var = x.mean(axis=0), x.var(axis=0)
    x_hat = (x - mu) / np.sqrt(var + eps)
    return x_hat, 1 / np.sqrt(var + eps)


def naive_backward(dy, x, gamma, eps):
    x_hat, inv = _bn_parts(dy, x, gamma, eps)
    return dy * gamma * inv, (dy * x_hat).sum(0), dy.sum(0)


def swapped_backward(dy, x, gamma, eps):
    dx, dgamma, dbeta = bn_backward_ok(dy, x, gamma, eps)
    return dx, dbeta, dgamma


def dgamma_with_x(dy, x, gamma, eps):
    dx, _, dbeta = bn_backward_ok(dy, x, gamma, eps)
    return dx, (dy * x).sum(0), dbeta


def negated_backward(dy, x, gamma, eps):
    dx, dgamma, dbeta = bn_backward_ok(dy, x, gamma, eps)
    return -dx, dgamma, dbeta


def missing_n(dy, x, gamma, eps):
    dx, dgamma, dbeta = bn_backward_ok(dy, x, gamma, eps)
    return dx * len(x), dgamma, dbeta


@pytest.mark.parametrize("wrong,hint", [
    (naive_backward, "correction terms"),
    (swapped_backward, "swapped"),
    (dgamma_with_x, "x_hat"),
    (negated_backward, "sign"),
    (missing_n, "1/N"),
    (lambda dy, x, g, eps: bn_backward_ok(dy, x, g, eps)[0], "tuple"),
])
def test_wrong_batchnorm_backward_fails_with_a_hint(wrong, hint):
    with pytest.raises(AssertionError, match=hint):
        chk.check_batchnorm_backward(wrong)


def test_the_answer_key_cannot_be_monkeypatched(monkeypatch):
    """A reader who replaces dlkit's reference with their (wrong) function still fails."""
    def wrong(x, g, b, eps):
        return x

    monkeypatch.setattr(dlkit.batchnorm, "batchnorm_forward", lambda x, g, b, eps=1e-5: (x, None))
    monkeypatch.setattr(dlkit.augment, "adjust_contrast", lambda x, c=1, b=1: x)
    with pytest.raises(AssertionError):
        chk.check_batchnorm_forward(wrong)
    with pytest.raises(AssertionError):
        chk.check_adjust_contrast(lambda x, c, b: x)
