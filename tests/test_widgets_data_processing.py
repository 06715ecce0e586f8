"""Chapter 01's widgets without a browser: move a control, the figure is redrawn and changes."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from dlkit.figures import data_processing as fig01
from dlkit.interactive import LivePlot, choice_slider, dropdown, float_slider, int_slider


def widget(name):
    """One of the notebook's widgets, built the same way, and the control moves to try."""
    return WIDGETS[name]()


WIDGETS = {
    "flip": lambda: (LivePlot(fig01.render_flip,
                          axis=dropdown("axis", ["horizontal", "vertical"], "horizontal")),
                 [("axis", "vertical")]),
    "rotation": lambda: (LivePlot(fig01.render_rotation,
                              angle=float_slider("angle (°)", -45, 45, 15, 1),
                              fill=dropdown("fill", ["constant", "nearest", "reflect"],
                                            "constant")),
                     [("angle", -30.0), ("fill", "reflect")]),
    "crop": lambda: (LivePlot(fig01.render_random_crop, reseed=True,
                          size=int_slider("crop size (px)", 40, 130, 96, 2),
                          count=int_slider("crops in a row", 1, 5, 3),
                          resize=dropdown("resize back", [False, True], False)),
                 [("size", 60), ("count", 4), ("resize", True)]),
    "color": lambda: (LivePlot(fig01.render_color_shift,
                           red=float_slider("red shift", -0.3, 0.3, 0.1, 0.02),
                           green=float_slider("green shift", -0.3, 0.3, 0.0, 0.02),
                           blue=float_slider("blue shift", -0.3, 0.3, -0.1, 0.02)),
                  [("red", -0.2), ("green", 0.2), ("blue", 0.1)]),
    "noise": lambda: (LivePlot(fig01.render_noise, reseed=True,
                           std=float_slider("noise std", 0.0, 0.4, 0.1, 0.01)),
                  [("std", 0.3)]),
    "loss": lambda: (LivePlot(fig01.render_information_loss, reseed=True,
                          k=int_slider("patches k", 0, 8, 3), size=int_slider("patch size", 5, 80, 30)),
                 [("k", 6), ("size", 50)]),
    "contrast": lambda: (LivePlot(fig01.render_contrast,
                              contrast=float_slider("contrast", 0.0, 3.0, 1.5, 0.05),
                              brightness=float_slider("brightness", 0.2, 2.0, 1.0, 0.05)),
                     [("contrast", 0.5), ("brightness", 1.5)]),
    "pipeline": lambda: (LivePlot(fig01.render_pipeline, reseed=True,
                              p=float_slider("probability p of each op", 0.0, 1.0, 0.5, 0.05)),
                     [("p", 1.0)]),
    "batchnorm": lambda: (LivePlot(fig01.render_batchnorm,
                               lr=choice_slider("learning rate", [0.01, 0.1, 0.5, 2.0], 0.1),
                               init_scale=choice_slider("init scale", [0.1, 1.0, 10.0], 1.0)),
                      [("lr", 0.5), ("init_scale", 10.0)]),
}


@pytest.mark.parametrize("name", ["flip", "rotation", "crop", "color", "noise", "loss",
                                  "contrast", "pipeline", "batchnorm"])
def test_each_control_rerenders_and_changes_the_figure(name):
    live, moves = widget(name)
    assert live.renders == 1
    assert bytes(live.image.value).startswith(b"\x89PNG")
    for control, value in moves:
        before, renders = bytes(live.image.value), live.renders
        live.controls[control].value = value
        assert live.renders == renders + 1, control
        assert bytes(live.image.value) != before, f"{name}: moving {control} changed nothing"


@pytest.mark.parametrize("name", ["crop", "noise", "loss", "pipeline"])
def test_new_random_draw_button_changes_the_figure(name):
    live, _ = widget(name)
    before, renders = bytes(live.image.value), live.renders
    live.button.click()
    assert live.seed == 1 and live.renders == renders + 1
    assert bytes(live.image.value) != before


def test_renders_are_deterministic_for_a_seed():
    from dlkit.plotting import figure_to_png

    a = figure_to_png(fig01.render_noise(0.2, seed=3), dpi=40)
    b = figure_to_png(fig01.render_noise(0.2, seed=3), dpi=40)
    assert a == b


def test_table_has_the_original_and_the_seven_ops_with_the_sheet_text():
    fig = fig01.render_augmentation_table()
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == [name for name, _ in fig01.SHEET_TABLE]
    labels = " ".join(ax.get_xlabel() for ax in fig.axes).replace("\n", " ")
    assert "Simulates incorrect horizon calibration" in labels
    assert "Controls difference in exposition due to time of day" in labels
    images = fig01.table_images()
    assert len(images) == 8
    shapes = {img.shape for _, img in images}
    assert len(shapes) == 1                               # every op keeps the size here
    for name, img in images[1:]:
        assert not np.array_equal(img, images[0][1]), name


def test_crop_positions_match_the_crops_shown():
    img = fig01.photo()
    pos = fig01.crop_positions(img.shape, 50, 3, seed=5)
    from dlkit.augment import random_crops

    crops = random_crops(img, 50, 3, np.random.default_rng(5))
    for (t, s), c in zip(pos, crops):
        np.testing.assert_array_equal(c, img[t:t + 50, s:s + 50])


def test_batchnorm_widget_reports_divergence_and_results():
    runs = fig01._bn_runs(0.1, 1.0)
    assert set(runs) == {False, True}
    for history, acc in runs.values():
        assert acc is None or 0.0 <= acc <= 1.0
        assert np.isfinite(history.batch_loss).all()


def test_experiment_figures():
    records = np.array([[1, 0.5, 0.4], [2, 0.8, 0.6], [3, 1.0, 0.7]])       # 0.3 gap
    other = records + [0, 0.0, 0.1]                                          # 0.2 gap
    runs = [({"accuracy": [0.5, 0.8, 0.9]}, records), ({"accuracy": [0.4, 0.7, 0.9]}, other)]
    fig = fig01.render_overfitting({"plain": runs, "augmented": runs[:1]})
    assert "final gap 0.250 (mean of 2 seeds)" in fig.axes[0].get_title()
    assert "final gap 0.300 (mean of 1 seeds)" in fig.axes[1].get_title()
    labels = [line.get_label() for line in fig.axes[0].lines]
    assert "training (clean digits)" in labels and "validation" in labels
    fig = fig01.render_flip_lesson({"shapes": (0.6, 0.7), "letters": (1.0, 0.5)},
                                   {"shapes": 0.1, "letters": 0.25})
    assert fig.axes[0].get_ylabel() == "test accuracy"
    table = np.array([[0.9, np.nan], [0.5, 0.8]])
    fig = fig01.render_bn_grid({"without": table, "with": table}, [0.1, 1.0], [1.0, 10.0])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "diverged" in texts and "0.90" in texts


def test_mean_over_seeds_leaves_diverged_runs_out():
    acc = np.array([[0.8, np.nan, np.nan], [0.6, 0.5, np.nan]])      # (seeds, settings)
    mean = fig01.mean_over_seeds(acc)
    np.testing.assert_allclose(mean[:2], [0.7, 0.5])
    assert np.isnan(mean[2])


def test_bn_grid_runs_every_setting_and_seed():
    grid = fig01.bn_grid([0.1], [1.0], seeds=[0, 1], epochs=1)
    assert set(grid) == {False, True}
    assert grid[True].shape == (2, 1, 1)
    # each seed is its own run: train_bn with that seed
    assert grid[True][1, 0, 0] == fig01.train_bn(True, 0.1, 1.0, epochs=1, seed=1)[1]
    assert grid[True][0, 0, 0] != grid[True][1, 0, 0]
