"""Checkers for the exercises: they call a reader's function and compare it with dlkit.

A checker raises AssertionError with feedback a reader can act on (wrong
type, wrong shape, the first wrong element, a hint at the usual mistake) and
returns quietly on success. One module per chapter; the shared comparison
lives here.

A checker keeps its own references to the dlkit functions it compares
against (bound when this package is imported), so a submission that
reassigns ``dlkit.losses.binary_cross_entropy`` cannot change the answer key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

Hint = tuple[Callable[[np.ndarray, np.ndarray], bool], str]


def fail(message: str) -> None:
    raise AssertionError(message)


def call_student(fn: Callable, *args, what: str):
    """Call the reader's function; turn NotImplementedError into a friendly failure."""
    if not callable(fn):
        fail(f"{what}: expected a function, got {type(fn).__name__}")
    try:
        return fn(*args)
    except NotImplementedError:
        fail(f"{what} is not implemented yet: replace `raise NotImplementedError()` "
             "with your solution")


def assert_scalar_close(got, expected: float, what: str, *, rtol: float = 1e-6,
                        atol: float = 1e-9, hints: Sequence[tuple[Callable, str]] = ()) -> None:
    try:
        value = float(np.asarray(got).reshape(()))
    except (TypeError, ValueError):
        fail(f"{what} must be a single number, got {type(got).__name__} "
             f"{getattr(got, 'shape', '')}")
    if not np.isfinite(value):
        fail(f"{what} is {value}; expected the finite value {expected:.6g}")
    if not np.isclose(value, expected, rtol=rtol, atol=atol):
        for test, hint in hints:
            if test(value, expected):
                fail(f"{what} = {value:.6g}, expected {expected:.6g}. Hint: {hint}")
        fail(f"{what} = {value:.6g}, expected {expected:.6g}")


def assert_array_close(got, expected: np.ndarray, what: str, *, rtol: float = 1e-6,
                       atol: float = 1e-9, hints: Sequence[Hint] = ()) -> None:
    """Compare an array: type, shape, finiteness, then values (first wrong element shown).

    ``hints`` are (test(got, expected) -> bool, message) pairs tried in order when
    the values differ, to name the usual mistake (a missing 1/N, a sign, a transpose).
    """
    expected = np.asarray(expected)
    if not isinstance(got, np.ndarray):
        if np.isscalar(got) or isinstance(got, (list, tuple)):
            got = np.asarray(got, dtype=float)
        else:
            fail(f"{what} must be a NumPy array, got {type(got).__name__}")
    if got.shape != expected.shape:
        extra = ""
        if got.shape == expected.shape[::-1] and got.ndim == 2:
            extra = " (transposed?)"
        elif got.size == expected.size:
            extra = " (same number of entries: check a reshape or keepdims)"
        fail(f"{what} has shape {got.shape}, expected {expected.shape}{extra}")
    if not np.issubdtype(got.dtype, np.number):
        fail(f"{what} must hold numbers, got dtype {got.dtype}")
    if not np.all(np.isfinite(got)):
        idx = tuple(int(i) for i in np.argwhere(~np.isfinite(got))[0])
        fail(f"{what} contains {got[idx]} at index {idx}; expected finite values "
             "(an overflow in exp or a log of 0?)")
    close = np.isclose(got, expected, rtol=rtol, atol=atol)
    if not np.all(close):
        idx = tuple(int(i) for i in np.argwhere(~close)[0])
        n_bad = int((~close).sum())
        msg = (f"{what}: {n_bad} of {got.size} entries are wrong; first at index {idx}: "
               f"got {got[idx]:.6g}, expected {expected[idx]:.6g}")
        for test, hint in hints:
            try:
                hit = bool(test(got, expected))
            except (ValueError, TypeError, IndexError):
                hit = False
            if hit:
                msg += f". Hint: {hint}"
                break
        fail(msg)


def scaled_by(factor: float) -> Callable[[np.ndarray, np.ndarray], bool]:
    """A hint test: got == factor * expected (a missing or extra division)."""
    return lambda got, exp: np.allclose(got, factor * np.asarray(exp), rtol=1e-6, atol=1e-12)


def negated(got, expected) -> bool:
    return np.allclose(got, -np.asarray(expected), rtol=1e-6, atol=1e-12)
