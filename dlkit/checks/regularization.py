"""Checkers for chapter 04 (regularization): dropout, Elastic Net, soft-thresholding, early stopping.

Each ``check_xxx`` calls the reader's function on seeded inputs, compares
with dlkit's own implementation (bound here at import time), and raises
AssertionError with a hint at the usual mistake.
"""

from __future__ import annotations

import numpy as np

from ..dropout import dropout_backward as _ref_dropout_backward
from ..early_stopping import simulate_early_stopping as _ref_simulate
from ..regularizers import ElasticNet as _RefElasticNet
from ..regularizers import soft_threshold as _ref_soft_threshold
from . import assert_array_close, assert_scalar_close, call_student, fail, scaled_by


# -- dropout ------------------------------------------------------------------------------
def _unpack_forward(result, what: str):
    if not isinstance(result, tuple) or len(result) != 2:
        fail(f"{what} must return a pair (out, mask), got {type(result).__name__}")
    return result


def check_dropout_forward(dropout_forward) -> None:
    """dropout_forward(x, p, rng, training=True) -> (out, mask), inverted dropout.

    mask is the SCALED mask (0 for a dropped unit, 1/(1 - p) for a kept one), out = x * mask.
    """
    what = "dropout_forward(x, p, rng)"
    x = 1.0 + np.random.default_rng(0).random((400, 500))   # no zeros: out == 0 <=> dropped
    for p in (0.2, 0.6):
        out, mask = _unpack_forward(
            call_student(dropout_forward, x, p, np.random.default_rng(1), what=what), what)
        if not isinstance(out, np.ndarray) or out.shape != x.shape:
            fail(f"{what}: out must be an array of x's shape {x.shape}, got "
                 f"{getattr(out, 'shape', type(out).__name__)}")
        out = np.asarray(out, dtype=float)
        if np.shape(mask) != x.shape:
            fail(f"{what}: mask has shape {np.shape(mask)}, expected x's shape {x.shape}")
        mask = np.asarray(mask, dtype=float)
        kept = out != 0
        rate = kept.mean()
        if abs(rate - (1 - p)) > 0.01:
            hint = ""
            if abs(rate - p) < 0.01:
                hint = (" Hint: p is the DROP probability: keep a unit when u >= p, which "
                        "happens with probability 1 - p.")
            fail(f"{what} with p={p}: {rate:.3f} of the units are kept, expected about "
                 f"{1 - p:.3f}.{hint}")
        kept_ratio = out[kept] / x[kept]
        for factor, hint in ((1.0, "scale the kept units by 1/(1 - p) (inverted dropout)"),
                             (1.0 / p, "divide by the keep probability 1 - p, not by p"),
                             (1.0 - p, "divide by 1 - p, do not multiply by it")):
            if np.allclose(kept_ratio, factor):
                fail(f"{what} with p={p}: kept units are x * {factor:.4g}, expected "
                     f"x / (1 - p) = x * {1 / (1 - p):.4g}. Hint: {hint}.")
        assert_array_close(kept_ratio, np.full(kept_ratio.shape, 1 / (1 - p)),
                           f"{what} with p={p}: out / x on the kept units")
        if np.allclose(mask, kept.astype(float)) and p > 0:
            fail(f"{what}: mask holds 0/1; return the scaled mask (1/(1 - p) for kept units) "
                 "so that out = x * mask and backward is simply dout * mask.")
        assert_array_close(out, x * mask, f"{what}: out compared with x * mask",
                           hints=[(lambda g, e: True, "out must be x * mask, with the same "
                                   "mask you return")])
        again, _ = _unpack_forward(
            call_student(dropout_forward, x, p, np.random.default_rng(1), what=what), what)
        if not np.array_equal(np.asarray(again), out):
            fail(f"{what}: two calls with generators of the same seed gave different masks. "
                 "Hint: draw the mask from the rng argument (rng.random(x.shape)), not from "
                 "np.random.")
    out, _ = _unpack_forward(call_student(dropout_forward, x[:5], 0.5,
                                          np.random.default_rng(2), False, what=what), what)
    assert_array_close(out, x[:5], f"{what} with training=False",
                       hints=[(lambda g, e: True, "in evaluation mode dropout is the identity: "
                               "no mask and no scaling")])
    out, _ = _unpack_forward(call_student(dropout_forward, x[:5], 0.0,
                                          np.random.default_rng(3), what=what), what)
    assert_array_close(out, x[:5], f"{what} with p=0 (nothing dropped)")


def check_dropout_backward(dropout_backward, dropout_forward=None) -> None:
    """dropout_backward(dout, mask) -> dx = dout * mask, with the mask of the forward pass."""
    what = "dropout_backward(dout, mask)"
    rng = np.random.default_rng(10)
    dout = rng.standard_normal((6, 8))
    mask = (rng.random((6, 8)) >= 0.25) / 0.75
    expected = _ref_dropout_backward(dout, mask)
    got = call_student(dropout_backward, dout, mask, what=what)
    assert_array_close(got, expected, what, hints=[
        (lambda g, e: np.allclose(g, dout), "multiply dout by the mask: dropped units get no "
                                            "gradient"),
        (lambda g, e: np.allclose(g, dout * (mask != 0)),
         "the mask already contains the 1/(1 - p) scaling: dx = dout * mask"),
        (scaled_by(1 / 0.75), "do not divide by (1 - p) again: the mask already holds 1/(1 - p)"),
    ])
    if dropout_forward is not None:
        x = rng.standard_normal((6, 8))
        out, fmask = _unpack_forward(
            call_student(dropout_forward, x, 0.5, np.random.default_rng(4), what="dropout_forward"),
            "dropout_forward")
        got = call_student(dropout_backward, np.ones_like(x), fmask, what=what)
        assert_array_close(got, _ref_dropout_backward(np.ones_like(x), np.asarray(fmask)),
                           f"{what} after your forward pass (dout = 1)")


# -- Elastic Net -------------------------------------------------------------------------
_EN_CASES = ((0.1, 0.5), (0.3, 0.2), (0.05, 0.0), (0.2, 1.0))


def _en_values(w, lam, alpha, half_l2=False):
    l2_coef = alpha / 2 if half_l2 else alpha
    return lam * ((1 - alpha) * np.abs(w).sum() + l2_coef * np.sum(w * w))


def check_elastic_net(elastic_net) -> None:
    """elastic_net(w, lam, alpha) -> (penalty, grad): the sheet's convention, alpha on the L2 term.

    penalty = lam [(1 - alpha) ||w||_1 + alpha ||w||_2^2]
    grad    = lam [(1 - alpha) sign(w) + 2 alpha w]       (0 for the L1 part at w = 0)
    """
    w = np.array([[0.8, -1.5, 0.0], [0.0, 0.3, -0.2]])
    for lam, alpha in _EN_CASES:
        _check_elastic_net_case(elastic_net, w, lam, alpha)


def _check_elastic_net_case(elastic_net, w, lam, alpha) -> None:
    what = f"elastic_net(w, lam={lam}, alpha={alpha})"
    result = call_student(elastic_net, w.copy(), lam, alpha, what=what)
    if not isinstance(result, tuple) or len(result) != 2:
        fail(f"{what} must return a pair (penalty, grad), got {type(result).__name__}")
    value, grad = result
    ref = _RefElasticNet(lam, alpha)
    l1, sq = np.abs(w).sum(), np.sum(w * w)
    assert_scalar_close(value, ref.penalty(w), f"{what}: penalty", hints=[
        (lambda v, e: alpha != 0.5 and np.isclose(v, _en_values(w, lam, 1 - alpha)),
         "the sheet's alpha weights the L2 term: (1 - alpha) goes with ||w||_1 "
         "(scikit-learn's l1_ratio is the other way round)"),
        (lambda v, e: np.isclose(v, _en_values(w, lam, alpha, half_l2=True)),
         "no 1/2 in front of the L2 term in the sheet's formula"),
        (lambda v, e: np.isclose(v, lam * ((1 - alpha) * l1 + alpha * np.sqrt(sq))),
         "the L2 term is the SQUARED norm, sum(w**2)"),
        (lambda v, e: np.isclose(v, e / lam), "multiply by lam"),
    ])
    swapped = _RefElasticNet(lam, 1 - alpha).grad(w)
    assert_array_close(grad, ref.grad(w), f"{what}: grad", hints=[
        (lambda g, e: alpha != 0.5 and np.allclose(g, swapped),
         "the sheet's alpha weights the L2 term: (1 - alpha) sign(w) + 2 alpha w"),
        (lambda g, e: np.allclose(g, lam * ((1 - alpha) * np.sign(w) + alpha * w)),
         "the derivative of w**2 is 2 w: the L2 part is 2 alpha lam w"),
        (lambda g, e: np.allclose(g, e / lam), "multiply by lam"),
    ])


# -- soft-thresholding ---------------------------------------------------------------------
def check_soft_threshold(soft_threshold) -> None:
    """soft_threshold(w, t) = sign(w) * max(|w| - t, 0), entry by entry, for any shape."""
    w = np.array([[-2.0, -0.7, -0.5, -0.1, 0.0], [0.1, 0.3, 0.5, 0.9, 3.0]])
    for t in (0.5, 0.0, 1.2):
        what = f"soft_threshold(w, t={t})"
        got = call_student(soft_threshold, w.copy(), t, what=what)
        expected = _ref_soft_threshold(w, t)
        assert_array_close(got, expected, what, hints=[
            (lambda g, e, t=t: np.allclose(g, w - t * np.sign(w)),
             "entries with |w| <= t must become exactly 0 (clamp |w| - t at 0)"),
            (lambda g, e, t=t: np.allclose(g, np.maximum(np.abs(w) - t, 0)),
             "keep the sign of w: multiply by np.sign(w)"),
            (lambda g, e, t=t: np.allclose(g, np.where(np.abs(w) > t, w, 0.0)),
             "that is hard-thresholding: the kept entries must also shrink by t"),
        ])
        small = np.abs(w) <= t
        if np.any(np.asarray(got)[small] != 0):
            fail(f"{what}: entries with |w| <= t must be exactly 0.0, got "
                 f"{np.asarray(got)[small]}")


# -- early stopping --------------------------------------------------------------------------
_ES_CASES = (
    ([1.0, 0.8, 0.9, 0.5], 0, 0.0),
    ([1.0, 0.5, 0.6, 0.7, 0.55, 0.4], 3, 0.0),
    ([1.0, 0.5, 0.6, 0.7, 0.55, 0.4], 4, 0.0),
    ([1.0, 0.5, 0.7, 0.6, 0.65, 0.62], 2, 0.0),
    ([1.0, 0.95, 0.9, 0.85, 0.8], 2, 0.1),
    ([1.0, 0.5, 0.25], 0, 0.25),
    ([1.0, 0.5, 0.25], 0, 0.2),
    ([2.0, 1.5, 1.2, 1.1, 1.05, 1.04, 1.2, 1.3, 1.0], 3, 0.02),
    ([0.9, 0.9, 0.9], 1, 0.0),
)


def check_stopping_epoch(stopping_epoch) -> None:
    """stopping_epoch(val_losses, patience, min_delta) -> the epoch (from 0) at which
    EarlyStopping(monitor="val_loss") stops training, or None if it never does."""
    for values, patience, min_delta in _ES_CASES:
        what = f"stopping_epoch({values}, patience={patience}, min_delta={min_delta})"
        expected = _ref_simulate(values, patience=patience, min_delta=min_delta).stopped_epoch
        got = call_student(stopping_epoch, list(values), patience, min_delta, what=what)
        if isinstance(got, bool) or (got is not None and not isinstance(got, (int, np.integer))):
            fail(f"{what} must return an int epoch or None, got {got!r}")
        if got == expected:
            continue
        if expected is None:
            fail(f"{what} = {got}, expected None: training never stops on this sequence "
                 "and runs to the end. Return None when it never stops.")
        hint = ""
        prev = _previous_rule(values, patience, min_delta)
        if got == prev and prev != expected:
            hint = ("compare each value with the BEST value so far, not with the previous "
                    "epoch")
        elif got is not None and got == expected + 1:
            hint = ("stop as soon as `patience` epochs in a row have not improved "
                    "(epochs since the best >= patience)")
        elif min_delta > 0:
            hint = ("an improvement is current < best - min_delta (strict); smaller gains "
                    "do not reset the count")
        fail(f"{what} = {got}, expected {expected}" + (f". Hint: {hint}" if hint else ""))


def _previous_rule(values, patience, min_delta):
    """The usual mistake: comparing with the previous epoch instead of the best one."""
    wait = 0
    for e in range(1, len(values)):
        if values[e] < values[e - 1] - min_delta:
            wait = 0
        else:
            wait += 1
            if wait >= patience:
                return e
    return None
