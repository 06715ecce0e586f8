"""Chapter 05's figures and widgets, without a browser."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from dlkit.figures import good_practices as fig05
from dlkit.interactive import LivePlot, choice_slider, dropdown, log_slider


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
    assert "central 4.9e-11" in fig.axes[0].get_title()  # the printed error at h = 1e-5


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
