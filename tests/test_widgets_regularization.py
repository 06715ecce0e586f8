"""Chapter 04 figures and widgets, without a browser: set a control, the PNG changes."""

import numpy as np
import pytest
from matplotlib.figure import Figure

import dlkit as dl
from dlkit.figures import regularization as figs
from dlkit.interactive import LivePlot, choice_slider, dropdown, float_slider, int_slider, log_slider


def _titles(fig):
    return [ax.get_title() for ax in fig.axes]


def test_dropout_widget_redraws_on_p():
    live = LivePlot(figs.render_dropout,
                    p=choice_slider("p (drop probability)", figs.DROPOUT_PS, 0.5))
    assert live.renders == 1
    before = live.image.value
    live.controls["p"].value = 0.0
    assert live.renders == 2
    assert live.image.value != before
    assert live.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_render_dropout_titles_report_the_run():
    fig = figs.render_dropout(p=0.0)
    res = figs.train_dropout(0.0)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert f"{res['val_loss'][-1]:.3f}" in fig.axes[0].get_title()
    assert fig.axes[0].get_xlabel() == "epoch"


def test_dropout_reduces_overfitting_over_the_chapter_seeds():
    table = figs.dropout_table(ps=(0.0, 0.3))
    assert set(table) == {"train_loss", "val_loss", "best_val_loss", "val_accuracy"}
    assert all(a.shape == (2, len(figs.SEEDS)) for a in table.values())
    # without dropout the network fits the training set better, on every seed
    assert np.all(table["train_loss"][0] < table["train_loss"][1])
    # with p = 0.3 the final validation loss is lower on average, and varies less by seed
    plain, dropped = table["val_loss"]
    assert dropped.mean() < 0.8 * plain.mean()
    assert dropped.std() < 0.5 * plain.std()
    # the table is the cached runs the widget shows (seed 0)
    assert table["val_loss"][1, 0] == figs.train_dropout(0.3)["val_loss"][-1]
    # overfitting, seed 0: the validation loss ends well above its minimum
    no_drop = figs.train_dropout(0.0)
    assert no_drop["val_loss"][-1] > 1.5 * no_drop["val_loss"].min()


def test_noisy_circles_has_flipped_training_labels_only():
    X, y, X_val, y_val = figs.noisy_circles()
    _, y_clean, _, y_val_clean = figs.noisy_circles(flip=0.0)
    assert X.shape == (40, 2) and X_val.shape == (100, 2)
    assert 0 < np.sum(y != y_clean) < 12
    np.testing.assert_array_equal(y_val, y_val_clean)
    with pytest.raises(ValueError, match="read-only"):
        X[0, 0] = 1.0


def test_elastic_net_widget_redraws_on_lam_and_alpha():
    live = LivePlot(figs.render_elastic_net,
                    lam=log_slider("lam", 1e-3, 0.3, 0.01, steps_per_decade=4),
                    alpha=float_slider("alpha", 0.0, 1.0, 0.5, 0.1))
    images = [live.image.value]
    live.controls["lam"].value = 0.1
    images.append(live.image.value)
    live.controls["alpha"].value = 0.0
    images.append(live.image.value)
    assert live.renders == 3
    assert len(set(images)) == 3


def test_elastic_net_render_counts_exact_zeros():
    lasso = figs.render_elastic_net(lam=0.1, alpha=0.0)
    ridge = figs.render_elastic_net(lam=0.1, alpha=1.0)
    w_lasso = figs.fit_poly_logistic(0.1, 0.0)[0]
    assert f"{int(np.sum(w_lasso == 0))} of 14 weights are 0" in lasso.axes[0].get_title()
    assert np.sum(w_lasso == 0) >= 5
    assert "0 of 14 weights are 0" in ridge.axes[0].get_title()


def test_early_stopping_widget_redraws_on_each_control():
    live = LivePlot(figs.render_early_stopping,
                    patience=int_slider("patience", 0, 50, 10),
                    min_delta=float_slider("min_delta", 0.0, 0.05, 0.0, 0.005),
                    restore_best_weights=dropdown("restore_best_weights", [True, False], True))
    seen = [live.image.value]
    live.controls["patience"].value = 40
    seen.append(live.image.value)
    live.controls["restore_best_weights"].value = False
    seen.append(live.image.value)
    live.controls["min_delta"].value = 0.01
    seen.append(live.image.value)
    assert live.renders == 4
    assert len(set(seen)) == 4


def test_render_early_stopping_matches_a_real_fit():
    # the replay on the recorded curve stops where fit with EarlyStopping stops
    fig = figs.render_early_stopping(patience=10, restore_best_weights=True)
    X, y, X_val, y_val = figs.noisy_circles()
    model = figs.make_network(0.0)
    es = dl.EarlyStopping(patience=10, restore_best_weights=True)
    history = dl.fit(model, X, y, lr=figs.LR, epochs=figs.EPOCHS, batch_size=figs.BATCH_SIZE,
                     validation_data=(X_val, y_val), callbacks=[es], rng=np.random.default_rng(0))
    assert f"ran {len(history)} epochs" in fig.axes[0].get_title()
    assert f"best epoch, {es.best_epoch + 1})" in fig.axes[1].get_title()
    val, _ = dl.evaluate(model, X_val, y_val)
    assert f"val loss {val:.3f}" in fig.axes[1].get_title()
    # the recorded run is the p = 0 run of the dropout section
    np.testing.assert_allclose(figs.train_with_snapshots()["val_loss"],
                               figs.train_dropout(0.0)["val_loss"])


def test_static_figures():
    for fig, n_axes in ((figs.render_dropout_expectation(p=0.5), 1),
                        (figs.render_penalty_geometry(), 3),
                        (figs.render_zero_jitter(), 1),
                        (figs.render_paths(), 4)):
        assert isinstance(fig, Figure) and len(fig.axes) == n_axes
        assert all(t for t in _titles(fig))
        assert all(ax.get_xlabel() for ax in fig.axes)


def test_paths_show_zeros_for_lasso_only():
    l1, l2 = figs.coefficient_path("l1"), figs.coefficient_path("l2")
    sub = figs.coefficient_path("l1", 0.5, "subgradient")
    assert l1.zeros()[-1] == 8 and l2.zeros().max() == 0 and sub.zeros().max() == 0


def test_penalty_geometry_lasso_solution_on_an_axis():
    # the L1 solution of the 2-D picture has a zero coordinate, the L2 one has none
    # by hand: with w2 = 0, (w1 - 2) + 0.6 (0 - 0.5) + 1.5 = 0 gives w1 = 0.8, and the
    # w2-gradient there, 0.6 (0.8 - 2) + 1.4 (0 - 0.5) = -1.42, is within [-1.5, 1.5]
    c, A = figs.GEOMETRY_CENTER, figs.GEOMETRY_A
    w1 = figs._quadratic_penalized(dl.L1(1.5), c, A)
    np.testing.assert_allclose(w1, [0.8, 0.0], atol=1e-9)
    assert w1[1] == 0.0
    w2 = figs._quadratic_penalized(dl.L2(1.5), c, A)
    # ridge: (A + 2 lam I) w = A c
    np.testing.assert_allclose(w2, np.linalg.solve(A + 3.0 * np.eye(2), A @ c), atol=1e-9)
    assert np.all(w2 != 0)


def test_polynomial_features_names_and_values():
    X = np.array([[2.0, 3.0]])
    F, names = figs.polynomial_features(X, degree=2)
    assert names == ["x_1", "x_2", "x_1^2", "x_1x_2", "x_2^2"]
    np.testing.assert_allclose(F, [[2.0, 3.0, 4.0, 6.0, 9.0]])
