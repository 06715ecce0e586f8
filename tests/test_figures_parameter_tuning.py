"""Chapter 03's experiment helpers: seed summaries, divergence counts, per-seed winners,
and the float64 runs behind the printed tables."""

import numpy as np
import pytest

from dlkit.figures import parameter_tuning as fig03


def run(val, diverged=False, loss=0.5):
    return {"val_accuracy": val, "train_accuracy": val, "train_loss": loss,
            "diverged": diverged}


def test_mean_std_formats_the_mean_and_the_population_std():
    assert fig03.mean_std([0.9, 0.92, 0.94]) == "92.0% ± 1.6%"      # std sqrt(8e-4 / 3)
    assert fig03.mean_std([0.1, 0.3], percent=False) == "0.200 ± 0.100"


def test_seed_summary_counts_divergence_instead_of_averaging():
    assert fig03.seed_summary([run(0.9), run(0.94)]) == "92.0% ± 2.0%"
    assert fig03.seed_summary([run(0.9), run(0.3, diverged=True), run(0.2, diverged=True)]) \
        == "diverged in 2 of 3"
    assert fig03.seed_summary([run(0.9, loss=0.1), run(0.9, loss=0.3)], "train_loss") \
        == "0.200 ± 0.100"


def test_working_lrs_need_every_seed_to_train_and_the_mean_to_reach_the_target():
    lrs = (0.01, 0.1, 1.0, 3.0)
    runs = [[run(0.89), run(0.92)],                    # mean 0.905: works
            [run(0.95), run(0.97)],                    # works
            [run(0.99), run(0.99, diverged=True)],     # one seed diverged: does not
            [run(0.5), run(0.6)]]                      # too low
    assert fig03.working_lrs(runs, lrs, target=0.9) == [0.01, 0.1]
    assert fig03.working_lrs(runs, lrs, target=0.95) == [0.1]


def test_best_counts_count_ties_for_each_tied_strategy():
    accs = {(10, "a"): np.array([0.8, 0.7, 0.6]), (10, "b"): np.array([0.8, 0.9, 0.5]),
            (10, "c"): np.array([0.1, 0.2, 0.6])}
    # seed 0: a and b tie; seed 1: b; seed 2: a and c tie
    assert fig03.best_counts(accs, 10, ["a", "b", "c"]) == {"a": 2, "b": 2, "c": 1}


def test_shapes_run_trains_in_float64_and_flags_a_first_epoch_blow_up():
    calm = fig03.shapes_run("adam", 1e-3, seed=0, epochs=1, n=64)
    wild = fig03.shapes_run("sgd", 30.0, seed=0, epochs=1, n=64)
    assert calm["history"]["loss"][0] < fig03.DIVERGED_LOSS and not calm["diverged"]
    assert wild["diverged"] and wild["history"]["loss"][0] > fig03.DIVERGED_LOSS
    assert np.isnan(wild["val_accuracy"]) and np.isnan(wild["train_loss"])
    assert 0.0 <= calm["train_accuracy"] <= 1.0 and np.isfinite(calm["train_loss"])
    # a diverged run is stopped after its first epoch, a calm one trains on
    assert len(fig03.shapes_run("sgd", 30.0, seed=0, epochs=3, n=64)["history"]) == 1
    assert len(fig03.shapes_run("adam", 1e-3, seed=0, epochs=2, n=64)["history"]) == 2
    X, _, X_val, _ = fig03._shapes_task(64, 230)
    assert X.dtype == X_val.dtype == np.float64 and X.shape == (64, 784)


def test_same_seed_same_initial_weights_and_batches_for_every_optimizer():
    # SGD with a tiny lr barely moves: its first-epoch loss is the loss at the shared start
    a = fig03.shapes_run("sgd", 1e-9, seed=3, epochs=1, n=64)["history"]["loss"][0]
    b = fig03.shapes_run("adagrad", 1e-9, seed=3, epochs=1, n=64)["history"]["loss"][0]
    c = fig03.shapes_run("sgd", 1e-9, seed=4, epochs=1, n=64)["history"]["loss"][0]
    assert a == pytest.approx(b, rel=1e-6) and a != pytest.approx(c, rel=1e-3)


def test_transfer_data_and_models_are_float64():
    X, y, X_test, y_test = fig03.target_data(pool=20, n_test=10)
    assert X.dtype == X_test.dtype == np.float64 and X.shape == (20, 784)
    result = fig03.transfer_result(10, "freeze_all", seed=0, pool=20, n_test=10, budget=50)
    assert all(p.dtype == np.float64 for p in result["model"].parameters())
    accs = fig03.transfer_accuracies(sizes=(10,), strategies=("freeze_all",), seeds=(0, 1),
                                     pool=20, n_test=10, budget=50)
    assert accs[(10, "freeze_all")].shape == (2,)
    assert accs[(10, "freeze_all")][0] == result["accuracy"]
