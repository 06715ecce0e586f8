"""SGD, mini-batches, fit, callbacks, History."""

import numpy as np
import pytest

import dlkit as dl


def moons_model(seed=0, hidden=16):
    rng = np.random.default_rng(seed)
    return dl.Sequential(dl.Dense(2, hidden, init="he", rng=rng), dl.ReLU(),
                         dl.Dense(hidden, hidden, init="he", rng=rng), dl.ReLU(),
                         dl.Dense(hidden, 1, rng=rng))


def test_sgd_step_by_hand():
    p = dl.Parameter(np.array([1.0, -2.0]))
    p.grad[...] = [0.5, -1.0]
    dl.SGD([p], lr=0.1).step()
    # w - lr * g = [1 - 0.05, -2 + 0.1]
    np.testing.assert_allclose(p.value, [0.95, -1.9])


def test_sgd_skips_frozen_parameters():
    p = dl.Parameter(np.ones(2), trainable=False)
    p.grad[...] = 1.0
    dl.SGD([p], lr=0.1).step()
    np.testing.assert_array_equal(p.value, np.ones(2))


def test_minibatches_cover_every_example_once_with_partial_last_batch():
    batches = list(dl.batch_indices(10, 4, rng=np.random.default_rng(0)))
    assert [len(b) for b in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(10))
    assert [len(b) for b in dl.batch_indices(10, 4, shuffle=False, drop_last=True)] == [4, 4]
    assert dl.num_batches(10, 4) == 3 and dl.num_batches(10, 4, drop_last=True) == 2


def test_same_rng_same_batches():
    a = list(dl.batch_indices(20, 6, rng=np.random.default_rng(3)))
    b = list(dl.batch_indices(20, 6, rng=np.random.default_rng(3)))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))


def test_iterate_minibatches_pairs_rows():
    X = np.arange(10).reshape(5, 2)
    y = np.arange(5)
    for xb, yb in dl.iterate_minibatches(X, y, 2, rng=np.random.default_rng(0)):
        np.testing.assert_array_equal(xb[:, 0] // 2, yb)


def test_fit_reaches_95_percent_on_moons():
    rng = np.random.default_rng(230)
    X, y = dl.datasets.make_moons(400, noise=0.1, rng=rng)
    history = dl.fit(moons_model(), X, y, lr=0.3, epochs=150, batch_size=32, rng=rng)
    assert history["accuracy"][-1] >= 0.95
    assert history["loss"][-1] < history["loss"][0]


def test_same_rng_gives_identical_history():
    X, y = dl.datasets.make_moons(200, noise=0.2, rng=np.random.default_rng(1))
    runs = [dl.fit(moons_model(5), X, y, lr=0.2, epochs=5, batch_size=16,
                   validation_data=(X, y), rng=np.random.default_rng(9)) for _ in range(2)]
    assert runs[0].history == runs[1].history
    assert runs[0].batch_loss == runs[1].batch_loss


def test_fit_equals_the_hand_written_three_step_loop():
    X, y = dl.datasets.make_moons(50, noise=0.2, rng=np.random.default_rng(1))
    a, b = moons_model(2), moons_model(2)
    dl.fit(a, X, y, lr=0.1, epochs=3, batch_size=8, rng=np.random.default_rng(4))
    rng = np.random.default_rng(4)
    opt = dl.SGD(b.parameters(), lr=0.1)
    for _ in range(3):
        for idx in dl.batch_indices(len(X), 8, rng=rng):
            _, dz = dl.binary_cross_entropy(b.forward(X[idx]), y[idx])
            opt.zero_grad()
            b.backward(dz)
            opt.step()
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_allclose(p.value, q.value)


def test_history_logs_and_iteration_counts():
    X, y = dl.datasets.make_moons(100, rng=np.random.default_rng(0))
    h = dl.fit(moons_model(), X, y, epochs=3, batch_size=32, validation_data=(X[:20], y[:20]),
               rng=np.random.default_rng(0))
    assert h.epoch == [0, 1, 2]
    assert len(h.batch_loss) == 3 * 4  # ceil(100 / 32) = 4 iterations per epoch
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    assert h.params["steps_per_epoch"] == 4


def test_callback_hooks_are_called_in_order():
    calls = []

    class Recorder(dl.Callback):
        def on_train_begin(self, logs=None):
            calls.append("train_begin")

        def on_epoch_begin(self, epoch, logs=None):
            calls.append(f"epoch_begin {epoch}")

        def on_batch_end(self, batch, logs=None):
            calls.append(f"batch {batch}")

        def on_epoch_end(self, epoch, logs=None):
            calls.append(f"epoch_end {epoch} {sorted(logs)}")

        def on_train_end(self, logs=None):
            calls.append("train_end")

    X, y = dl.datasets.make_moons(10, rng=np.random.default_rng(0))
    rec = Recorder()
    dl.fit(moons_model(), X, y, epochs=2, batch_size=5, callbacks=[rec],
           rng=np.random.default_rng(0))
    assert calls == ["train_begin", "epoch_begin 0", "batch 0", "batch 1",
                     "epoch_end 0 ['accuracy', 'loss', 'lr']", "epoch_begin 1", "batch 0",
                     "batch 1", "epoch_end 1 ['accuracy', 'loss', 'lr']", "train_end"]
    assert rec.model is not None and rec.optimizer is not None


def test_a_callback_can_stop_training():
    stop = dl.LambdaCallback(on_epoch_end=lambda epoch, logs: setattr(stopper.model,
                                                                       "stop_training", epoch >= 1))
    stopper = stop
    X, y = dl.datasets.make_moons(20, rng=np.random.default_rng(0))
    h = dl.fit(moons_model(), X, y, epochs=10, callbacks=[stop], rng=np.random.default_rng(0))
    assert len(h) == 2 and h.stopped_epoch == 1


def test_lr_schedule_sets_the_learning_rate_each_epoch():
    X, y = dl.datasets.make_moons(20, rng=np.random.default_rng(0))
    h = dl.fit(moons_model(), X, y, epochs=3, lr_schedule=lambda e: 0.1 / (1 + e),
               rng=np.random.default_rng(0))
    np.testing.assert_allclose(h["lr"], [0.1, 0.05, 0.1 / 3])


def test_divergence_stops_with_a_clear_message():
    rng = np.random.default_rng(0)
    X = 10 * rng.standard_normal((64, 2))
    y = rng.standard_normal(64)
    model = dl.Sequential(dl.Dense(2, 1, rng=rng))
    with pytest.raises(dl.TrainingDiverged, match="diverged.*lr=5") as info:
        dl.fit(model, X, y, loss="mse", lr=5.0, epochs=100, batch_size=16, rng=rng)
    assert all(np.isfinite(v) for v in info.value.history.history.get("loss", []))


@pytest.mark.parametrize("loss", ["softmax_cross_entropy", "binary_cross_entropy", "mse"])
def test_logits_that_overflow_stop_training_as_divergence_not_a_bad_input(loss):
    """fit checks the model's output before the (checked) loss sees it: exploding logits are
    a diverged run (TrainingDiverged), not a ValueError about the logits."""
    rng = np.random.default_rng(0)
    X, y = dl.datasets.make_moons(64, rng=rng)
    model = dl.Sequential(dl.Dense(2, 8, rng=rng), dl.ReLU(),
                          dl.Dense(8, 2 if loss == "softmax_cross_entropy" else 1, rng=rng))
    model.layers[0].W.value[:] = 1e200
    with pytest.raises(dl.TrainingDiverged, match=r"diverged: (the model.s output became NaN or "
                                                  r"infinite|the loss became inf) at epoch 0"):
        dl.fit(model, X, y, loss=loss, lr=0.1, epochs=2, rng=rng)


def test_augment_is_applied_to_each_training_batch_only():
    seen = []

    def augment(X_b, rng):
        seen.append(len(X_b))
        return X_b + rng.normal(0, 0.01, X_b.shape)

    X, y = dl.datasets.make_moons(30, rng=np.random.default_rng(0))
    X_copy = X.copy()
    dl.fit(moons_model(), X, y, epochs=2, batch_size=10, augment=augment,
           validation_data=(X, y), rng=np.random.default_rng(0))
    assert seen == [10, 10, 10] * 2
    np.testing.assert_array_equal(X, X_copy)


def test_penalty_gradient_is_added_to_weights_not_biases():
    class Half:
        """penalty 0.5 * sum(w^2): gradient w."""

        def penalty(self, w):
            return 0.5 * float(np.sum(w * w))

        def grad(self, w):
            return w

    rng = np.random.default_rng(0)
    model = dl.Sequential(dl.Dense(2, 1, rng=rng))
    X = np.zeros((4, 2))  # zero inputs: the data gradient of W is 0
    y = np.array([0, 1, 0, 1])
    W0 = model[0].W.value.copy()
    h = dl.fit(model, X, y, lr=0.1, epochs=1, batch_size=4, penalty=Half(), rng=rng)
    np.testing.assert_allclose(model[0].W.value, 0.9 * W0)  # w - lr * w
    assert h["penalty"][0] == pytest.approx(0.5 * np.sum((0.9 * W0) ** 2))


def test_evaluate_restores_training_mode():
    model = moons_model()
    X, y = dl.datasets.make_moons(20, rng=np.random.default_rng(0))
    loss, acc = dl.evaluate(model, X, y)
    assert model.training and 0 <= acc <= 1 and loss > 0
