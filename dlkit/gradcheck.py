"""Gradient checking: compare backward passes with finite differences.

The sheet's numerical gradient, the central difference

    df/dx (x)  ~  (f(x + h) - f(x - h)) / (2h),

has error O(h^2) from truncation and O(eps_machine |f| / h) from round-off,
so h ~ 1e-5 in float64 balances the two (float32 is far too coarse: use
float64). For every array we report the relative error

    ||g_num - g_ana||_2 / max(||g_num||_2, ||g_ana||_2)

(the norm form is robust where single entries are ~0; the element-wise form
is used to point at the worst entry). In float64 a correct layer gives about
1e-7 or less; above 1e-3 is almost surely a bug. Random layers (dropout) are
checked with their random draws held fixed: the state of every ``rng``
attribute is restored before each forward pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._validate import check_float
from .layer import Layer
from .parameter import Parameter

TOLERANCE = 1e-7      # relative error of a correct layer in float64
BUG_THRESHOLD = 1e-3  # above this, almost surely a bug


def _scalar(value, what: str = "f") -> float:
    arr = np.asarray(value)
    if arr.shape not in ((), (1,)) or not np.issubdtype(arr.dtype, np.number):
        raise ValueError(f"{what} must return a scalar, got shape {arr.shape} ({arr.dtype})")
    return float(arr.reshape(()))


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray,
                       h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of the scalar function f at x (any shape).

    x is perturbed in place, one entry at a time, and restored; f(x) is
    evaluated 2 * x.size times. x must be a float64 array for a useful check.
    """
    h = check_float(h, "h", low=0.0, low_open=True)
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"x must be a float ndarray (perturbed in place), got {type(x).__name__}")
    grad = np.zeros_like(x, dtype=np.float64)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("x must be contiguous so that it can be perturbed in place")
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        f_plus = _scalar(f(x))
        flat[i] = old - h
        f_minus = _scalar(f(x))
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a, b, tiny: float = 1e-300) -> float:
    """||a - b||_2 / max(||a||_2, ||b||_2): 0 when equal, ~1 when unrelated."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    denom = max(np.linalg.norm(a), np.linalg.norm(b), tiny)
    return float(np.linalg.norm(a - b) / denom)


def elementwise_relative_error(a, b, tiny: float = 1e-8) -> np.ndarray:
    """|a - b| / max(|a|, |b|, tiny), entry by entry (FORMULAS.md's form)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), tiny)


@dataclass
class GradCheckResult:
    """Per-array relative errors of one check; ``worst`` names the largest."""

    errors: dict[str, float] = field(default_factory=dict)
    numerical: dict[str, np.ndarray] = field(default_factory=dict)
    analytical: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def worst(self) -> str:
        return max(self.errors, key=self.errors.get)

    @property
    def max_error(self) -> float:
        return max(self.errors.values())

    def ok(self, tol: float = TOLERANCE) -> bool:
        return self.max_error < tol

    def worst_entry(self, name: str | None = None) -> tuple[tuple[int, ...], float, float]:
        """(index, numerical, analytical) of the most wrong entry of array ``name``."""
        name = self.worst if name is None else name
        num, ana = self.numerical[name], self.analytical[name]
        idx = np.unravel_index(np.argmax(elementwise_relative_error(num, ana)), num.shape)
        return tuple(int(i) for i in idx), float(num[idx]), float(ana[idx])

    def report(self) -> str:
        lines = [f"{'array':<12} {'relative error':>15}"]
        for name, err in self.errors.items():
            flag = "  <-- bug?" if err > BUG_THRESHOLD else ""
            lines.append(f"{name:<12} {err:>15.2e}{flag}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"GradCheckResult(max_error={self.max_error:.2e}, worst={self.worst!r})"


def assert_gradients_ok(result: GradCheckResult, tol: float = TOLERANCE) -> None:
    """Raise AssertionError naming the worst array and entry when an error exceeds tol."""
    if not result.ok(tol):
        idx, num, ana = result.worst_entry()
        raise AssertionError(
            f"gradient check failed: {result.worst} has relative error "
            f"{result.max_error:.2e} > {tol:.0e}; worst entry {idx}: numerical {num:.6g}, "
            f"analytical {ana:.6g}\n{result.report()}"
        )


# -- holding random layers fixed ------------------------------------------------
def _sublayers(layer: Layer) -> list[Layer]:
    out = [layer]
    for child in getattr(layer, "layers", []):
        out.extend(_sublayers(child))
    return out


def _rng_freezer(layer: Layer) -> Callable[[], None]:
    """Snapshot every ``rng`` Generator inside ``layer``; return a function restoring them."""
    saved = [(lay.rng, lay.rng.bit_generator.state) for lay in _sublayers(layer)
             if isinstance(getattr(lay, "rng", None), np.random.Generator)]

    def restore() -> None:
        for rng, state in saved:
            rng.bit_generator.state = state

    return restore


def _require_float64(arrays: dict[str, np.ndarray]) -> None:
    for name, arr in arrays.items():
        if arr.dtype != np.float64:
            raise ValueError(
                f"gradient checks need float64 ({name} is {arr.dtype}): in float32 the "
                "round-off of the finite difference swamps the error you are looking for"
            )


def _check(loss_of_inputs: Callable[[], float], backward: Callable[[], dict[str, np.ndarray]],
           arrays: dict[str, np.ndarray], h: float) -> GradCheckResult:
    """Numerical vs analytical gradient for each named array (all perturbed in place)."""
    _require_float64(arrays)
    analytical = backward()
    result = GradCheckResult()
    for name, arr in arrays.items():
        num = numerical_gradient(lambda _: loss_of_inputs(), arr, h)
        result.numerical[name] = num
        result.analytical[name] = np.asarray(analytical[name], dtype=np.float64)
        result.errors[name] = relative_error(num, analytical[name])
    return result


def check_layer(layer: Layer, x: np.ndarray, rng=None, h: float = 1e-5,
                check_input: bool = True) -> GradCheckResult:
    """Check ``layer.backward`` for its input and every parameter.

    Uses the scalar L = sum(forward(x) * R) with a fixed random R, so that
    dL/dy = R exercises every output. x: any shape the layer accepts (float64).
    """
    x = np.array(x, dtype=np.float64, copy=True)
    rng = np.random.default_rng(0) if rng is None else rng
    restore = _rng_freezer(layer)
    restore()
    y = layer.forward(x)
    R = rng.standard_normal(y.shape)

    def loss() -> float:
        restore()
        return float(np.sum(layer.forward(x) * R))

    params = {f"{p.name}" if p.name not in ("param",) else f"p{i}": p
              for i, p in enumerate(layer.parameters())}

    def backward() -> dict[str, np.ndarray]:
        for p in params.values():
            p.grad.fill(0.0)
        restore()
        layer.forward(x)
        dx = layer.backward(R.copy())
        out = {name: p.grad.copy() for name, p in params.items()}
        out["x"] = dx
        return out

    arrays = {name: p.value for name, p in params.items()}
    if check_input:
        arrays = {"x": x, **arrays}
    return _check(loss, backward, arrays, h)


def check_loss(loss_fn: Callable, logits, y, h: float = 1e-5) -> GradCheckResult:
    """Check that loss_fn(logits, y) -> (value, dlogits) returns dlogits = dL/dlogits."""
    z = np.array(logits, dtype=np.float64, copy=True)

    def backward():
        return {"logits": loss_fn(z, y)[1]}

    return _check(lambda: loss_fn(z, y)[0], backward, {"logits": z}, h)


def check_model(model: Layer, loss_fn: Callable, X, y, h: float = 1e-5,
                check_input: bool = False) -> GradCheckResult:
    """Check every parameter of a model (e.g. a Sequential) through a loss.

    Names are the model's parameter names ("0.W", "0.b", ...) when it has
    ``named_parameters``. Every entry is checked (a full sweep): keep models small.
    """
    X = np.array(X, dtype=np.float64, copy=True)
    named = (model.named_parameters() if hasattr(model, "named_parameters")
             else [(f"{i}.{p.name}", p) for i, p in enumerate(model.parameters())])
    params: dict[str, Parameter] = dict(named)
    restore = _rng_freezer(model)

    def loss() -> float:
        restore()
        return loss_fn(model.forward(X), y)[0]

    def backward():
        for p in params.values():
            p.grad.fill(0.0)
        restore()
        _, dz = loss_fn(model.forward(X), y)
        dx = model.backward(dz)
        out = {name: p.grad.copy() for name, p in params.items()}
        out["x"] = dx
        return out

    arrays = {name: p.value for name, p in params.items()}
    if check_input:
        arrays = {"x": X, **arrays}
    return _check(loss, backward, arrays, h)
