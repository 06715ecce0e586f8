"""Chapter 03's widgets without a browser: set a control, the figure is redrawn and changes."""

from functools import partial

import numpy as np
import pytest
from matplotlib.figure import Figure

from dlkit.figures import parameter_tuning as fig03
from dlkit.interactive import LivePlot, choice_slider, dropdown, float_slider, int_slider, log_slider


def assert_each_control_redraws(live, changes):
    assert live.renders == 1
    assert bytes(live.image.value).startswith(b"\x89PNG")
    for name, value in changes:
        before, renders = bytes(live.image.value), live.renders
        live.controls[name].value = value
        assert live.renders == renders + 1, name
        assert bytes(live.image.value) != before, f"moving {name} did not change the figure"


def test_init_widget():
    live = LivePlot(fig03.render_init_stats, depth=int_slider("depth", 2, 20, 6),
                    scheme=dropdown("scheme", list(fig03.INIT_SCHEMES), "xavier"),
                    activation=dropdown("activation", ["tanh", "relu"], "tanh"),
                    scale=log_slider("scale", 0.25, 4.0, 1.0))
    assert_each_control_redraws(live, [("depth", 12), ("scheme", "he"), ("activation", "relu"),
                                       ("scale", 2.0)])


def test_learning_rate_widget():
    live = LivePlot(fig03.render_learning_rate, lr=log_slider("lr", 1e-3, 30, 0.3),
                    schedule=dropdown("schedule", list(fig03.SCHEDULE_NAMES), "constant"))
    assert_each_control_redraws(live, [("lr", 3.0), ("schedule", "cosine")])


def test_trajectory_widget():
    live = LivePlot(fig03.render_trajectories,
                    surface=dropdown("surface", list(fig03.SURFACES), "valley"),
                    optimizer=dropdown("optimizer", list(fig03.OPTIMIZER_NAMES), "adam"),
                    lr=log_slider("lr", 1e-4, 30, 0.3),
                    beta=float_slider("beta", 0.0, 0.999, 0.9, 0.01),
                    beta2=float_slider("beta2", 0.9, 0.9999, 0.999, 0.0001),
                    steps=int_slider("steps", 10, 1000, 100, 10))
    assert_each_control_redraws(live, [("surface", "saddle"), ("optimizer", "momentum"),
                                       ("lr", 0.05), ("beta", 0.5), ("optimizer", "adam"),
                                       ("beta2", 0.95), ("steps", 150)])


def test_transfer_widget_on_a_tiny_configuration():
    render = partial(fig03.render_transfer, sizes=(20, 40), seeds=(0,), pool=60, n_test=40,
                     budget=200)
    live = LivePlot(render, n=choice_slider("n", [20, 40], 20),
                    strategy=dropdown("strategy", ["freeze_all", "fine_tune", "scratch",
                                                   "freeze_most"], "freeze_all"))
    assert_each_control_redraws(live, [("n", 40), ("strategy", "scratch")])


def test_trajectories_use_dlkit_optimizers_on_a_parameter():
    path, losses, note = fig03.trajectory("valley", "sgd", 0.5, steps=3)
    # SGD on x^2/100 + y^2 from (-4.5, 1.2): x <- x (1 - 0.5/50), y <- y (1 - 0.5 * 2) = 0
    np.testing.assert_allclose(path[1], [-4.5 * 0.99, 0.0])
    assert len(path) == 4 and note == ""
    path, losses, note = fig03.trajectory("rosenbrock", "sgd", 0.01, steps=50)
    assert "diverged" in note and np.all(np.isfinite(path))


def test_static_renders_return_figures():
    for fig in [fig03.render_schedules(), fig03.render_all_trajectories("saddle", steps=20),
                fig03.render_transfer_data(k=3)]:
        assert isinstance(fig, Figure)


def test_bad_choices_are_rejected():
    with pytest.raises(ValueError, match="scheme"):
        fig03.init_weights("glorot", (2, 2), np.random.default_rng(0))
    with pytest.raises(ValueError, match="optimizer"):
        fig03.make_optimizer("lion", [], 0.1)
    with pytest.raises(ValueError, match="schedule"):
        fig03.make_schedule("linear", 0.1)
