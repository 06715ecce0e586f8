"""The chapter 04 checkers pass correct answers and fail stubs and plausible wrong answers."""

import numpy as np
import pytest

import dlkit
from dlkit.checks import regularization as checks


def stub(*args, **kwargs):
    raise NotImplementedError()


# -- dropout ---------------------------------------------------------------------------------
def forward_ok(x, p, rng, training=True):
    if not training or p == 0:
        return x, None
    mask = (rng.random(x.shape) >= p) / (1 - p)
    return x * mask, mask


def backward_ok(dout, mask):
    return dout if mask is None else dout * mask


def forward_binomial(x, p, rng, training=True):
    # a different but valid draw: still accepted
    if not training:
        return x, None
    mask = rng.binomial(1, 1 - p, size=x.shape) / (1 - p)
    return x * mask, mask


def forward_no_scaling(x, p, rng, training=True):
    if not training:
        return x, None
    mask = (rng.random(x.shape) >= p).astype(float)
    return x * mask, mask


def forward_keep_prob(x, p, rng, training=True):
    if not training:
        return x, None
    mask = (rng.random(x.shape) < p) / p
    return x * mask, mask


def forward_divide_by_p(x, p, rng, training=True):
    if not training:
        return x, None
    mask = (rng.random(x.shape) >= p) / p
    return x * mask, mask


def forward_global_state(x, p, rng, training=True):
    if not training:
        return x, None
    mask = (np.random.random(x.shape) >= p) / (1 - p)  # noqa: NPY002 (the mistake)
    return x * mask, mask


def forward_always_on(x, p, rng, training=True):
    mask = (rng.random(x.shape) >= p) / (1 - p)
    return x * mask, mask


def forward_unscaled_mask(x, p, rng, training=True):
    if not training:
        return x, None
    keep = (rng.random(x.shape) >= p).astype(float)
    return x * keep / (1 - p), keep


def test_dropout_forward_passes_correct_answers():
    checks.check_dropout_forward(forward_ok)
    checks.check_dropout_forward(forward_binomial)
    checks.check_dropout_forward(dlkit.dropout.dropout_forward)


@pytest.mark.parametrize("fn,message", [
    (stub, "not implemented yet"),
    (forward_no_scaling, "scale the kept units by 1/\\(1 - p\\)"),
    (forward_keep_prob, "p is the DROP probability"),
    (forward_divide_by_p, "not by p"),
    (forward_global_state, "rng argument"),
    (forward_always_on, "training=False"),
    (forward_unscaled_mask, "scaled mask"),
    (lambda x, p, rng, training=True: x, "must return a pair"),
])
def test_dropout_forward_fails_wrong_answers(fn, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_dropout_forward(fn)


def test_dropout_backward():
    checks.check_dropout_backward(backward_ok)
    checks.check_dropout_backward(backward_ok, forward_ok)
    with pytest.raises(AssertionError, match="not implemented yet"):
        checks.check_dropout_backward(stub)
    with pytest.raises(AssertionError, match="multiply dout by the mask"):
        checks.check_dropout_backward(lambda dout, mask: dout)
    with pytest.raises(AssertionError, match="already contains the 1/\\(1 - p\\)"):
        checks.check_dropout_backward(lambda dout, mask: dout * (mask != 0))
    with pytest.raises(AssertionError, match="do not divide by \\(1 - p\\) again"):
        checks.check_dropout_backward(lambda dout, mask: dout * mask / 0.75)


# -- Elastic Net ---------------------------------------------------------------------------
def en_ok(w, lam, alpha):
    return (lam * ((1 - alpha) * np.abs(w).sum() + alpha * np.sum(w**2)),
            lam * ((1 - alpha) * np.sign(w) + 2 * alpha * w))


def en_swapped(w, lam, alpha):
    return en_ok(w, lam, 1 - alpha)


def en_half(w, lam, alpha):
    return (lam * ((1 - alpha) * np.abs(w).sum() + alpha / 2 * np.sum(w**2)),
            lam * ((1 - alpha) * np.sign(w) + alpha * w))


def en_no_two(w, lam, alpha):
    return en_ok(w, lam, alpha)[0], lam * ((1 - alpha) * np.sign(w) + alpha * w)


def en_nan_at_zero(w, lam, alpha):
    with np.errstate(invalid="ignore", divide="ignore"):
        return en_ok(w, lam, alpha)[0], lam * ((1 - alpha) * w / np.abs(w) + 2 * alpha * w)


def en_no_lam(w, lam, alpha):
    value, grad = en_ok(w, 1.0, alpha)
    return value, grad


def test_elastic_net_passes_correct_answer():
    checks.check_elastic_net(en_ok)
    reg = dlkit.ElasticNet
    checks.check_elastic_net(lambda w, lam, alpha: (reg(lam, alpha).penalty(w),
                                                    reg(lam, alpha).grad(w)))


@pytest.mark.parametrize("fn,message", [
    (stub, "not implemented yet"),
    (en_swapped, "alpha weights the L2 term"),
    (en_half, "no 1/2"),
    (en_no_two, "derivative of w\\*\\*2 is 2 w"),
    (en_nan_at_zero, "contains nan"),
    (en_no_lam, "multiply by lam"),
    (lambda w, lam, alpha: en_ok(w, lam, alpha)[0], "must return a pair"),
])
def test_elastic_net_fails_wrong_answers(fn, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_elastic_net(fn)


# -- soft-thresholding ----------------------------------------------------------------------
def test_soft_threshold():
    checks.check_soft_threshold(lambda w, t: np.sign(w) * np.maximum(np.abs(w) - t, 0.0))
    checks.check_soft_threshold(dlkit.regularizers.soft_threshold)
    with pytest.raises(AssertionError, match="not implemented yet"):
        checks.check_soft_threshold(stub)
    with pytest.raises(AssertionError, match="clamp"):
        checks.check_soft_threshold(lambda w, t: w - t * np.sign(w))
    with pytest.raises(AssertionError, match="keep the sign"):
        checks.check_soft_threshold(lambda w, t: np.maximum(np.abs(w) - t, 0.0))
    with pytest.raises(AssertionError, match="hard-thresholding"):
        checks.check_soft_threshold(lambda w, t: np.where(np.abs(w) > t, w, 0.0))


# -- early stopping ---------------------------------------------------------------------------
def stop_ok(val_losses, patience, min_delta=0.0):
    best, best_epoch = np.inf, 0
    for epoch, value in enumerate(val_losses):
        if value < best - min_delta:
            best, best_epoch = value, epoch
        elif epoch - best_epoch >= patience and epoch > 0:
            return epoch
    return None


def stop_vs_previous(val_losses, patience, min_delta=0.0):
    wait = 0
    for epoch in range(1, len(val_losses)):
        if val_losses[epoch] < val_losses[epoch - 1] - min_delta:
            wait = 0
        else:
            wait += 1
            if wait >= patience:
                return epoch
    return None


def stop_off_by_one(val_losses, patience, min_delta=0.0):
    return stop_ok(val_losses, patience + 1, min_delta)


def stop_not_strict(val_losses, patience, min_delta=0.0):
    best, best_epoch = np.inf, 0
    for epoch, value in enumerate(val_losses):
        if value <= best - min_delta:
            best, best_epoch = value, epoch
        elif epoch - best_epoch >= patience and epoch > 0:
            return epoch
    return None


def stop_ignores_min_delta(val_losses, patience, min_delta=0.0):
    return stop_ok(val_losses, patience, 0.0)


def stop_last_epoch(val_losses, patience, min_delta=0.0):
    result = stop_ok(val_losses, patience, min_delta)
    return len(val_losses) - 1 if result is None else result


def test_stopping_epoch_passes_correct_answer():
    checks.check_stopping_epoch(stop_ok)

    def with_dlkit(values, patience, min_delta):
        from dlkit.early_stopping import simulate_early_stopping

        return simulate_early_stopping(values, patience=patience, min_delta=min_delta).stopped_epoch

    checks.check_stopping_epoch(with_dlkit)


@pytest.mark.parametrize("fn,message", [
    (stub, "not implemented yet"),
    (stop_vs_previous, "BEST value so far"),
    (stop_off_by_one, "patience"),
    (stop_not_strict, "strict"),
    (stop_ignores_min_delta, "expected"),
    (stop_last_epoch, "Return None"),
    (lambda v, p, d: True, "int epoch or None"),
])
def test_stopping_epoch_fails_wrong_answers(fn, message):
    with pytest.raises(AssertionError, match=message):
        checks.check_stopping_epoch(fn)


def test_monkeypatching_dlkit_does_not_change_the_answer_key(monkeypatch):
    monkeypatch.setattr(dlkit.regularizers, "soft_threshold", lambda w, t: w)
    monkeypatch.setattr(dlkit.regularizers.ElasticNet, "penalty", lambda self, w: 0.0)
    with pytest.raises(AssertionError):
        checks.check_soft_threshold(lambda w, t: w)
    checks.check_soft_threshold(lambda w, t: np.sign(w) * np.maximum(np.abs(w) - t, 0.0))
