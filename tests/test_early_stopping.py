"""EarlyStopping on scripted loss sequences (Keras 3 semantics), then end to end with fit."""

import numpy as np
import pytest

import dlkit as dl
from dlkit.early_stopping import infer_mode, simulate_early_stopping


class ScriptedModel:
    """A model whose only weight records the epoch it was set at: restoring is visible."""

    def __init__(self):
        self.stop_training = False
        self.weight = np.zeros(1)

    def parameters(self):
        return []

    def state_dict(self):
        return {"w": self.weight.copy()}

    def load_state_dict(self, state):
        self.weight[...] = state["w"]


def run(values, key="val_loss", **kwargs):
    """Drive the callback like fit does; the model's weight is the epoch number."""
    cb = dl.EarlyStopping(monitor=key, **kwargs)
    model = ScriptedModel()
    cb.set_context(model, None)
    model.stop_training = False
    cb.on_train_begin({})
    epochs_run = 0
    for epoch, value in enumerate(values):
        model.weight[0] = epoch          # "training" during this epoch
        cb.on_epoch_end(epoch, {key: value, "loss": 0.0})
        epochs_run += 1
        if model.stop_training:
            break
    cb.on_train_end({})
    return cb, model, epochs_run


# -- patience ----------------------------------------------------------------------------
def test_patience_zero_stops_at_first_non_improving_epoch():
    cb, _, n = run([1.0, 0.8, 0.9, 0.5])
    assert (cb.stopped_epoch, cb.best_epoch, cb.best, n) == (2, 1, 0.8, 3)


def test_patience_counts_epochs_without_improvement():
    # best at epoch 1; epochs 2, 3, 4 do not improve; patience 3 -> stop at 1 + 3 = 4
    values = [1.0, 0.5, 0.6, 0.7, 0.55, 0.4]
    cb, _, n = run(values, patience=3)
    assert cb.stopped_epoch == 4 and cb.best_epoch == 1 and n == 5
    # patience 4 lets epoch 5 improve: no stop at all
    cb, _, n = run(values, patience=4)
    assert cb.stopped_epoch is None and cb.best_epoch == 5 and n == 6


def test_an_improvement_resets_the_wait():
    # non-improving epochs: 2 | 4, 5 -> never 3 in a row, patience 3 never triggers
    cb, _, _ = run([1.0, 0.9, 0.95, 0.8, 0.85, 0.9, 0.7], patience=3)
    assert cb.stopped_epoch is None and cb.best == 0.7 and cb.wait == 0


def test_equal_value_is_not_an_improvement():
    cb, _, _ = run([1.0, 1.0, 1.0], patience=1)
    assert cb.stopped_epoch == 1 and cb.best_epoch == 0


# -- min_delta -----------------------------------------------------------------------------
def test_min_delta_small_gains_do_not_count():
    # gains of 0.05 < min_delta = 0.1 are not improvements: best stays at epoch 0
    cb, _, _ = run([1.0, 0.95, 0.9, 0.85], patience=2, min_delta=0.1)
    assert cb.stopped_epoch == 2 and cb.best_epoch == 0 and cb.best == 1.0


def test_min_delta_is_strict_at_the_boundary():
    # improvement means current < best - min_delta (strict): with min_delta = 0.25,
    # 0.5 beats 1.0 (0.5 < 0.75) but 0.25 does not beat 0.5 (0.25 < 0.25 is false)
    cb, _, _ = run([1.0, 0.5, 0.25], patience=0, min_delta=0.25)
    assert cb.best_epoch == 1 and cb.stopped_epoch == 2
    cb, _, _ = run([1.0, 0.5, 0.25], patience=0, min_delta=0.2)
    assert cb.best_epoch == 2 and cb.stopped_epoch is None


# -- mode -----------------------------------------------------------------------------------
def test_mode_max_for_accuracy():
    cb, _, _ = run([0.5, 0.7, 0.69, 0.71, 0.70, 0.70], key="val_accuracy", patience=2)
    assert cb.mode == "max"
    assert cb.best_epoch == 3 and cb.stopped_epoch == 5
    cb, _, _ = run([0.5, 0.7, 0.69, 0.71, 0.70, 0.70], key="val_accuracy", patience=2,
                   min_delta=0.05)
    assert cb.best_epoch == 1 and cb.stopped_epoch == 3


def test_mode_min_explicit_overrides_the_name():
    cb, _, _ = run([0.5, 0.7, 0.6], key="val_accuracy", mode="min")
    assert cb.best_epoch == 0 and cb.stopped_epoch == 1


def test_auto_mode_inference():
    assert infer_mode("val_loss") == "min"
    assert infer_mode("loss") == "min"
    assert infer_mode("val_accuracy") == "max"
    assert infer_mode("acc") == "max"
    with pytest.raises(ValueError, match="mode='min'"):
        infer_mode("val_banana")


# -- baseline ---------------------------------------------------------------------------------
def test_baseline_reached_behaves_like_no_baseline():
    values = [1.0, 0.5, 0.6, 0.7, 0.8]
    a, _, _ = run(values, patience=2, baseline=0.9)
    b, _, _ = run(values, patience=2)
    assert a.stopped_epoch == b.stopped_epoch == 3 and a.best_epoch == b.best_epoch == 1


def test_baseline_never_beaten_stops_after_patience_epochs():
    # Keras 3: improvements that do not beat the baseline update best but do not
    # reset wait; an improving epoch never stops. wait: 1 (e0), 2 (e1), 3 (e2) >= 2 -> stop
    cb, _, _ = run([1.0, 0.9, 0.95, 0.8], patience=2, baseline=0.5)
    assert cb.stopped_epoch == 2 and cb.best_epoch == 1 and cb.best == 0.9


def test_baseline_improving_epochs_never_stop():
    # every epoch improves on the best (though never on the baseline): no stop
    cb, _, _ = run([1.0, 0.9, 0.8, 0.7, 0.6], patience=1, baseline=0.5)
    assert cb.stopped_epoch is None and cb.wait == 5


def test_baseline_uses_min_delta_too():
    # 0.45 beats baseline 0.5 without min_delta, but not with min_delta = 0.1 (needs < 0.4)
    values = [0.45, 0.46, 0.47, 0.48]
    a, _, _ = run(values, patience=3, baseline=0.5)
    assert a.stopped_epoch == 3              # wait: 0 (reset at e0), 1, 2, 3 -> stop at e3
    b, _, _ = run(values, patience=3, baseline=0.5, min_delta=0.1)
    assert b.stopped_epoch == 2              # wait: 1 (no reset at e0), 2, 3 -> stop at e2


# -- start_from_epoch ---------------------------------------------------------------------
def test_start_from_epoch_ignores_the_warm_up():
    values = [5.0, 6.0, 7.0, 1.0, 2.0, 3.0]
    cb, _, _ = run(values, patience=1)
    assert cb.stopped_epoch == 1
    cb, _, _ = run(values, patience=1, start_from_epoch=3)
    assert cb.best_epoch == 3 and cb.stopped_epoch == 4 and cb.best == 1.0


# -- restore_best_weights -------------------------------------------------------------------
def test_restore_best_weights_when_stopping():
    cb, model, _ = run([1.0, 0.5, 0.6, 0.7], patience=2, restore_best_weights=True)
    assert cb.stopped_epoch == 3 and cb.best_epoch == 1
    assert model.weight[0] == 1.0     # the weights of the best epoch, not of epoch 3


def test_no_restore_keeps_the_last_weights():
    _, model, _ = run([1.0, 0.5, 0.6, 0.7], patience=2)
    assert model.weight[0] == 3.0


def test_restore_also_when_training_ends_without_stopping():
    # Keras 3 restores at the end of training whatever ended it (tf.keras 2 did not)
    cb, model, n = run([1.0, 0.5, 0.6], patience=5, restore_best_weights=True)
    assert cb.stopped_epoch is None and n == 3
    assert model.weight[0] == 1.0


def test_restore_with_warm_up_takes_first_monitored_epoch():
    cb, model, _ = run([0.1, 9.0, 9.5, 9.9], patience=1, start_from_epoch=1,
                       restore_best_weights=True)
    assert cb.best_epoch == 1 and cb.stopped_epoch == 2 and model.weight[0] == 1.0


def test_instance_is_reusable():
    cb = dl.EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
    for values, expected in (([1.0, 0.5, 0.6, 0.7], (2, 1)), ([3.0, 2.0, 1.0], (None, 2))):
        model = ScriptedModel()
        cb.set_context(model, None)
        cb.on_train_begin({})
        for epoch, v in enumerate(values):
            model.weight[0] = epoch
            cb.on_epoch_end(epoch, {"val_loss": v})
            if model.stop_training:
                break
        cb.on_train_end({})
        # the second run is not affected by best = 0.5 of the first
        assert (cb.stopped_epoch, cb.best_epoch) == expected
        assert model.weight[0] == expected[1]


def test_verbose_messages(capsys):
    run([1.0, 0.5, 0.6, 0.7], patience=2, restore_best_weights=True, verbose=True)
    out = capsys.readouterr().out
    assert "Epoch 4: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 2." in out


def test_simulate_matches_the_manual_drive():
    values = [1.0, 0.8, 0.85, 0.7, 0.75, 0.76, 0.77]
    cb = simulate_early_stopping(values, patience=2)
    ref, _, _ = run(values, patience=2)
    assert (cb.stopped_epoch, cb.best_epoch, cb.best) == (ref.stopped_epoch, ref.best_epoch,
                                                           ref.best) == (5, 3, 0.7)


# -- bad input ----------------------------------------------------------------------------
def test_missing_metric_lists_available_keys():
    cb = dl.EarlyStopping(monitor="val_loss")
    cb.set_context(ScriptedModel(), None)
    cb.on_train_begin({})
    with pytest.raises(ValueError, match=r"monitor='val_loss'.*\['accuracy', 'loss'\]"):
        cb.on_epoch_end(0, {"loss": 0.3, "accuracy": 0.9})


def test_bad_arguments():
    with pytest.raises(ValueError, match="patience must be >= 0, got -1"):
        dl.EarlyStopping(patience=-1)
    with pytest.raises(TypeError, match="patience"):
        dl.EarlyStopping(patience=1.5)
    with pytest.raises(ValueError, match="min_delta must be >= 0.0, got -0.1"):
        dl.EarlyStopping(min_delta=-0.1)
    with pytest.raises(ValueError, match="mode must be 'auto', 'min' or 'max', got 'up'"):
        dl.EarlyStopping(mode="up")
    with pytest.raises(ValueError, match="start_from_epoch"):
        dl.EarlyStopping(start_from_epoch=-2)
    with pytest.raises(ValueError, match="baseline"):
        dl.EarlyStopping(baseline=float("nan"))
    with pytest.raises(TypeError, match="monitor"):
        dl.EarlyStopping(monitor=None)


# -- end to end with fit ----------------------------------------------------------------------
def _overfitting_setup():
    rng = np.random.default_rng(4)
    X, y = dl.datasets.make_moons(130, noise=0.3, rng=rng)
    flip = rng.random(30) < 0.2
    y_train = y[:30].copy()
    y_train[flip] = 1 - y_train[flip]
    model = dl.Sequential(dl.Dense(2, 32, rng=rng), dl.ReLU(), dl.Dense(32, 32, rng=rng),
                          dl.ReLU(), dl.Dense(32, 1, rng=rng))
    return model, X[:30], y_train, X[30:], y[30:]


def test_fit_with_early_stopping_end_to_end():
    model, X, y, X_val, y_val = _overfitting_setup()
    es = dl.EarlyStopping(patience=10, restore_best_weights=True)
    history = dl.fit(model, X, y, lr=1.0, epochs=400, batch_size=30,
                     validation_data=(X_val, y_val), callbacks=[es],
                     rng=np.random.default_rng(0))
    val = np.array(history["val_loss"])
    assert es.stopped_epoch is not None and es.stopped_epoch < 399
    assert history.stopped_epoch == es.stopped_epoch
    assert len(history) == es.stopped_epoch + 1
    # stopped exactly patience epochs after the best, which is the minimum seen
    assert es.stopped_epoch - es.best_epoch == 10
    assert es.best_epoch == int(np.argmin(val))
    # the restored model has the best epoch's validation loss, not the last one
    restored_val, _ = dl.evaluate(model, X_val, y_val)
    assert restored_val == pytest.approx(val[es.best_epoch])
    assert restored_val < val[-1]


def test_fit_without_validation_data_and_val_loss_monitor_errors_clearly():
    model, X, y, _, _ = _overfitting_setup()
    with pytest.raises(ValueError, match="validation_data"):
        dl.fit(model, X, y, epochs=2, callbacks=[dl.EarlyStopping()],
               rng=np.random.default_rng(0))


def test_fit_reuses_the_instance():
    es = dl.EarlyStopping(monitor="loss", patience=0, min_delta=1.0)
    for _ in range(2):
        model, X, y, _, _ = _overfitting_setup()
        dl.fit(model, X, y, lr=0.1, epochs=20, callbacks=[es], rng=np.random.default_rng(0))
        # no epoch improves the training loss by 1.0: stop at epoch 1, best epoch 0
        assert (es.stopped_epoch, es.best_epoch) == (1, 0)
