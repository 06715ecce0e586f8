"""Checkers for chapter 03's exercises: Xavier initialization, a momentum step, an Adam step.

The reference optimizers are bound here at import time, so reassigning
``dlkit.optimizers.Adam`` cannot change the answer key.
"""

from __future__ import annotations

import numpy as np

from ..optimizers import Adam as _Adam
from ..optimizers import Momentum as _Momentum
from ..parameter import Parameter as _Parameter
from . import assert_array_close, call_student, fail


# ----------------------------------------------------------------------- references
def _reference_momentum(w, dw, v, lr, beta):
    p = _Parameter(w)
    p.grad[...] = dw
    opt = _Momentum([p], lr=lr, beta=beta, convention="damped")
    opt.state[0]["v"] = np.array(v, dtype=float)
    opt.step()
    return p.value.copy(), opt.state[0]["v"].copy()


def _reference_adam(w, dw, m, v, t, lr, beta1, beta2, eps):
    p = _Parameter(w)
    p.grad[...] = dw
    opt = _Adam([p], lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    opt.state[0]["v"] = np.array(m, dtype=float)   # the first moment: the sheet's v_dw
    opt.state[0]["s"] = np.array(v, dtype=float)   # the second moment: the sheet's s_dw
    opt.t = t - 1  # step() increments it first
    opt.step()
    return p.value.copy(), opt.state[0]["v"].copy(), opt.state[0]["s"].copy()


def _close(a, b) -> bool:
    try:
        return bool(np.allclose(a, b, rtol=1e-6, atol=1e-12))
    except (TypeError, ValueError):
        return False


# ----------------------------------------------------------------------- Xavier
def check_xavier_uniform(xavier_uniform) -> None:
    """xavier_uniform(shape, rng) -> W of that shape, W ~ U(-a, a), a = sqrt(6/(fan_in+fan_out)).

    Checked statistically (bound, variance, spread) on large draws, so any correct
    way of sampling passes; the tolerance is 5 standard errors of the sample variance.
    """
    what = "xavier_uniform"
    for shape in [(300, 500), (784, 128), (64, 10)]:
        fan_in, fan_out = shape
        w = call_student(xavier_uniform, shape, np.random.default_rng(0), what=what)
        if not isinstance(w, np.ndarray):
            fail(f"{what}{shape} must return a NumPy array, got {type(w).__name__}")
        if w.shape != shape:
            fail(f"{what}{shape} returned shape {w.shape}, expected {shape}")
        if not np.issubdtype(w.dtype, np.floating) or not np.all(np.isfinite(w)):
            fail(f"{what}{shape} must return finite floats, got dtype {w.dtype}")
        a = np.sqrt(6.0 / (fan_in + fan_out))
        var = 2.0 / (fan_in + fan_out)
        n = w.size
        got_var = float(w.var())
        se = var * np.sqrt(0.8 / n)  # standard error of the sample variance of a uniform
        if abs(got_var - var) > 5 * se:
            hints = [
                (var / 3, "you used sqrt(2 / (fan_in + fan_out)), the target *std*, as the "
                 "bound: a uniform on [-a, a] has variance a^2 / 3, so a = sqrt(6 / (fan_in + "
                 "fan_out))"),
                (1.0 / fan_in, "the variance is 1 / fan_in (LeCun): Xavier averages the fans, "
                 "2 / (fan_in + fan_out)"),
                (2.0 / fan_in, "the variance is 2 / fan_in (He): Xavier uses 2 / (fan_in + "
                 "fan_out)"),
                (1.0 / (fan_in + fan_out), "the variance is half of 2 / (fan_in + fan_out): "
                 "check the 6 in the bound"),
            ]
            msg = (f"{what}{shape}: the variance of W is {got_var:.4g}, expected "
                   f"2 / (fan_in + fan_out) = {var:.4g}")
            for value, hint in hints:
                if abs(got_var - value) < 5 * value * np.sqrt(2.0 / n):
                    msg += f". Hint: {hint}"
                    break
            fail(msg)
        if np.abs(w).max() > a * (1 + 1e-9):
            hint = ""
            if abs(got_var - var) < 0.05 * var:
                hint = (" (the variance is right: a normal distribution? Draw from a uniform "
                        "on [-a, a])")
            fail(f"{what}{shape}: |W| reaches {np.abs(w).max():.4g} but every entry must lie in "
                 f"[-a, a] with a = sqrt(6 / (fan_in + fan_out)) = {a:.4g}{hint}")
        if abs(float(w.mean())) > 5 * np.sqrt(var / n):
            fail(f"{what}{shape}: the mean of W is {w.mean():.4g}, expected 0 (a symmetric "
                 "interval [-a, a])")
        outer = float(np.mean(np.abs(w) > a / 2))  # 0.5 for a uniform, 0.39 for a normal
        if abs(outer - 0.5) > 5 * np.sqrt(0.25 / n):
            fail(f"{what}{shape}: {outer:.1%} of the entries have |W| > a/2, expected 50% for a "
                 "uniform distribution (a normal gives 39%): draw with rng.uniform(-a, a, shape)")
    # the randomness must come from the rng argument
    w1 = call_student(xavier_uniform, (20, 30), np.random.default_rng(5), what=what)
    w2 = call_student(xavier_uniform, (20, 30), np.random.default_rng(5), what=what)
    w3 = call_student(xavier_uniform, (20, 30), np.random.default_rng(6), what=what)
    if not np.array_equal(w1, w2):
        fail(f"{what}: two calls with the same seeded rng gave different weights: draw from "
             "the rng argument (rng.uniform), not from np.random")
    if np.array_equal(w1, w3):
        fail(f"{what}: different rngs gave the same weights: use the rng argument")


# ----------------------------------------------------------------------- momentum
def check_momentum_step(momentum_step) -> None:
    """momentum_step(w, dw, v, lr, beta) -> (w_new, v_new), the sheet's damped convention:
    v_new = beta v + (1 - beta) dw,  w_new = w - lr v_new."""
    rng = np.random.default_rng(7)
    cases = [("first step (v = 0)", 0.1, 0.9, True), ("a later step", 0.05, 0.9, False),
             ("beta = 0.5", 0.2, 0.5, False), ("beta = 0 (plain SGD)", 0.1, 0.0, False)]
    for label, lr, beta, first in cases:
        w = rng.standard_normal((3, 4))
        dw = rng.standard_normal((3, 4))
        v = np.zeros((3, 4)) if first else rng.standard_normal((3, 4))
        exp_w, exp_v = _reference_momentum(w, dw, v, lr, beta)
        out = call_student(momentum_step, w.copy(), dw.copy(), v.copy(), lr, beta,
                           what="momentum_step")
        if not isinstance(out, tuple) or len(out) != 2:
            fail(f"momentum_step must return a pair (w_new, v_new), got {type(out).__name__}")
        got_w, got_v = out
        where = f"({label}, lr={lr}, beta={beta})"
        assert_array_close(got_v, exp_v, f"v_new {where}", hints=[
            (lambda g, e, v=v, dw=dw, b=beta: _close(g, b * v + dw),
             "that is the undamped convention v = beta v + dw (PyTorch's); this exercise uses "
             "the sheet's damped one, v = beta v + (1 - beta) dw"),
            (lambda g, e, v=v, dw=dw, b=beta: _close(g, (1 - b) * v + b * dw),
             "beta weights the OLD velocity: v = beta v + (1 - beta) dw"),
        ])
        assert_array_close(got_w, exp_w, f"w_new {where}", hints=[
            (lambda g, e, w=w, dw=dw, lr=lr: _close(g, w - lr * dw),
             "step along the velocity v_new, not the raw gradient: w - lr v_new"),
            (lambda g, e, w=w, v=v, lr=lr: _close(g, w - lr * v),
             "use the NEW velocity (after this step's update), not the old one"),
            (lambda g, e, w=w: _close(g - w, -(e - w)), "check the sign: w - lr v_new"),
        ])


# ----------------------------------------------------------------------- Adam
def check_adam_step(adam_step) -> None:
    """adam_step(w, dw, m, v, t, lr, beta1, beta2, eps) -> (w_new, m_new, v_new).

    t is the number of this step (1 for the first); bias correction divides by
    1 - beta^t; eps sits outside the square root.
    """
    rng = np.random.default_rng(11)
    cases = [("first step (t = 1, m = v = 0)", 1, 1e-3, 0.9, 0.999, 1e-8, True),
             ("t = 3", 3, 1e-2, 0.9, 0.999, 1e-8, False),
             ("t = 50, other betas", 50, 0.1, 0.8, 0.99, 1e-8, False),
             ("a large eps = 0.5 (where eps sits matters)", 2, 0.1, 0.9, 0.999, 0.5, False)]
    for label, t, lr, b1, b2, eps, first in cases:
        shape = (4, 3)
        w = rng.standard_normal(shape)
        dw = rng.standard_normal(shape)
        m = np.zeros(shape) if first else 0.1 * rng.standard_normal(shape)
        v = np.zeros(shape) if first else 0.01 * rng.random(shape) + 1e-3
        exp_w, exp_m, exp_v = _reference_adam(w, dw, m, v, t, lr, b1, b2, eps)
        out = call_student(adam_step, w.copy(), dw.copy(), m.copy(), v.copy(), t, lr, b1, b2,
                           eps, what="adam_step")
        if not isinstance(out, tuple) or len(out) != 3:
            fail(f"adam_step must return three arrays (w_new, m_new, v_new), got "
                 f"{type(out).__name__}")
        got_w, got_m, got_v = out
        where = f"({label})"
        assert_array_close(got_m, exp_m, f"m_new {where}", hints=[
            (lambda g, e, t=t, b=b1: _close(g, e / (1 - b ** t)),
             "return the raw m, not the bias-corrected m_hat"),
            (lambda g, e, m=m, dw=dw, b=b1: _close(g, b * m + dw),
             "the first moment is an average: m = beta1 m + (1 - beta1) dw"),
            (lambda g, e, m=m, dw=dw, b=b2: _close(g, b * m + (1 - b) * dw),
             "m uses beta1, v uses beta2"),
        ])
        assert_array_close(got_v, exp_v, f"v_new {where}", hints=[
            (lambda g, e, t=t, b=b2: _close(g, e / (1 - b ** t)),
             "return the raw v, not the bias-corrected v_hat"),
            (lambda g, e, v=v, dw=dw, b=b2: _close(g, b * v + (1 - b) * np.abs(dw)),
             "the second moment averages the SQUARED gradient: dw ** 2"),
            (lambda g, e, v=v, dw=dw, b=b1: _close(g, b * v + (1 - b) * dw ** 2),
             "v uses beta2, m uses beta1"),
        ])

        hints = _adam_update_hints(w, exp_m, exp_v, t, lr, b1, b2, eps)
        assert_array_close(got_w, exp_w, f"w_new {where}", hints=hints)


def _adam_update_hints(w, m, v, t, lr, b1, b2, eps):
    """(test, hint) pairs for the usual mistakes in Adam's weight update; m, v are the new
    (uncorrected) moments."""

    def step(mc, vc, inside=False):
        return w - lr * mc / (np.sqrt(vc + eps) if inside else np.sqrt(vc) + eps)

    m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
    hints = [
        (lambda g, e: _close(g, step(m, v)),
         "no bias correction: divide m by (1 - beta1^t) and v by (1 - beta2^t) before "
         "the update"),
        (lambda g, e: _close(g, step(m_hat, v)),
         "only m is bias-corrected: v_hat = v / (1 - beta2^t) too"),
        (lambda g, e: _close(g, step(m, v_hat)),
         "only v is bias-corrected: m_hat = m / (1 - beta1^t) too"),
        (lambda g, e: _close(g, step(m_hat, v_hat, inside=True)),
         "eps sits outside the square root here: sqrt(v_hat) + eps"),
        (lambda g, e: _close(g, step(m / (1 - b1 ** (t + 1)), v / (1 - b2 ** (t + 1)))),
         "off by one: t is already this step's number, do not add 1"),
        (lambda g, e: _close(g - w, -(e - w)), "check the sign: w - lr m_hat / ..."),
    ]
    if t > 1:
        hints.append((lambda g, e: _close(g, step(m / (1 - b1 ** (t - 1)),
                                                  v / (1 - b2 ** (t - 1)))),
                      "off by one: t is already this step's number (1 at the first step)"))
    return hints
