"""Transfer learning: the shipped weights, loading and its errors, strategies, the script."""

import numpy as np
import pytest

import dlkit as dl
from dlkit import pretrain, transfer
from dlkit.transfer import (
    PRETRAINED_PATH,
    load_pretrained,
    make_target,
    pretrained_info,
    run_transfer,
    save_pretrained,
    transfer_model,
)


def test_shipped_file_is_small_and_made_by_the_script_defaults():
    assert PRETRAINED_PATH.is_file()
    assert PRETRAINED_PATH.stat().st_size < 600_000
    info = pretrained_info()
    assert info["sizes"] == [784, 128, 64, 10]
    assert info["classes"] == list(dl.datasets.SHAPES)
    assert info["config"] == pretrain.config_dict(pretrain.PretrainConfig())
    assert info["metrics"]["val_accuracy"] > 0.9


def test_pretrained_network_recognises_fresh_source_shapes():
    model = load_pretrained()
    assert [p.dtype for p in model.parameters()] == [np.float64] * 6
    cfg = pretrain.PretrainConfig()
    X, y = dl.datasets.make_shapes(300, size=28, rng=np.random.default_rng(99),
                                   rotate=cfg.rotate, jitter=cfg.jitter)
    _, acc = dl.evaluate(model, X.reshape(300, -1), y, loss="softmax_cross_entropy")
    assert acc > 0.85


def test_save_load_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    model = transfer.mlp([12, 5, 3], rng=rng)
    path = save_pretrained(model, tmp_path / "w.npz", classes=["a", "b", "c"],
                           config={"seed": 1}, metrics={"val_accuracy": 0.5})
    loaded = load_pretrained(path, sizes=(12, 5, 3))
    for (name, a), (_, b) in zip(model.named_parameters(), loaded.named_parameters()):
        np.testing.assert_allclose(a.value, b.value, rtol=1e-6, err_msg=name)  # stored float32
    info = pretrained_info(path)
    assert info["classes"] == ["a", "b", "c"] and info["config"] == {"seed": 1}
    x = rng.standard_normal((4, 12))
    np.testing.assert_allclose(model.forward(x), loaded.forward(x), rtol=1e-5, atol=1e-6)
    # loading into an existing model of the right architecture
    target = transfer.mlp([12, 5, 3], rng=np.random.default_rng(1), dtype=np.float32)
    assert load_pretrained(path, model=target) is target
    assert target.parameters()[0].dtype == np.float32


def test_shape_mismatch_errors_name_the_parameter_and_both_shapes(tmp_path):
    with pytest.raises(ValueError, match=r"sizes=\(784, 100, 64, 10\) does not match .* "
                                         r"\(784, 128, 64, 10\)"):
        load_pretrained(sizes=(784, 100, 64, 10))
    wrong = transfer.mlp([784, 100, 64, 10], rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"'0.W' .* shape \(784, 128\) .* shape \(784, 100\)"):
        load_pretrained(model=wrong)
    # a file whose weights disagree with its own sizes
    model = transfer.mlp([6, 4, 2], rng=np.random.default_rng(0))
    path = save_pretrained(model, tmp_path / "w.npz", classes="ab", config={}, metrics={})
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["2.W"] = np.zeros((5, 2), dtype=np.float32)
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match=r"'2.W' .* shape \(5, 2\) .* shape \(4, 2\)"):
        load_pretrained(tmp_path / "bad.npz")
    with pytest.raises(FileNotFoundError, match="python -m dlkit.pretrain"):
        load_pretrained(tmp_path / "missing.npz")


def test_strategies_freeze_the_right_layers():
    rng = np.random.default_rng(0)
    pre = load_pretrained()
    trainable = {}
    for s in transfer.STRATEGIES:
        m = transfer_model(s, num_classes=4, rng=rng)
        assert m[-1].out_features == 4
        trainable[s] = [all(p.trainable for p in layer.parameters())
                        for layer in m if layer.parameters()]
        if s != "scratch":  # the body starts from the pretrained weights
            for a, b in zip(pre.parameters()[:4], m.parameters()[:4]):
                assert np.array_equal(a.value, b.value)
    assert trainable == {"scratch": [True, True, True], "freeze_all": [False, False, True],
                         "freeze_most": [False, True, True], "fine_tune": [True, True, True]}
    with pytest.raises(ValueError, match="strategy must be one of"):
        transfer_model("freeze_some", 4, rng=rng)


def test_cached_features_train_exactly_like_the_frozen_full_model():
    X, y = make_target(60, rng=np.random.default_rng(1), dtype=np.float64)
    result = run_transfer("freeze_most", X, y, X, y, rng=np.random.default_rng(2), budget=300)
    # the same thing the slow way: fit the whole model, frozen layers included
    rng = np.random.default_rng(2)
    model = transfer_model("freeze_most", 10, rng=rng)
    opt = dl.optimizers.Adam(model.parameters(), lr=transfer.DEFAULT_LR["freeze_most"])
    dl.fit(model, X, y, loss="softmax_cross_entropy", optimizer=opt, epochs=result["epochs"],
           batch_size=32, rng=rng)
    for a, b in zip(result["model"].parameters(), model.parameters()):
        np.testing.assert_allclose(a.value, b.value, rtol=1e-9, atol=1e-12)


def test_small_target_data_freezing_beats_training_from_scratch():
    rng = np.random.default_rng(3)
    X_test, y_test = make_target(400, rng)
    X, y = make_target(50, rng)  # 5 examples per class
    acc = {s: run_transfer(s, X, y, X_test, y_test, rng=np.random.default_rng(4),
                           budget=10_000)["accuracy"] for s in ("scratch", "freeze_all")}
    assert acc["freeze_all"] > acc["scratch"] + 0.1, acc


def test_target_task_images():
    X, y = make_target(20, rng=np.random.default_rng(0))
    assert X.shape == (20, 784) and X.dtype == np.float32 and y.shape == (20,)
    img = X.reshape(20, 28, 28)
    assert not img[:, :4].any() and not img[:, -4:].any()  # drawn at 20 px, padded by 4


def test_pretrain_script_runs_on_a_tiny_config_and_is_reproducible(tmp_path, capsys):
    out1, out2 = tmp_path / "a.npz", tmp_path / "b.npz"
    assert pretrain.main(["--tiny", "--quiet", "--out", str(out1)]) == 0
    assert pretrain.main(["--tiny", "--quiet", "--out", str(out2)]) == 0
    assert "val_accuracy=" in capsys.readouterr().out
    with np.load(out1) as a, np.load(out2) as b, np.load(PRETRAINED_PATH) as shipped:
        assert sorted(a.files) == sorted(shipped.files)  # the shipped file's format
        for k in a.files:
            assert np.array_equal(a[k], b[k]), k
    info = pretrained_info(out1)
    assert info["config"] == pretrain.config_dict(pretrain.TINY)
    model = load_pretrained(out1, sizes=pretrain.TINY.sizes)
    assert len(model) == 5


def test_pretrain_config_is_validated():
    with pytest.raises(ValueError, match="epochs"):
        pretrain.PretrainConfig(epochs=0)
    with pytest.raises(ValueError, match="lr"):
        pretrain.PretrainConfig(lr=-1.0)
