"""Chapter 02's exercise checkers pass correct answers and fail stubs and usual mistakes."""

import numpy as np
import pytest

import dlkit as dl
from dlkit.checks.training import check_binary_cross_entropy, check_dense_backward, check_sgd_step


def good_bce(z, y):
    n = len(z)
    return np.sum(np.maximum(z, 0) - y * z + np.log1p(np.exp(-np.abs(z)))) / n, \
        (dl.sigmoid(z) - y) / n


def stub(*args):
    raise NotImplementedError()


def test_correct_answers_pass():
    check_binary_cross_entropy(good_bce)
    check_dense_backward(lambda x, W, dy: (dy @ W.T, x.T @ dy, dy.sum(axis=0)))
    check_sgd_step(lambda w, g, lr: w - lr * g)


@pytest.mark.parametrize("check", [check_binary_cross_entropy, check_dense_backward,
                                   check_sgd_step])
def test_stubs_fail_with_a_friendly_message(check):
    with pytest.raises(AssertionError, match="not implemented yet"):
        check(stub)


def test_bce_mistakes_get_targeted_hints():
    def summed(z, y):
        loss, dz = good_bce(z, y)
        return loss * len(z), dz * len(z)

    with pytest.raises(AssertionError, match="mean over the batch"):
        check_binary_cross_entropy(summed)

    def no_mean_in_grad(z, y):
        loss, dz = good_bce(z, y)
        return loss, dz * len(z)

    with pytest.raises(AssertionError, match="divide the gradient by N"):
        check_binary_cross_entropy(no_mean_in_grad)

    def naive(z, y):
        with np.errstate(all="ignore"):
            p = 1 / (1 + np.exp(-z))
            loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
        return loss, (p - y) / len(z)

    with pytest.raises(AssertionError, match="stable form|finite"):
        check_binary_cross_entropy(naive)


def test_dense_backward_mistakes():
    with pytest.raises(AssertionError, match="sum dy over the batch"):
        check_dense_backward(lambda x, W, dy: (dy @ W.T, x.T @ dy, dy))
    with pytest.raises(AssertionError,
                       match=r"dW .* has shape \(2, 3\), expected \(3, 2\) \(transposed\?\)"):
        check_dense_backward(lambda x, W, dy: (dy @ W.T, dy.T @ x, dy.sum(0)))
    with pytest.raises(AssertionError, match="returns? three arrays|must return three"):
        check_dense_backward(lambda x, W, dy: dy @ W.T)


def test_sgd_step_mistakes():
    with pytest.raises(AssertionError, match="against the gradient"):
        check_sgd_step(lambda w, g, lr: w + lr * g)
    with pytest.raises(AssertionError, match="returned None"):
        check_sgd_step(lambda w, g, lr: None)


def test_monkeypatching_dlkit_does_not_change_the_answer_key(monkeypatch):
    import dlkit.losses

    monkeypatch.setattr(dlkit.losses, "_bce", lambda z, y: (0.0, np.zeros_like(z)))
    monkeypatch.setattr(dlkit.losses, "binary_cross_entropy",
                        lambda z, y: (0.0, np.zeros_like(z)))
    with pytest.raises(AssertionError):
        check_binary_cross_entropy(lambda z, y: (0.0, np.zeros_like(z)))
