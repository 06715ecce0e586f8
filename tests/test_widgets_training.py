"""Chapter 02's widget without a browser: set a slider, the figure is redrawn and changes."""

import numpy as np
from matplotlib.figure import Figure

from dlkit.figures import training as fig02
from dlkit.interactive import LivePlot, choice_slider, dropdown, int_slider, log_slider


def make_widget():
    return LivePlot(
        fig02.render_training,
        lr=log_slider("learning rate", 1e-3, 30, 0.3),
        batch_size=choice_slider("batch size", [1, 8, 32, 200], 32),
        epochs=int_slider("epochs", 1, 200, 20),
        hidden=choice_slider("hidden units", [2, 16], 16),
        dataset=dropdown("data set", ["moons", "xor"], "moons"),
    )


def test_render_function_returns_a_figure_with_two_panels():
    fig = fig02.render_training(lr=0.3, batch_size=32, epochs=10, hidden=8)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 2
    assert fig.axes[1].get_xlabel() == "epoch"


def test_moving_each_control_rerenders_and_changes_the_figure():
    live = make_widget()
    assert live.renders == 1
    assert bytes(live.image.value).startswith(b"\x89PNG")
    for name, value in [("lr", 3.0), ("batch_size", 8), ("epochs", 40), ("hidden", 2),
                        ("dataset", "xor")]:
        before = bytes(live.image.value)
        renders = live.renders
        live.controls[name].value = value
        assert live.renders == renders + 1, name
        assert bytes(live.image.value) != before, f"moving {name} did not change the figure"


def test_batch_size_one_respects_the_update_budget():
    model, history, note = fig02.train_toy("moons", 0.05, 1, 100, 8)
    assert len(history.batch_loss) <= fig02.MAX_ITERATIONS
    assert "budget" in note


def test_diverging_learning_rate_is_reported_not_plotted_as_nan():
    fig = fig02.render_training(lr=30.0, batch_size=200, epochs=100, hidden=64)
    texts = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    _, history, _ = fig02.train_toy("moons", 30.0, 200, 100, 64)
    assert np.isfinite(history["loss"]).all()
    assert "blew up" in texts or "diverged" in texts


def test_reseed_button_passes_a_new_seed():
    seeds = []

    def render(level, seed):
        seeds.append(seed)
        fig = Figure()
        fig.subplots().plot([0, level])
        return fig

    live = LivePlot(render, reseed=True, level=int_slider("level", 0, 5, 1))
    live.button.click()
    assert seeds == [0, 1]


def test_redrawing_in_place_gives_the_same_picture_as_a_new_figure():
    from dlkit.plotting import figure_to_png

    fig = None
    for params in [dict(lr=0.3, batch_size=32, epochs=10, hidden=8),
                   dict(lr=30.0, batch_size=200, epochs=20, hidden=8),   # log scale, a note
                   dict(lr=0.3, batch_size=32, epochs=10, hidden=8, dataset="xor")]:
        redrawn = fig02.render_training(**params, fig=fig)
        assert fig is None or redrawn is fig, "the figure was not reused"
        fresh = fig02.render_training(**params)
        assert figure_to_png(redrawn, dpi=50) == figure_to_png(fresh, dpi=50), params
        fig = redrawn


def test_live_plot_passes_its_figure_back_to_a_render_that_takes_fig():
    live = make_widget()
    first = live.figure
    live.controls["lr"].value = 1.0
    assert live.figure is first
