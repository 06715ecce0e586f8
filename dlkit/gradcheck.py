"""Gradient checking: compare backward passes with finite differences.

The sheet's numerical gradient, the central difference

    df/dx (x)  ~  (f(x + h) - f(x - h)) / (2h),

has error O(h^2) from truncation and O(eps_machine |f| / h) from round-off,
so h ~ eps^(1/3) ~ 1e-5 in float64 balances the two (the forward difference
(f(x + h) - f(x)) / h is only O(h) accurate). float32 is far too coarse: its
best central difference is about 1e-5 accurate, so checks require float64.
For every array we report the relative error

    ||g_num - g_ana||_2 / max(||g_num||_2, ||g_ana||_2)

(the norm form is robust where single entries are ~0; the element-wise form
is used to point at the worst entry). In float64 a correct layer gives about
1e-7 or less; above 1e-3 is almost surely a bug. Random layers (dropout) are
checked with their random draws held fixed: the state of every ``rng``
attribute is restored before each forward pass.

Three ways to spend the 2 evaluations of f per finite difference
(``mode``):

    "full"        every entry of every array (2 n evaluations for n entries)
    "coords"      k random entries per array (2 k evaluations per array)
    "directions"  k random unit directions u per array: the directional
                  derivative (f(x + h u) - f(x - h u)) / (2h) against the
                  analytical g . u (2 k evaluations per array; every entry
                  takes part)
    "auto"        "full" up to FULL_SWEEP_LIMIT entries in all, else "directions"

The two sampled modes estimate the full sweep's error with the same norm
form on the k sampled values, its denominator never below sqrt(k / n)
||g_ana||_2, the expected norm of k sampled values (a random unit direction
u gives E[(g . u)^2] = ||g||^2 / n): sampled entries whose true gradient
happens to be ~0 cannot turn round-off into a false alarm.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._validate import check_float, check_int
from .layer import Layer
from .parameter import Parameter

TOLERANCE = 1e-7      # relative error of a correct layer in float64
BUG_THRESHOLD = 1e-3  # above this, almost surely a bug
FULL_SWEEP_LIMIT = 5000  # "auto" sweeps every entry up to this many entries in all
DEFAULT_K = 10        # sampled entries or directions per array
TIE = 1e-6            # entry errors this close (relatively) to the largest are tied
SAMPLED_FLOOR = 1.0   # floor of a sampled check's denominator, relative to its expected size
MODES = ("auto", "full", "coords", "directions")
METHODS = ("central", "forward")


def _scalar(value, what: str = "f") -> float:
    arr = np.asarray(value)
    if arr.shape not in ((), (1,)) or not np.issubdtype(arr.dtype, np.number):
        raise ValueError(f"{what} must return a scalar, got shape {arr.shape} ({arr.dtype})")
    return float(arr.reshape(()))


def _check_h(h) -> float:
    return check_float(h, "h", low=0.0, low_open=True)


def _perturbable(x, name: str = "x") -> np.ndarray:
    """The flat view of x through which entries are perturbed in place."""
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        got = f"an array of {x.dtype}" if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(f"{name} must be a float ndarray (perturbed in place), got {got}")
    flat = x.reshape(-1)
    if x.size and not np.shares_memory(flat, x):
        raise ValueError(f"{name} must be contiguous so that it can be perturbed in place")
    return flat


def _partials(f: Callable[[np.ndarray], float], x: np.ndarray, indices, h: float,
              method: str = "central", what: str = "f") -> np.ndarray:
    """Finite-difference partial derivatives of f at x for the flat ``indices``."""
    flat = _perturbable(x)
    out = np.zeros(len(indices), dtype=np.float64)
    f0 = _scalar(f(x), what) if method == "forward" else 0.0
    for j, i in enumerate(indices):
        old = flat[i]
        flat[i] = old + h
        f_plus = _scalar(f(x), what)
        if method == "forward":
            flat[i] = old
            out[j] = (f_plus - f0) / h
            continue
        flat[i] = old - h
        f_minus = _scalar(f(x), what)
        flat[i] = old
        out[j] = (f_plus - f_minus) / (2 * h)
    return out


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray,
                       h: float = 1e-5, method: str = "central") -> np.ndarray:
    """Finite-difference gradient of the scalar function f at x (any shape).

    method="central": (f(x + h e_i) - f(x - h e_i)) / (2h), error O(h^2);
    method="forward": (f(x + h e_i) - f(x)) / h, error O(h).
    x is perturbed in place, one entry at a time, and restored; f(x) is
    evaluated 2 * x.size times (x.size + 1 for "forward"). Returns a float64
    array of x's shape. x must be float64 for a useful check (float32 is
    accepted, to show how much worse it is).
    """
    h = _check_h(h)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    _perturbable(x)
    grad = _partials(f, x, range(x.size), h, method)
    return grad.reshape(x.shape)


def directional_derivative(f: Callable[[np.ndarray], float], x: np.ndarray, u,
                           h: float = 1e-5) -> float:
    """(f(x + h u) - f(x - h u)) / (2h): the derivative of f along u (u: x's shape).

    For a unit vector u this estimates g . u, the dot product of the gradient
    with u. x is perturbed in place and restored exactly.
    """
    h = _check_h(h)
    _perturbable(x)
    u = np.asarray(u, dtype=np.float64)
    if u.shape != x.shape:
        raise ValueError(f"u has shape {u.shape} but x has shape {x.shape}")
    saved = x.copy()
    try:
        x[...] = saved + h * u
        f_plus = _scalar(f(x))
        x[...] = saved - h * u
        f_minus = _scalar(f(x))
    finally:
        x[...] = saved
    return (f_plus - f_minus) / (2 * h)


def relative_error(a, b, tiny: float = 1e-300) -> float:
    """||a - b||_2 / max(||a||_2, ||b||_2): 0 when equal, ~1 when unrelated."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape (shapes differ): "
                         f"a {a.shape} vs b {b.shape}")
    denom = max(np.linalg.norm(a), np.linalg.norm(b), tiny)
    return float(np.linalg.norm(a - b) / denom)


def elementwise_relative_error(a, b, tiny: float = 1e-8) -> np.ndarray:
    """|a - b| / max(|a|, |b|, tiny), entry by entry (FORMULAS.md's form)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape (shapes differ): "
                         f"a {a.shape} vs b {b.shape}")
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), tiny)


@dataclass
class GradCheckResult:
    """Per-array relative errors of one check; ``worst`` names the largest.

    ``numerical`` / ``analytical`` hold, per array: the whole gradients
    (mode "full"), the k sampled entries (mode "coords", flat positions in
    ``indices``), or the k directional derivatives (mode "directions").
    ``evaluations`` counts the evaluations of f the finite differences took.
    """

    errors: dict[str, float] = field(default_factory=dict)
    numerical: dict[str, np.ndarray] = field(default_factory=dict)
    analytical: dict[str, np.ndarray] = field(default_factory=dict)
    mode: str = "full"
    indices: dict[str, np.ndarray] = field(default_factory=dict)
    shapes: dict[str, tuple[int, ...]] = field(default_factory=dict)
    evaluations: int = 0

    @property
    def worst(self) -> str:
        return max(self.errors, key=self.errors.get)

    @property
    def max_error(self) -> float:
        return max(self.errors.values())

    def ok(self, tol: float = TOLERANCE) -> bool:
        return self.max_error < tol

    def worst_entry(self, name: str | None = None) -> tuple[tuple[int, ...], float, float]:
        """(index, numerical, analytical) of the most wrong entry of array ``name``.

        Entries whose errors are within a relative TIE of the largest are tied
        (round-off cannot rank them: a flipped sign makes every error 2): the
        first of them is named, the same one on every machine. In mode
        "directions" the index is (j,), the number of the direction.
        """
        name = self.worst if name is None else name
        num, ana = self.numerical[name], self.analytical[name]
        errors = elementwise_relative_error(num, ana).reshape(-1)
        tied = np.flatnonzero(errors >= errors.max() * (1 - TIE))
        j = int(tied[0]) if tied.size else int(np.argmax(errors))  # NaN: argmax names it
        if self.mode == "full":
            idx = np.unravel_index(j, num.shape)
        elif self.mode == "coords":
            idx = np.unravel_index(int(self.indices[name][j]), self.shapes[name])
        else:
            idx = (j,)
        return tuple(int(i) for i in idx), float(num.flat[j]), float(ana.flat[j])

    def verdict(self, tol: float = TOLERANCE, bug: float = BUG_THRESHOLD) -> str:
        """One line: OK / suspicious / BUG, with the worst array and its error.

        OK names no array and no number: below tol every error is round-off,
        whose size and ranking change from one CPU to another (``report``
        lists them all).
        """
        worst, err = self.worst, self.max_error
        if err < tol:
            arrays = "the only array" if len(self.errors) == 1 else f"all {len(self.errors)} arrays"
            return f"OK: relative error < {tol:.0e} in {arrays}"
        if err <= bug:
            return (f"suspicious: worst array {worst!r}, relative error {err:.1e} (between "
                    f"{tol:.0e} and {bug:.0e}): a kink (ReLU or |x| near 0), float32, or h?")
        idx, num, ana = self.worst_entry()
        where = f"direction {idx[0]}" if self.mode == "directions" else f"entry {idx}"
        return (f"BUG: worst array {worst!r}, relative error {err:.1e} > {bug:.0e}"
                f"{self._sign_flip(worst, tol)}; {where}: numerical {num:.6g}, "
                f"analytical {ana:.6g}")

    def _sign_flip(self, name: str, tol: float) -> str:
        """A hint when the analytical gradient of ``name`` is minus the numerical one."""
        num, ana = self.numerical[name], self.analytical[name]
        if relative_error(num, -ana) >= tol:
            return ""
        what = "directions" if self.mode == "directions" else "entries"
        return f": analytical = -numerical in all {num.size} {what} (a sign error)"

    def report(self, floor: float | None = None) -> str:
        """One line per array: its relative error, flagged above BUG_THRESHOLD.

        floor: errors below it are shown as "< floor". Round-off-sized errors
        (1e-11 to 1e-9 in float64) have digits that change from one CPU to
        another; a floor prints only what holds everywhere.
        """
        if floor is not None:
            floor = check_float(floor, "floor", low=0.0, low_open=True)
        lines = [f"{'array':<12} {'relative error':>15}"]
        for name, err in self.errors.items():
            flag = "  <-- bug?" if err > BUG_THRESHOLD else ""
            shown = f"< {floor:.0e}" if floor is not None and err < floor else f"{err:.2e}"
            lines.append(f"{name:<12} {shown:>15}{flag}")
        if self.mode != "full":
            k = max(len(v) for v in self.numerical.values())
            what = "entries" if self.mode == "coords" else "directions"
            lines.append(f"(mode {self.mode!r}: up to {k} random {what} per array, "
                         f"{self.evaluations} evaluations)")
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


def _resolve_mode(mode: str, k, arrays: dict[str, np.ndarray]) -> tuple[str, int]:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    k = DEFAULT_K if k is None else check_int(k, "k", low=1)
    if mode == "auto":
        total = sum(a.size for a in arrays.values())
        mode = "full" if total <= FULL_SWEEP_LIMIT else "directions"
    return mode, k


def _analytical_for(name: str, arr: np.ndarray, analytical: dict) -> np.ndarray:
    if name not in analytical or analytical[name] is None:
        raise ValueError(f"no analytical gradient for {name!r}")
    g = np.asarray(analytical[name], dtype=np.float64)
    if g.shape != arr.shape:
        raise ValueError(f"the analytical gradient of {name!r} has shape {g.shape} but "
                         f"{name!r} has shape {arr.shape}")
    return g


def _check(loss_of_inputs: Callable[[], float], backward: Callable[[], dict[str, np.ndarray]],
           arrays: dict[str, np.ndarray], h: float, *, mode: str = "full", k=None,
           rng: np.random.Generator | None = None, what: str = "f") -> GradCheckResult:
    """Numerical vs analytical gradient for each named array (all perturbed in place)."""
    h = _check_h(h)
    _require_float64(arrays)
    mode, k = _resolve_mode(mode, k, arrays)
    rng = np.random.default_rng(0) if rng is None else rng
    analytical = backward()
    result = GradCheckResult(mode=mode)
    f = lambda _: loss_of_inputs()  # noqa: E731 - arrays are perturbed in place
    for name, arr in arrays.items():
        g = _analytical_for(name, arr, analytical)
        result.shapes[name] = arr.shape
        if mode == "full":
            num = _partials(f, arr, range(arr.size), h, what=what).reshape(arr.shape)
            ana, floor = g, 0.0
            result.evaluations += 2 * arr.size
        elif mode == "coords":
            idx = np.sort(rng.choice(arr.size, size=min(k, arr.size), replace=False))
            result.indices[name] = idx
            num = _partials(f, arr, idx, h, what=what)
            ana = g.reshape(-1)[idx]
            floor = SAMPLED_FLOOR * np.sqrt(len(idx) / arr.size) * np.linalg.norm(g)
            result.evaluations += 2 * len(idx)
        else:
            U = rng.standard_normal((k, arr.size))
            U /= np.linalg.norm(U, axis=1, keepdims=True)
            num = np.array([directional_derivative(f, arr, u.reshape(arr.shape), h)
                            for u in U])
            ana = U @ g.reshape(-1)
            floor = SAMPLED_FLOOR * np.sqrt(k / arr.size) * np.linalg.norm(g)
            result.evaluations += 2 * k
        result.numerical[name] = num
        result.analytical[name] = ana
        if not np.all(np.isfinite(ana)):
            result.errors[name] = float("inf")
        else:
            result.errors[name] = relative_error(num, ana, tiny=max(floor, 1e-300))
    return result


def check_function(f: Callable[[np.ndarray], float], x, grad, h: float = 1e-5, *,
                   mode: str = "auto", k: int | None = None,
                   rng: np.random.Generator | None = None) -> GradCheckResult:
    """Check an analytical gradient ``grad`` of a scalar function f at x.

    f: x -> scalar; x: any shape (float64); grad: an array of x's shape, or a
    function x -> that array. The array is named "x" in the result.
    """
    x = np.array(x, copy=True)
    if not np.issubdtype(x.dtype, np.number):
        raise TypeError(f"x must be an array of numbers, got dtype {x.dtype}")
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    _require_float64({"x": x})
    if not callable(f):
        raise TypeError(f"f must be a function x -> scalar, got {type(f).__name__}")
    _scalar(f(x.copy()))
    g = grad(x.copy()) if callable(grad) else grad
    g = np.asarray(g)
    if g.shape != x.shape:
        raise ValueError(f"grad has shape {g.shape} but x has shape {x.shape}")
    return _check(lambda: f(x), lambda: {"x": g}, {"x": x}, h, mode=mode, k=k, rng=rng)


def _unique_names(layer: Layer) -> dict[str, Parameter]:
    """Parameter names for the result: a Sequential's "0.W", "0.b", ...; else W, b, ...

    Names stay unique (two parameters both called "W" once overwrote each other).
    """
    if hasattr(layer, "named_parameters"):
        return dict(layer.named_parameters())
    named: dict[str, Parameter] = {}
    for i, p in enumerate(layer.parameters()):
        name = p.name if p.name not in ("param", "x") else f"p{i}"
        if name in named:
            name = f"{name}{i}"
        named[name] = p
    return named


def check_layer(layer: Layer, x: np.ndarray, rng=None, h: float = 1e-5,
                check_input: bool = True, *, mode: str = "auto", k: int | None = None,
                freeze_random: bool = True) -> GradCheckResult:
    """Check ``layer.backward`` for its input and every parameter.

    Uses the scalar L = sum(forward(x) * R) with a fixed random R, so that
    dL/dy = R exercises every output. x: any shape the layer accepts (float64).
    ``rng`` draws R and the sampled entries or directions (default: seed 0).
    freeze_random=False lets random layers draw new masks at every forward
    pass (to show why the check must hold them fixed).
    """
    h = _check_h(h)
    if not isinstance(layer, Layer):
        raise TypeError(f"layer must be a dlkit Layer, got {type(layer).__name__}")
    x = np.array(x, dtype=np.float64, copy=True)
    rng = np.random.default_rng(0) if rng is None else rng
    params = _unique_names(layer)
    _require_float64({name: p.value for name, p in params.items()})
    restore = _rng_freezer(layer) if freeze_random else (lambda: None)
    restore()
    y = layer.forward(x)
    R = rng.standard_normal(np.shape(y))

    def loss() -> float:
        restore()
        return float(np.sum(layer.forward(x) * R))

    def backward() -> dict[str, np.ndarray]:
        for p in params.values():
            p.grad.fill(0.0)
        restore()
        layer.forward(x)
        dx = layer.backward(R.copy())
        if np.shape(dx) != x.shape:
            raise ValueError(f"{layer!r}.backward returned dx of shape {np.shape(dx)} but x "
                             f"has shape {x.shape}")
        out = {name: p.grad.copy() for name, p in params.items()}
        out["x"] = dx
        return out

    arrays = {name: p.value for name, p in params.items()}
    if check_input:
        arrays = {"x": x, **arrays}
    return _check(loss, backward, arrays, h, mode=mode, k=k, rng=rng, what="layer.forward")


def _loss_fn(loss_fn):
    if isinstance(loss_fn, str):
        from .losses import get_loss

        return get_loss(loss_fn)[0]
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be a function (logits, y) -> (value, dlogits) or a "
                        f"loss name, got {type(loss_fn).__name__}")
    return loss_fn


def _value_and_grad(loss_fn, z, y, shape) -> tuple[float, np.ndarray]:
    out = loss_fn(z, y)
    if not isinstance(out, tuple) or len(out) != 2:
        raise ValueError(f"loss_fn must return a pair (value, dlogits), got {type(out).__name__}")
    value = _scalar(out[0], "loss_fn")
    dz = np.asarray(out[1])
    if dz.shape != shape:
        raise ValueError(f"loss_fn returned dlogits of shape {dz.shape} but the logits have "
                         f"shape {shape}")
    return value, dz


def check_loss(loss_fn: Callable, logits, y, h: float = 1e-5, *, mode: str = "auto",
               k: int | None = None, rng: np.random.Generator | None = None) -> GradCheckResult:
    """Check that loss_fn(logits, y) -> (value, dlogits) returns dlogits = dL/dlogits."""
    loss_fn = _loss_fn(loss_fn)
    z = np.array(logits, dtype=np.float64, copy=True)

    def backward():
        return {"logits": _value_and_grad(loss_fn, z, y, z.shape)[1]}

    return _check(lambda: _value_and_grad(loss_fn, z, y, z.shape)[0], backward,
                  {"logits": z}, h, mode=mode, k=k, rng=rng, what="loss_fn")


def check_model(model: Layer, loss_fn: Callable, X, y, h: float = 1e-5,
                check_input: bool = False, *, mode: str = "auto", k: int | None = None,
                rng: np.random.Generator | None = None,
                freeze_random: bool = True) -> GradCheckResult:
    """Check every parameter of a model (e.g. a Sequential) through a loss.

    Names are the model's parameter names ("0.W", "0.b", ...) when it has
    ``named_parameters``. mode "auto" sweeps every entry of a small model
    (up to FULL_SWEEP_LIMIT entries) and checks k random directions per
    array of a larger one. ``loss_fn``: (logits, y) -> (value, dlogits), or a
    loss name ("bce", "softmax_cross_entropy", "mse").
    """
    h = _check_h(h)
    if not isinstance(model, Layer):
        raise TypeError(f"model must be a dlkit Layer or Sequential, got {type(model).__name__}")
    loss_fn = _loss_fn(loss_fn)
    X = np.array(X, dtype=np.float64, copy=True)
    named = (model.named_parameters() if hasattr(model, "named_parameters")
             else [(f"{i}.{p.name}", p) for i, p in enumerate(model.parameters())])
    params: dict[str, Parameter] = dict(named)
    _require_float64({name: p.value for name, p in params.items()})
    restore = _rng_freezer(model) if freeze_random else (lambda: None)

    def loss() -> float:
        restore()
        z = model.forward(X)
        return _value_and_grad(loss_fn, z, y, np.shape(z))[0]

    def backward():
        for p in params.values():
            p.grad.fill(0.0)
        restore()
        z = model.forward(X)
        _, dz = _value_and_grad(loss_fn, z, y, np.shape(z))
        dx = model.backward(dz)
        out = {name: p.grad.copy() for name, p in params.items()}
        out["x"] = dx
        return out

    arrays = {name: p.value for name, p in params.items()}
    if check_input:
        arrays = {"x": X, **arrays}
    return _check(loss, backward, arrays, h, mode=mode, k=k, rng=rng, what="the model's loss")
