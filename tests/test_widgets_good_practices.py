"""Chapter 05's figures and widgets, without a browser."""

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

import dlkit as dl
from dlkit.figures import good_practices as fig05
from dlkit.interactive import LivePlot, choice_slider, dropdown, log_slider
from dlkit.overfit import OverfitResult


def test_h_widget_redraws_on_h_and_dtype():
    live = LivePlot(fig05.render_h_tradeoff, h=log_slider("step h", 1e-12, 1.0, 1e-5),
                    dtype=dropdown("dtype", ["float64", "float32"], "float64"))
    first, renders = live.image.value, live.renders
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    live.controls["h"].value = 1e-2
    assert live.renders == renders + 1 and live.image.value != first
    second = live.image.value
    live.controls["dtype"].value = "float32"
    assert live.renders == renders + 2 and live.image.value != second


def test_overfit_widget_redraws_on_every_control():
    live = LivePlot(fig05.render_overfit,
                    case=dropdown("model", list(fig05.OVERFIT_CASES), "correct"),
                    lr=log_slider("learning rate", 1e-4, 30, 0.5),
                    hidden=choice_slider("hidden units", [1, 2, 3, 4, 8, 16, 64], 16),
                    task=dropdown("task", list(fig05.TASKS), "classification"))
    for name, value in [("case", "missing bias gradient (first layer)"), ("lr", 0.05),
                        ("hidden", 4), ("task", "regression"), ("lr", 3.0)]:
        before, renders = live.image.value, live.renders
        live.controls[name].value = value
        assert live.renders == renders + 1 and live.image.value != before, name


def titles_and_labels(fig):
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert axes
    for ax in axes:
        assert ax.get_title(), "every axes has a title"
        assert ax.get_xlabel() and ax.get_ylabel(), "every axes has labelled axes"


def test_render_h_tradeoff_figure():
    fig = fig05.render_h_tradeoff(h=1e-5, dtype="float64")
    assert isinstance(fig, Figure)
    titles_and_labels(fig)
    central = fig05.finite_difference_error(1e-5, "float64", "central")
    assert f"central {central:.1e}" in fig.axes[0].get_title()  # the error at the slider's h


def test_render_overfit_and_kink_and_curves():
    fig = fig05.render_overfit("too little capacity: Dense(2, 1)", lr=0.5, hidden=16)
    titles_and_labels(fig)
    assert fig.axes[0].get_title() == "plateau"
    fig = fig05.render_overfit("correct", lr=10.0, hidden=16)  # classification memorizes
    assert fig.axes[0].get_title().startswith("overfits in")
    fig = fig05.render_overfit("correct", lr=10.0, hidden=16, task="regression")
    titles_and_labels(fig)
    assert fig.axes[0].get_title() == "diverged"
    fig = fig05.render_overfit("correct", lr=0.2, hidden=16, task="regression")
    titles_and_labels(fig)
    assert fig.axes[1].get_xlabel() == "target t"
    titles_and_labels(fig05.render_kink(1e-5))
    _, res = fig05.overfit_case("correct")
    titles_and_labels(fig05.plot_overfit_curves({"correct": res}))


def test_h_sweep_shows_the_theory():
    for dtype in ["float64", "float32"]:
        eps = np.finfo(dtype).eps
        hs, errors = fig05.h_sweep(dtype, "central")
        best = hs[np.argmin(errors)]
        assert eps ** (1 / 3) / 3 < best < eps ** (1 / 3) * 3   # optimum near eps^(1/3)
        hs, errors = fig05.h_sweep(dtype, "forward")
        assert eps ** 0.5 / 3 < hs[np.argmin(errors)] < eps ** 0.5 * 3
    hs, central = fig05.h_sweep("float64", "central")
    _, forward = fig05.h_sweep("float64", "forward")
    assert fig05.fitted_slope(hs, central, 1e-4, 1e-1) == pytest.approx(2.0, abs=0.05)
    assert fig05.fitted_slope(hs, forward, 1e-6, 1e-1) == pytest.approx(1.0, abs=0.05)
    assert fig05.fitted_slope(hs, central, 1e-12, 1e-7) == pytest.approx(-1.0, abs=0.15)
    assert central.min() < 1e-9                                  # float64 passes easily
    assert fig05.h_sweep("float32", "central")[1].min() > 1e-7   # float32 never can
    assert fig05.finite_difference_error(1e-5, "float32") > 1e-3  # a correct layer "is a bug"


def test_the_sweep_layer_rounds_like_plain_python_scalars():
    # Bit for bit what a scalar loop in Python floats gives (one rounding per +, *, /,
    # sqrt, in the same order): no BLAS, no SIMD-width-dependent sum, no libm tanh. So
    # the round-off regime of the h sweep is the same on every CPU.
    x, W, R, exact = fig05._sweep_problem()
    N, K = x.shape

    def scalar_loss(W, dtype):
        total = dtype(0)
        for n in range(N):
            for j in range(W.shape[1]):
                a = dtype(x[n, 0]) * W[0, j]
                for k in range(1, K):
                    a = a + dtype(x[n, k]) * W[k, j]
                s = a / np.sqrt(dtype(1) + a * a) if dtype is np.float32 else a / math.sqrt(1 + a * a)
                total = total + s * dtype(R[n, j])
        return total

    for dtype in (np.float64, np.float32):
        Wd = (W + dtype(1e-3)).astype(dtype)   # an h-perturbed point, not just the start
        want = scalar_loss(Wd.astype(float) if dtype is np.float64 else Wd, dtype)
        got = fig05.sweep_loss(Wd, x.astype(dtype), R.astype(dtype))
        assert got.dtype == dtype and got == want, dtype
    # the inputs are exact binary fractions, so float32 holds them exactly too
    for arr in (x, W, R):
        assert np.array_equal(arr.astype(np.float32).astype(np.float64), arr)
    # and the exact gradient is the gradient of that loss
    num = dl.gradcheck.numerical_gradient(lambda v: float(fig05.sweep_loss(v, x, R)), W.copy())
    assert dl.gradcheck.relative_error(num, exact) < 1e-9


def test_h_grid_is_read_from_decimals():
    assert len(fig05.H_GRID) == 53 and np.all(np.diff(fig05.H_GRID) > 0)
    assert 1e-5 in fig05.H_GRID and 1e-13 in fig05.H_GRID and fig05.H_GRID[-1] == 1.0
    assert np.all(fig05.H_GRID[4:] / fig05.H_GRID[:-4] == pytest.approx(10.0, rel=1e-2))


def test_deep_mlp_builder():
    net = fig05.mlp(16, seed=3, depth=4)
    assert net.num_parameters() == 2 * 16 + 16 + 3 * (16 * 16 + 16) + 16 + 1
    assert np.array_equal(fig05.mlp(16, seed=3).forward(np.ones((2, 2))),
                          fig05.mlp(16, seed=3, depth=1).forward(np.ones((2, 2))))
    relu = fig05.mlp(8, seed=0, act=dl.ReLU, depth=2, init="he")
    assert isinstance(relu.layers[1], dl.ReLU) and len(relu.layers) == 5


def result(reached, iterations=None, diagnosis="plateau"):
    return OverfitResult(reached=reached, iterations=iterations, final_loss=0.5,
                         final_accuracy=0.5, losses=np.array([0.7, 0.5]), accuracies=None,
                         loss_threshold=0.01, max_iterations=1, diagnosis=diagnosis)


def test_seed_summary_names_all_none_or_some():
    ok = [result(True, i, "overfits") for i in (30, 10, 20)]
    assert fig05.seed_summary(ok) == "all 3 (median 20 updates)"
    failed = [result(False), result(False, diagnosis="diverged")]
    assert fig05.seed_summary(failed) == "none of 2 (1 diverged)"
    assert fig05.seed_summary(ok[:1] + failed) == "some of 3, not all (1 diverged)"
    assert fig05.seed_summary(ok[:1] + failed[:1]) == "some of 2, not all"


def test_overfit_seeds_width_and_bad_activation():
    assert fig05.seed_summary(fig05.overfit_seeds("tanh", 1)) == "none of 5"  # too small
    wide = fig05.overfit_seeds("tanh", 16, seeds=(0, 1), max_iterations=500)
    assert all(r.reached for r in wide)
    with pytest.raises(ValueError, match="act must be one of"):
        fig05.overfit_seeds("softplus")
    with pytest.raises(ValueError, match="depth must be >= 1"):
        fig05.mlp(16, depth=0)
    with pytest.raises(ValueError, match="at least one"):
        fig05.seed_summary([])


def test_nudged_moves_every_weight_one_ulp_and_deep_runs_amplify_it():
    net, moved = fig05.mlp(4, seed=0), fig05.nudged(fig05.mlp(4, seed=0))
    for p, q in zip(net.parameters(), moved.parameters()):
        ulp = np.spacing(np.abs(p.value))
        assert np.all((q.value != p.value) & (np.abs(q.value - p.value) <= ulp))
    # depth 8 at lr 0.5: the nudge stays round-off; depth 16: seed 0 ends up elsewhere
    for depth, small in [(8, True), (16, False)]:
        a, b = (fig05.overfit_seeds("tanh", 16, depth, seeds=(0,), nudge=nudge)[0]
                for nudge in (False, True))
        assert (fig05.loss_gap(a, b) < 1e-9) == small, depth
        assert (fig05.loss_gap(a, b) > 0.1) != small, depth


def test_overfit_cases_behave_as_the_chapter_says():
    diagnoses = {case: fig05.overfit_case(case)[1] for case in fig05.OVERFIT_CASES}
    assert diagnoses["correct"].reached
    assert diagnoses["wrong sign of dW (output layer)"].reached   # the test cannot see it
    assert diagnoses["forgotten zero_grad"].reached               # nor this one, on XOR
    for case in ["wrong sign in Tanh.backward", "missing bias gradient (first layer)",
                 "too little capacity: Dense(2, 1)"]:
        assert not diagnoses[case].reached, case


def test_bad_arguments():
    with pytest.raises(ValueError, match="dtype must be one of"):
        fig05.finite_difference_error(1e-5, "float16")
    with pytest.raises(ValueError, match="case must be one of"):
        fig05.overfit_case("nonsense")
    with pytest.raises(ValueError, match="task must be one of"):
        fig05.overfit_case("correct", task="ranking")
