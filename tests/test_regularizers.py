"""L1, L2, Elastic Net: values and gradients by hand, gradient checks, sklearn mapping, ISTA."""

import numpy as np
import pytest

import dlkit as dl
from dlkit import gradcheck as gc
from dlkit.proximal import (
    lipschitz_constant,
    proximal_gradient,
    regularization_path,
)
from dlkit.regularizers import (
    elastic_net_from_sklearn,
    elastic_net_to_sklearn,
    get_penalty,
    soft_threshold,
)

W = np.array([[1.0, -2.0], [0.0, 0.5]])   # |w|_1 = 3.5, |w|_2^2 = 1 + 4 + 0 + 0.25 = 5.25


def test_l1_by_hand():
    reg = dl.L1(0.1)
    assert reg.penalty(W) == pytest.approx(0.35)
    np.testing.assert_allclose(reg.grad(W), [[0.1, -0.1], [0.0, 0.1]])   # 0 at w = 0


def test_l2_by_hand():
    reg = dl.L2(0.1)
    assert reg.penalty(W) == pytest.approx(0.525)
    np.testing.assert_allclose(reg.grad(W), [[0.2, -0.4], [0.0, 0.1]])   # 2 lam w


def test_elastic_net_by_hand():
    # lam [(1 - alpha) 3.5 + alpha 5.25] with lam = 0.2, alpha = 0.25: 0.2 (2.625 + 1.3125)
    reg = dl.ElasticNet(0.2, alpha=0.25)
    assert reg.penalty(W) == pytest.approx(0.7875)
    # 0.2 [0.75 sign(w) + 0.5 w]
    np.testing.assert_allclose(reg.grad(W), [[0.25, -0.35], [0.0, 0.2]])


@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_elastic_net_endpoints_are_lasso_and_ridge(lam):
    w = np.random.default_rng(0).standard_normal(10)
    assert dl.ElasticNet(lam, 0.0).penalty(w) == pytest.approx(dl.L1(lam).penalty(w))
    assert dl.ElasticNet(lam, 1.0).penalty(w) == pytest.approx(dl.L2(lam).penalty(w))
    np.testing.assert_allclose(dl.ElasticNet(lam, 0.0).grad(w), dl.L1(lam).grad(w))
    np.testing.assert_allclose(dl.ElasticNet(lam, 1.0).grad(w), dl.L2(lam).grad(w))


@pytest.mark.parametrize("reg", [dl.L1(0.3), dl.L2(0.7), dl.ElasticNet(0.5, 0.3)],
                         ids=["l1", "l2", "elastic_net"])
def test_gradient_check(reg):
    # away from the kink of |w| at 0, where a finite difference straddles it
    rng = np.random.default_rng(1)
    w = rng.uniform(0.1, 1.0, (4, 3)) * rng.choice([-1.0, 1.0], (4, 3))
    num = gc.numerical_gradient(lambda v: reg.penalty(v), w.copy())
    assert gc.relative_error(num, reg.grad(w)) < 1e-7


def test_l1_subgradient_at_zero_is_zero():
    w = np.zeros(5)
    np.testing.assert_array_equal(dl.L1(1.0).grad(w), 0.0)
    np.testing.assert_array_equal(dl.ElasticNet(1.0, 0.5).grad(w), 0.0)


def test_float32_keeps_dtype():
    w = np.ones(3, dtype=np.float32)
    for reg in (dl.L1(0.1), dl.L2(0.1), dl.ElasticNet(0.1, 0.5)):
        assert reg.grad(w).dtype == np.float32


def test_soft_threshold_and_prox():
    w = np.array([-3.0, -0.5, 0.0, 0.2, 2.0])
    np.testing.assert_allclose(soft_threshold(w, 1.0), [-2.0, 0.0, 0.0, 0.0, 1.0])
    np.testing.assert_allclose(dl.L1(2.0).prox(w, 0.5), [-2.0, 0.0, 0.0, 0.0, 1.0])
    # L2 prox: argmin (v - w)^2 / (2 s) + lam v^2  ->  v = w / (1 + 2 s lam)
    np.testing.assert_allclose(dl.L2(1.0).prox(w, 0.5), w / 2.0)
    # Elastic Net: soft-threshold by s lam (1 - alpha), then divide by 1 + 2 s lam alpha
    np.testing.assert_allclose(dl.ElasticNet(2.0, 0.5).prox(w, 0.5),
                               soft_threshold(w, 0.5) / 2.0)


@pytest.mark.parametrize("reg", [dl.L1(0.7), dl.L2(0.7), dl.ElasticNet(0.7, 0.4)],
                         ids=["l1", "l2", "elastic_net"])
def test_prox_minimises_its_objective(reg):
    # prox(w, s) = argmin_v |v - w|^2 / (2s) + P(v): no nearby point does better
    w = np.array([1.3, -0.2, 0.05, -2.0])
    s = 0.4
    v = reg.prox(w, s)

    def obj(u):
        return np.sum((u - w) ** 2) / (2 * s) + reg.penalty(u)

    rng = np.random.default_rng(0)
    for _ in range(200):
        assert obj(v) <= obj(v + 1e-3 * rng.standard_normal(4)) + 1e-12


# -- the sheet's alpha vs scikit-learn's l1_ratio ---------------------------------------
@pytest.mark.parametrize("lam,alpha", [(0.1, 0.0), (0.1, 1.0), (0.3, 0.25), (2.0, 0.5)])
def test_sklearn_mapping_gives_the_same_penalty(lam, alpha):
    sk_alpha, l1_ratio = elastic_net_to_sklearn(lam, alpha)
    w = np.random.default_rng(2).standard_normal(7)
    # scikit-learn's ElasticNet penalty, written out from its documentation
    sk_penalty = sk_alpha * (l1_ratio * np.abs(w).sum() + 0.5 * (1 - l1_ratio) * np.sum(w**2))
    assert dl.ElasticNet(lam, alpha).penalty(w) == pytest.approx(sk_penalty)
    assert elastic_net_from_sklearn(sk_alpha, l1_ratio) == pytest.approx((lam, alpha))


def test_sklearn_mapping_by_hand():
    # alpha = 0.5: a = lam * 1.5, l1_ratio = 0.5 / 1.5 = 1/3
    assert elastic_net_to_sklearn(0.2, 0.5) == pytest.approx((0.3, 1 / 3))
    # lasso (alpha = 0) is l1_ratio = 1, ridge (alpha = 1) is l1_ratio = 0
    assert elastic_net_to_sklearn(1.0, 0.0) == pytest.approx((1.0, 1.0))
    assert elastic_net_to_sklearn(1.0, 1.0) == pytest.approx((2.0, 0.0))


def test_get_penalty_by_name():
    assert isinstance(get_penalty("lasso", 0.1), dl.L1)
    assert isinstance(get_penalty("L2", 0.1), dl.L2)
    en = get_penalty("elastic-net", 0.1, 0.3)
    assert isinstance(en, dl.ElasticNet) and en.alpha == 0.3
    with pytest.raises(ValueError, match="name"):
        get_penalty("l3", 0.1)


# -- bad input --------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [dl.L1, dl.L2])
def test_negative_lam_raises(cls):
    with pytest.raises(ValueError, match=r"lam must be >= 0.0, got -0.1"):
        cls(-0.1)


@pytest.mark.parametrize("alpha", [-0.1, 1.5])
def test_alpha_outside_unit_interval_raises(alpha):
    with pytest.raises(ValueError, match=f"alpha must be .* got {alpha}"):
        dl.ElasticNet(0.1, alpha)
    with pytest.raises(ValueError, match="alpha"):
        elastic_net_to_sklearn(0.1, alpha)


def test_bad_types_and_values():
    with pytest.raises(ValueError, match="lam"):
        dl.ElasticNet(-1.0, 0.5)
    with pytest.raises(TypeError, match="lam"):
        dl.L2("0.1")
    with pytest.raises(ValueError, match="lam must be finite"):
        dl.L1(float("nan"))
    with pytest.raises(ValueError, match="w contains NaN"):
        dl.L1(0.1).penalty(np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="l1_ratio"):
        elastic_net_from_sklearn(1.0, 2.0)


# -- fit(penalty=...) ----------------------------------------------------------------------
def test_fit_adds_penalty_gradient_to_weights_only():
    # one full-batch SGD step by hand: W <- W - lr (dL/dW + 2 lam W), b <- b - lr dL/db
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((8, 3)), rng.standard_normal((8, 1))
    model = dl.Sequential(dl.Dense(3, 1, rng=rng))
    W0, b0 = model[0].W.value.copy(), model[0].b.value.copy()
    dz = 2 * (X @ W0 + b0 - y) / 8          # d mean((z - y)^2) / dz
    expected_W = W0 - 0.1 * (X.T @ dz + 2 * 0.5 * W0)
    expected_b = b0 - 0.1 * dz.sum(axis=0)
    history = dl.fit(model, X, y, loss="mse", lr=0.1, epochs=1, batch_size=8,
                     penalty=dl.L2(0.5), shuffle=False, rng=rng)
    np.testing.assert_allclose(model[0].W.value, expected_W)
    np.testing.assert_allclose(model[0].b.value, expected_b)
    # the logged penalty is the penalty of the updated weights
    assert history["penalty"][0] == pytest.approx(0.5 * np.sum(expected_W**2))


def test_l2_shrinks_weights_in_fit():
    rng = np.random.default_rng(0)
    X, y = dl.datasets.make_moons(60, noise=0.2, rng=rng)

    def norm_after(penalty):
        r = np.random.default_rng(1)
        model = dl.Sequential(dl.Dense(2, 16, rng=r), dl.ReLU(), dl.Dense(16, 1, rng=r))
        dl.fit(model, X, y, lr=0.5, epochs=50, batch_size=60, penalty=penalty, rng=r)
        return sum(np.sum(p.value**2) for p in model.parameters() if p.regularize)

    assert norm_after(dl.L2(0.01)) < 0.8 * norm_after(None)


# -- proximal gradient (ISTA) ---------------------------------------------------------------
def _data():
    return dl.datasets.make_correlated_regression(60, rng=np.random.default_rng(230))


def test_ista_without_penalty_is_least_squares():
    X, y = _data()
    res = proximal_gradient(X, y, dl.L2(0.0), max_iter=20000, tol=1e-12)
    w_ls, *_ = np.linalg.lstsq(np.c_[X, np.ones(len(X))], y)
    np.testing.assert_allclose(res.w, w_ls[:-1], atol=1e-6)
    assert res.converged


def test_ista_ridge_matches_the_closed_form():
    # mean((Xw - y)^2) + lam |w|^2  ->  (X^T X / N + lam I) w = X^T y / N   (X, y centred)
    X, y = _data()
    lam = 0.3
    res = proximal_gradient(X, y, dl.L2(lam), max_iter=20000, tol=1e-13)
    n = len(X)
    w = np.linalg.solve(X.T @ X / n + lam * np.eye(X.shape[1]), X.T @ y / n)
    np.testing.assert_allclose(res.w, w, atol=1e-8)


@pytest.mark.parametrize("reg", [dl.L1(0.4), dl.ElasticNet(0.4, 0.5)], ids=["l1", "elastic_net"])
def test_ista_satisfies_the_optimality_conditions(reg):
    # 0 in dD/dw + dP(w):  for w_j != 0, g_j = -lam((1-a) sign(w_j) + 2 a w_j);
    # for w_j == 0, |g_j| <= lam (1 - a)
    X, y = _data()
    res = proximal_gradient(X, y, reg, max_iter=50000, tol=1e-13)
    alpha = getattr(reg, "alpha", 0.0)
    g = 2 * X.T @ (X @ res.w + res.b - y) / len(X)
    nz = res.w != 0
    assert (~nz).sum() >= 1   # this lam zeroes some coefficients exactly
    np.testing.assert_allclose(g[nz], -reg.lam * ((1 - alpha) * np.sign(res.w[nz])
                                                 + 2 * alpha * res.w[nz]), atol=1e-7)
    assert np.all(np.abs(g[~nz]) <= reg.lam * (1 - alpha) + 1e-9)


def test_subgradient_descent_gives_no_exact_zeros_but_ista_does():
    X, y = _data()
    ista = proximal_gradient(X, y, dl.L1(0.5), max_iter=5000)
    sub = proximal_gradient(X, y, dl.L1(0.5), method="subgradient", max_iter=5000)
    assert np.sum(ista.w == 0) >= 2
    assert np.sum(sub.w == 0) == 0
    # the same solution up to the jitter of subgradient steps (about lr * lam)
    lr = 1.0 / lipschitz_constant(X)
    np.testing.assert_allclose(sub.w, ista.w, atol=1.5 * lr * 0.5)
    assert ista.objective <= sub.objective + 1e-12


def test_logistic_ista_decreases_the_objective():
    rng = np.random.default_rng(0)
    X, y = dl.datasets.make_moons(80, noise=0.2, rng=rng)
    reg = dl.L1(0.01)
    few = proximal_gradient(X, y, reg, loss="binary_cross_entropy", max_iter=10)
    many = proximal_gradient(X, y, reg, loss="binary_cross_entropy", max_iter=2000)
    assert many.objective < few.objective
    # the model separates the moons better than chance
    assert np.mean(((X @ many.w + many.b) > 0) == y) > 0.8


def test_path_from_all_zero_to_least_squares():
    X, y = _data()
    lam_max = np.max(np.abs(2 * X.T @ y / len(X)))   # the smallest lam with w = 0 for L1
    lams = np.array([1e-4, 0.1, 0.5, lam_max * 1.01])
    path = regularization_path(X, y, lambda lam: dl.L1(lam), lams, max_iter=20000)
    assert path.W.shape == (4, 8)
    np.testing.assert_array_equal(path.W[-1], 0.0)
    zeros = path.zeros()
    assert zeros[0] == 0 and zeros[-1] == 8
    assert np.all(np.diff(zeros) >= 0)   # on this data more lam, more zeros
    ridge = regularization_path(X, y, lambda lam: dl.L2(lam), lams)
    assert np.all(ridge.zeros() == 0)    # Ridge shrinks, never zeroes
    norms = np.linalg.norm(ridge.W, axis=1)
    assert np.all(np.diff(norms) < 0)


def test_lipschitz_constant_by_hand():
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    # [X 1] = [[1, 0, 1], [0, 1, 1]]: largest singular value^2 = 3
    assert lipschitz_constant(X, "mse") == pytest.approx(2 * 3 / 2)
    assert lipschitz_constant(X, "binary_cross_entropy") == pytest.approx(3 / 8)
    assert lipschitz_constant(X, "mse", fit_intercept=False) == pytest.approx(1.0)


def test_proximal_bad_input():
    X, y = _data()
    with pytest.raises(ValueError, match="loss"):
        proximal_gradient(X, y, dl.L1(0.1), loss="hinge")
    with pytest.raises(ValueError, match="method"):
        proximal_gradient(X, y, dl.L1(0.1), method="newton")
    with pytest.raises(TypeError, match="penalty"):
        proximal_gradient(X, y, 0.1)
    with pytest.raises(ValueError, match="y has 3 entries"):
        proximal_gradient(X, y[:3], dl.L1(0.1))
    with pytest.raises(ValueError, match="lams"):
        regularization_path(X, y, lambda lam: dl.L1(lam), [-1.0])
    with pytest.raises(FloatingPointError, match="diverged"):
        proximal_gradient(X, y, dl.L1(0.1), lr=10.0, max_iter=2000)


def test_fit_penalizes_exactly_the_parameters_marked_regularize():
    # "chosen weights": flip the flags, and the penalty follows them (one full-batch step)
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((6, 2)), rng.standard_normal((6, 1))
    model = dl.Sequential(dl.Dense(2, 1, rng=rng))
    W, b = model[0].W, model[0].b
    b.value[...] = 0.5
    W.regularize, b.regularize = False, True
    W0, b0 = W.value.copy(), b.value.copy()
    dz = 2 * (X @ W0 + b0 - y) / 6
    dl.fit(model, X, y, loss="mse", lr=0.1, epochs=1, batch_size=6, penalty=dl.L1(0.2),
           shuffle=False, rng=rng)
    np.testing.assert_allclose(W.value, W0 - 0.1 * X.T @ dz)                     # no penalty
    np.testing.assert_allclose(b.value, b0 - 0.1 * (dz.sum(axis=0) + 0.2 * np.sign(b0)))


def test_fit_rejects_a_penalty_class_instead_of_an_instance():
    model = dl.Sequential(dl.Dense(2, 1, rng=np.random.default_rng(0)))
    with pytest.raises(TypeError, match=r"penalty must be an instance such as L2\(lam=0.01\)"):
        dl.fit(model, np.ones((3, 2)), np.ones(3), loss="mse", penalty=dl.L2)
