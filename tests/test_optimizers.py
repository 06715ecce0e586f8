"""Optimizers: the first three steps by hand, conventions, frozen parameters, bad input.

Every hand computation uses one weight w0 = 1 and the gradients
g1 = 0.5, g2 = -1, g3 = 2 (set directly, as if the loss were linear in w).
Numbers are rounded to 10 digits; eps shifts the 8th digit at most.
"""

import numpy as np
import pytest

import dlkit as dl
from dlkit.optimizers import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Momentum,
    Optimizer,
    RMSprop,
    get_optimizer,
)

GRADS = [0.5, -1.0, 2.0]


def three_steps(opt_cls, **kwargs):
    """Weights after each of three steps from w0 = 1 with the gradients GRADS."""
    p = dl.Parameter(np.array([1.0]))
    opt = opt_cls([p], **kwargs)
    out = []
    for g in GRADS:
        p.grad[...] = g
        opt.step()
        out.append(float(p.value[0]))
    return out


def test_sgd_by_hand():
    # w <- w - lr g, lr = 0.1:  1 - 0.05 = 0.95;  0.95 + 0.1 = 1.05;  1.05 - 0.2 = 0.85
    assert three_steps(SGD, lr=0.1) == pytest.approx([0.95, 1.05, 0.85], rel=1e-12)


def test_momentum_damped_by_hand():
    # v <- 0.9 v + 0.1 g;  w <- w - 0.1 v
    # v1 = 0.1 * 0.5 = 0.05              w1 = 1 - 0.005 = 0.995
    # v2 = 0.045 - 0.1 = -0.055          w2 = 0.995 + 0.0055 = 1.0005
    # v3 = -0.0495 + 0.2 = 0.1505        w3 = 1.0005 - 0.01505 = 0.98545
    got = three_steps(Momentum, lr=0.1, beta=0.9, convention="damped")
    assert got == pytest.approx([0.995, 1.0005, 0.98545], rel=1e-12)


def test_momentum_undamped_by_hand():
    # v <- 0.9 v + g;  w <- w - 0.01 v
    # v1 = 0.5       w1 = 1 - 0.005 = 0.995
    # v2 = 0.45 - 1 = -0.55          w2 = 1.0005
    # v3 = -0.495 + 2 = 1.505        w3 = 0.98545   (the damped run above, lr x (1 - 0.9))
    got = three_steps(Momentum, lr=0.01, beta=0.9, convention="undamped")
    assert got == pytest.approx([0.995, 1.0005, 0.98545], rel=1e-12)


def test_nesterov_by_hand():
    # undamped, lr = 0.01: v <- 0.9 v + g, then the step looks ahead: s = 0.9 v + g
    # v1 = 0.5     s1 = 0.45 + 0.5 = 0.95       w1 = 1 - 0.0095 = 0.9905
    # v2 = -0.55   s2 = -0.495 - 1 = -1.495     w2 = 0.9905 + 0.01495 = 1.00545
    # v3 = 1.505   s3 = 1.3545 + 2 = 3.3545     w3 = 1.00545 - 0.033545 = 0.971905
    got = three_steps(Momentum, lr=0.01, beta=0.9, convention="undamped", nesterov=True)
    assert got == pytest.approx([0.9905, 1.00545, 0.971905], rel=1e-12)
    # damped: the same steps scaled by (1 - beta), so lr 0.1 gives the same weights
    got = three_steps(Momentum, lr=0.1, beta=0.9, nesterov=True)
    assert got == pytest.approx([0.9905, 1.00545, 0.971905], rel=1e-12)


def test_rmsprop_by_hand():
    # s <- 0.9 s + 0.1 g^2;  w <- w - 0.01 g / (sqrt(s) + eps)
    # s1 = 0.025      sqrt = 0.158113883   step = 0.005 / 0.158113883 = 0.0316227746
    # s2 = 0.0225 + 0.1 = 0.1225   sqrt = 0.35   step = -0.01 / 0.35 = -0.0285714278
    # s3 = 0.11025 + 0.4 = 0.51025 sqrt = 0.7143178564   step = 0.02 / 0.71431786 = 0.0279987397
    got = three_steps(RMSprop, lr=0.01, beta=0.9, eps=1e-8)
    assert got == pytest.approx([0.9683772254, 0.9969486532, 0.9689499135], rel=1e-9)


def test_adam_by_hand_with_bias_correction():
    # m <- 0.9 m + 0.1 g;  v <- 0.999 v + 0.001 g^2;  m_hat = m / (1 - 0.9^t);
    # v_hat = v / (1 - 0.999^t);  w <- w - 0.1 m_hat / (sqrt(v_hat) + eps)
    # t=1: m = 0.05, v = 0.00025, m_hat = 0.05/0.1 = 0.5, v_hat = 0.00025/0.001 = 0.25,
    #      step = 0.1 * 0.5 / 0.5 = 0.1 (Adam's first step is lr * sign(g))   w1 = 0.9
    # t=2: m = -0.055, v = 0.00124975, m_hat = -0.055/0.19 = -0.2894736842,
    #      v_hat = 0.00124975/0.001999 = 0.6251875938, sqrt = 0.7906880509,
    #      step = -0.03661035224                                           w2 = 0.9366103542
    # t=3: m = 0.1505, v = 0.00524850025, m_hat = 0.1505/0.271 = 0.5553505535,
    #      v_hat = 0.00524850025/0.002997001 = 1.75125075, sqrt = 1.32334831,
    #      step = 0.04196556152                                            w3 = 0.8946447927
    got = three_steps(Adam, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8)
    assert got == pytest.approx([0.900000002, 0.9366103542, 0.8946447927], rel=1e-9)


def test_adam_without_bias_correction_would_be_3_to_6_6_times_larger():
    # constant g: corrected, every step is lr (up to eps); uncorrected, the step is
    # m / sqrt(v) with m = (1 - beta1^t) g, v = (1 - beta2^t) g^2: first 0.1 / sqrt(0.001)
    p = dl.Parameter(np.array([0.0]))
    opt = Adam([p], lr=0.1)
    m = v = 0.0
    ratios = []
    for _ in range(200):
        before = p.value[0]
        p.grad[...] = 0.5
        opt.step()
        assert before - p.value[0] == pytest.approx(0.1, rel=1e-7)   # corrected: lr
        m = 0.9 * m + 0.1 * 0.5
        v = 0.999 * v + 0.001 * 0.25
        ratios.append((0.1 * m / np.sqrt(v)) / (before - p.value[0]))
    assert ratios[0] == pytest.approx(np.sqrt(10), rel=1e-6)           # 3.16 at t = 1
    assert int(np.argmax(ratios)) + 1 == 12 and 6.5 < max(ratios) < 6.6  # 6.6 near t = 12
    assert ratios[99] == pytest.approx(1 / np.sqrt(1 - 0.999**100), rel=1e-4)  # 3.2 at t = 100
    assert 3.2 < ratios[99] < 3.3


def test_keras_momentum_equals_undamped_only_while_lr_is_constant():
    # Keras: m <- beta m - lr g, w <- w + m;  dlkit undamped: v <- beta v + g, w <- w - lr v
    grads = np.random.default_rng(0).standard_normal(30)
    lrs = [0.1] * 20 + [0.01] * 10                     # a step schedule after 20 steps
    p = dl.Parameter(np.array([1.0]))
    opt = Momentum([p], lr=0.1, beta=0.9, convention="undamped")
    w_keras, m = 1.0, 0.0
    gap = []
    for g, lr in zip(grads, lrs):
        opt.lr = lr
        p.grad[...] = g
        opt.step()
        m = 0.9 * m - lr * g
        w_keras += m
        gap.append(abs(p.value[0] - w_keras))
    assert max(gap[:20]) < 1e-12                       # constant lr: the same weights
    assert min(gap[21:]) > 1e-3                        # after the drop: not the same


def test_adagrad_by_hand():
    # G <- G + g^2;  w <- w - 0.1 g / (sqrt(G) + eps)
    # G1 = 0.25  step = 0.05 / 0.5 = 0.1                        w1 = 0.9
    # G2 = 1.25  step = -0.1 / 1.118033989 = -0.08944271909    w2 = 0.9894427191
    # G3 = 5.25  step = 0.2 / 2.291287847 = 0.08728715609      w3 = 0.902155563
    got = three_steps(Adagrad, lr=0.1, eps=1e-10)
    assert got == pytest.approx([0.9, 0.9894427191, 0.902155563], rel=1e-9)


def test_adadelta_by_hand():
    # s <- 0.9 s + 0.1 g^2;  dw = sqrt(u + eps) / sqrt(s + eps) g;  u <- 0.9 u + 0.1 dw^2
    # eps = 1e-6, lr = 1
    # 1: s = 0.025, dw = sqrt(1e-6)/sqrt(0.025001) * 0.5 = 0.003162214417, u = 9.9996e-07
    #    w1 = 1 - 0.003162214417 = 0.9968377856
    # 2: s = 0.1225, dw = sqrt(1.99996e-06)/sqrt(0.122501) * -1 = -0.004040553282
    #    u = 0.9 * 9.9996e-07 + 0.1 * 0.004040553^2 = 2.532571084e-06,  w2 = 1.000878339
    # 3: s = 0.51025, dw = sqrt(3.532571e-06)/sqrt(0.510251) * 2 = 0.005262395905
    #    w3 = 0.995615943
    got = three_steps(Adadelta, lr=1.0, rho=0.9, eps=1e-6)
    assert got == pytest.approx([0.9968377856, 1.000878339, 0.995615943], rel=1e-9)


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99])
def test_momentum_conventions_are_equivalent_under_lr_rescaling(beta):
    rng = np.random.default_rng(0)
    grads = rng.standard_normal((50, 3, 2))
    runs = []
    for convention, lr in [("damped", 0.1), ("undamped", (1 - beta) * 0.1)]:
        p = dl.Parameter(np.ones((3, 2)))
        opt = Momentum([p], lr=lr, beta=beta, convention=convention)
        path = []
        for g in grads:
            p.grad[...] = g
            opt.step()
            path.append(p.value.copy())
        runs.append((np.array(path), opt.state[0]["v"].copy()))
    (path_d, v_d), (path_u, v_u) = runs
    np.testing.assert_allclose(path_d, path_u, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(v_u * (1 - beta), v_d, rtol=1e-12, atol=1e-12)


def test_eps_sits_outside_the_root_for_rmsprop_and_adam_inside_for_adadelta():
    # a large eps makes the placement visible: g = 2, first step
    # RMSprop beta = 0.75: s = 0.25 * 4 = 1; outside: 2 / (1 + 1) = 1; inside: 2 / sqrt(2)
    p = dl.Parameter(np.array([0.0]))
    p.grad[...] = 2.0
    RMSprop([p], lr=1.0, beta=0.75, eps=1.0).step()
    assert -p.value[0] == pytest.approx(1.0)
    # Adam: m_hat = 2, v_hat = 4: outside 2 / (2 + 1) = 2/3
    p = dl.Parameter(np.array([0.0]))
    p.grad[...] = 2.0
    Adam([p], lr=1.0, eps=1.0).step()
    assert -p.value[0] == pytest.approx(2.0 / 3.0)
    # Adagrad: G = 4, outside: 2 / (2 + 1)
    p = dl.Parameter(np.array([0.0]))
    p.grad[...] = 2.0
    Adagrad([p], lr=1.0, eps=1.0).step()
    assert -p.value[0] == pytest.approx(2.0 / 3.0)
    # Adadelta rho = 0.75: s = 1, dw = sqrt(0 + 1) / sqrt(1 + 1) * 2 = sqrt(2)
    p = dl.Parameter(np.array([0.0]))
    p.grad[...] = 2.0
    Adadelta([p], lr=1.0, rho=0.75, eps=1.0).step()
    assert -p.value[0] == pytest.approx(np.sqrt(2.0))


ALL = [(SGD, {"lr": 0.1}), (Momentum, {"lr": 0.1}), (RMSprop, {"lr": 0.01}),
       (Adam, {"lr": 0.01}), (Adagrad, {"lr": 0.1}), (Adadelta, {})]


@pytest.mark.parametrize("cls,kwargs", ALL, ids=[c.__name__ for c, _ in ALL])
def test_frozen_parameters_are_never_touched_by_training(cls, kwargs):
    rng = np.random.default_rng(1)
    X, y = dl.datasets.make_moons(64, noise=0.2, rng=rng)
    model = dl.Sequential(dl.Dense(2, 8, rng=rng), dl.ReLU(), dl.Dense(8, 1, rng=rng))
    model.freeze(1)
    frozen = [p.value.copy() for p in model[0].parameters()]
    trained = [p.value.copy() for p in model[2].parameters()]
    opt = cls(model.parameters(), **kwargs)
    dl.fit(model, X, y, optimizer=opt, epochs=3, batch_size=16, rng=rng)
    for before, p in zip(frozen, model[0].parameters()):
        assert np.array_equal(before, p.value)
        assert np.any(p.grad != 0)  # it did get gradients, just no update
    assert not all(np.array_equal(b, p.value) for b, p in zip(trained, model[2].parameters()))
    assert opt.state[0] == {} and opt.state[1] == {}  # no buffers for frozen parameters


@pytest.mark.parametrize("cls,kwargs", ALL, ids=[c.__name__ for c, _ in ALL])
def test_updates_are_in_place_and_keep_float32(cls, kwargs):
    p = dl.Parameter(np.ones((4, 3), dtype=np.float32))
    opt = cls([p], **kwargs)
    before = p.value
    for _ in range(3):
        p.grad[...] = 0.5
        opt.step()
    assert p.value is before
    assert p.value.dtype == np.float32
    assert all(b.dtype == np.float32 for b in opt.state[0].values())
    assert np.all(p.value < 1.0)


@pytest.mark.parametrize("cls,kwargs", ALL, ids=[c.__name__ for c, _ in ALL])
def test_every_optimizer_decreases_a_quadratic(cls, kwargs):
    # f(w) = 0.5 ||w - 3||^2, gradient w - 3
    p = dl.Parameter(np.zeros(5))
    opt = cls([p], **kwargs)
    for _ in range(300):
        opt.zero_grad()
        p.grad += p.value - 3.0
        opt.step()
    assert np.all(np.abs(p.value - 3.0) < np.abs(0.0 - 3.0))


def test_zero_grad_and_step_count():
    p = dl.Parameter(np.ones(3))
    opt = Adam([p], lr=0.1)
    p.grad += 1.0
    opt.zero_grad()
    assert np.all(p.grad == 0)
    opt.step()
    opt.step()
    assert opt.t == 2


def test_get_optimizer_by_name():
    p = dl.Parameter(np.ones(2))
    assert isinstance(get_optimizer("adam", [p], lr=0.01), Adam)
    assert isinstance(get_optimizer("RMSprop", [p]), RMSprop)
    nest = get_optimizer("nesterov", [p], lr=0.1)
    assert isinstance(nest, Momentum) and nest.nesterov
    assert repr(get_optimizer("momentum", [p], convention="undamped")) == (
        "Momentum(lr=0.1, beta=0.9, convention='undamped')")
    for name in ["sgd", "momentum", "rmsprop", "adam", "adagrad", "adadelta"]:
        assert isinstance(get_optimizer(name, [p]), Optimizer)


@pytest.mark.parametrize("make,match", [
    (lambda p: SGD([p], lr=0.0), "lr"),
    (lambda p: Adam([p], lr=-1e-3), "lr"),
    (lambda p: Momentum([p], beta=1.0), "beta"),
    (lambda p: Momentum([p], beta=-0.1), "beta"),
    (lambda p: Momentum([p], convention="nesterov"), "convention"),
    (lambda p: RMSprop([p], beta=1.5), "beta"),
    (lambda p: Adam([p], beta1=1.0), "beta1"),
    (lambda p: Adam([p], beta2=1.0), "beta2"),
    (lambda p: Adam([p], eps=0.0), "eps"),
    (lambda p: RMSprop([p], eps=-1e-8), "eps"),
    (lambda p: Adagrad([p], eps=0.0), "eps"),
    (lambda p: Adadelta([p], rho=1.0), "rho"),
    (lambda p: get_optimizer("adamw", [p]), "adamw"),
    (lambda p: SGD([], lr=0.1), "parameters"),
])
def test_bad_input_is_rejected_with_the_argument_named(make, match):
    p = dl.Parameter(np.ones(2))
    with pytest.raises(ValueError, match=match):
        make(p)


def test_bad_types_are_rejected():
    p = dl.Parameter(np.ones(2))
    with pytest.raises(TypeError, match="parameters"):
        SGD([np.ones(2)], lr=0.1)
    with pytest.raises(TypeError, match="Adam"):
        get_optimizer("adam", [p], beta=0.9)
    with pytest.raises(TypeError, match="name"):
        get_optimizer(Adam, [p])
    opt = SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="lr"):
        opt.lr = -0.5
