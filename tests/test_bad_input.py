"""Bad input fails early with ValueError/TypeError naming the argument and the value."""

import numpy as np
import pytest

import dlkit as dl

RNG = np.random.default_rng(0)
X, Y = dl.datasets.make_moons(20, rng=np.random.default_rng(1))


def model():
    rng = np.random.default_rng(2)
    return dl.Sequential(dl.Dense(2, 4, rng=rng), dl.ReLU(), dl.Dense(4, 1, rng=rng))


CASES = [
    # (description, callable, exception, pattern the message must match)
    ("lr <= 0", lambda: dl.fit(model(), X, Y, lr=0.0), ValueError, r"lr must be > 0.0, got 0.0"),
    ("negative lr", lambda: dl.SGD(model().parameters(), lr=-1), ValueError, r"lr .* -1"),
    ("lr not a number", lambda: dl.SGD(model().parameters(), lr="fast"), TypeError, r"lr .*'fast'"),
    ("batch_size 0", lambda: dl.fit(model(), X, Y, batch_size=0), ValueError, r"batch_size .* 0"),
    ("batch_size float", lambda: dl.fit(model(), X, Y, batch_size=8.0), TypeError,
     r"batch_size must be an integer, got 8.0"),
    ("epochs < 1", lambda: dl.fit(model(), X, Y, epochs=0), ValueError, r"epochs .* 0"),
    ("NaN in X", lambda: dl.fit(model(), np.where(np.arange(40).reshape(20, 2) == 7, np.nan, X), Y),
     ValueError, r"X contains NaN or inf \(first at index \(3, 1\)"),
    ("inf in X", lambda: dl.fit(model(), X * np.inf, Y), ValueError, r"X contains NaN or inf"),
    ("labels out of range (binary)", lambda: dl.fit(model(), X, Y + 1), ValueError,
     r"y must hold binary labels 0 or 1, got 2"),
    ("class labels out of range", lambda: dl.softmax_cross_entropy(np.zeros((2, 3)), [0, 3]),
     ValueError, r"y must hold class indices in \[0, 2\] for 3 classes, got 3"),
    ("y length mismatch", lambda: dl.fit(model(), X, Y[:-1]), ValueError,
     r"y must have one entry per row of X \(20\), got shape \(19,\)"),
    ("wrong feature count", lambda: dl.fit(model(), np.c_[X, X], Y), ValueError,
     r"X has rows of shape \(4,\) but the model's first layer Dense\(2 -> 4\) expects 2"),
    ("wrong width in forward", lambda: dl.Dense(2, 4).forward(np.zeros((5, 3))), ValueError,
     r"Dense\(2 -> 4\): x must have shape \(N, 2\), got \(5, 3\)"),
    ("dimension mismatch between layers",
     lambda: dl.Sequential(dl.Dense(2, 8), dl.ReLU(), dl.Dense(4, 1)), ValueError,
     r"layers\[2\] Dense\(4 -> 1\) expects 4 input features but layers\[0\] produces 8"),
    ("not a layer", lambda: dl.Sequential(dl.Dense(2, 2), "relu"), TypeError,
     r"layers\[1\] must be a dlkit Layer"),
    ("X of rank 1", lambda: dl.fit(model(), X[:, 0], Y), ValueError, r"X must have shape"),
    ("X strings", lambda: dl.fit(model(), np.array([["a", "b"]] * 20), Y), TypeError,
     r"X must be an array of numbers"),
    ("unknown loss", lambda: dl.fit(model(), X, Y, loss="hinge"), ValueError,
     r"loss must be .* got 'hinge'"),
    ("lr with optimizer", lambda: dl.fit(model(), X, Y, lr=0.1,
                                         optimizer=dl.SGD(model().parameters(), lr=0.1)),
     ValueError, r"lr=0.1 given together with optimizer"),
    ("rng not a Generator", lambda: dl.datasets.make_moons(10, rng=42), TypeError,
     r"rng must be a numpy.random.Generator"),
    ("negative noise", lambda: dl.datasets.make_moons(10, noise=-0.1), ValueError,
     r"noise must be >= 0.0, got -0.1"),
    ("unknown initializer", lambda: dl.Dense(2, 2, init="glorious"), ValueError,
     r"init must be .* got 'glorious'"),
    ("in_features 0", lambda: dl.Dense(0, 2), ValueError, r"in_features must be >= 1, got 0"),
    ("float16 dtype", lambda: dl.Dense(2, 2, dtype=np.float16), ValueError,
     r"dtype must be float32 or float64, got float16"),
    ("empty optimizer", lambda: dl.SGD([], lr=0.1), ValueError, r"parameters is empty"),
    ("optimizer on arrays", lambda: dl.SGD([np.zeros(2)], lr=0.1), TypeError,
     r"parameters\[0\] must be a dlkit Parameter"),
    ("validation shape", lambda: dl.fit(model(), X, Y, validation_data=(X[:, :1], Y)), ValueError,
     r"X_val rows have shape \(1,\) but X rows have \(2,\)"),
    ("validation not a pair", lambda: dl.fit(model(), X, Y, validation_data=X), ValueError,
     r"validation_data must be a pair"),
    ("mse shape", lambda: dl.mse(np.zeros((3, 2)), np.zeros((2, 3, 1))), ValueError,
     r"target has shape \(2, 3, 1\) but pred has shape \(3, 2\)"),
    ("bce on 2-column logits", lambda: dl.binary_cross_entropy(np.zeros((3, 2)), [0, 1, 0]),
     ValueError, r"logits must have shape \(N,\) or \(N, 1\)"),
    ("gradcheck h <= 0", lambda: dl.gradcheck.numerical_gradient(lambda x: 0.0, np.zeros(2), h=0),
     ValueError, r"h must be > 0.0, got 0.0"),
    ("gradcheck non-scalar",
     lambda: dl.gradcheck.numerical_gradient(lambda x: x * 2, np.zeros(2)), ValueError,
     r"f must return a scalar, got shape \(2,\)"),
    ("gradcheck float32", lambda: dl.gradcheck.check_layer(
        dl.Dense(2, 2, dtype=np.float32), np.zeros((1, 2))), ValueError, r"need float64"),
    ("freeze k too large", lambda: model().freeze(9), ValueError, r"k must be <= 3, got 9"),
    ("load_state_dict shape", lambda: model().load_state_dict(
        {**model().state_dict(), "0.W": np.zeros((3, 4))}), ValueError,
     r"state\['0.W'\] has shape \(3, 4\) but the model's parameter has shape \(2, 4\)"),
    ("callback type", lambda: dl.fit(model(), X, Y, callbacks=[print]), TypeError,
     r"callbacks\[0\] must be a dlkit Callback"),
    ("split fraction", lambda: dl.datasets.train_val_split(X, Y, val_fraction=1.5), ValueError,
     r"val_fraction must be < 1.0, got 1.5"),
]


@pytest.mark.parametrize("what, call, exc, pattern", CASES, ids=[c[0] for c in CASES])
def test_bad_input_raises_a_clear_error(what, call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


def test_there_are_at_least_15_cases():
    assert len(CASES) >= 15
