"""Argument checks shared by the whole library.

Bad input must fail early with a message that names the argument and its
value, never with a NumPy traceback from deep inside or a silent NaN.
"""

from __future__ import annotations

import numbers

import numpy as np

FLOAT_DTYPES = (np.float32, np.float64)


def _show(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_int(value, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """Return `value` as an int; reject bools, floats, and values outside [low, high]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_show(value)} ({type(value).__name__})")
    value = int(value)
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value}")
    return value


def check_float(
    value,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return `value` as a finite float inside the given (closed or open) bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_show(value)} ({type(value).__name__})")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if low is not None and (value <= low if low_open else value < low):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {value}")
    if high is not None and (value >= high if high_open else value > high):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, got {value}")
    return value


def check_rng(rng, name: str = "rng") -> np.random.Generator:
    """Accept a Generator (or None: a fresh, unseeded one). No global NumPy state."""
    if rng is None:
        return np.random.default_rng()
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{name} must be a numpy.random.Generator (np.random.default_rng(seed)), "
            f"got {type(rng).__name__}"
        )
    return rng


def check_dtype(dtype, name: str = "dtype") -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError as err:
        raise TypeError(f"{name} must be float32 or float64, got {_show(dtype)}") from err
    if dt.type not in FLOAT_DTYPES:
        raise ValueError(f"{name} must be float32 or float64, got {dt}")
    return dt


def check_array(
    X,
    name: str,
    *,
    ndim: int | tuple[int, ...] | None = None,
    finite: bool = True,
    dtype=None,
) -> np.ndarray:
    """Return `X` as a float ndarray; check its rank and that it holds no NaN/inf.

    dtype=None keeps float32/float64 input as it is and turns anything else
    (ints, bools, lists) into float64.
    """
    if isinstance(X, (str, bytes)) or X is None:
        raise TypeError(f"{name} must be an array of numbers, got {_show(X)}")
    try:
        arr = np.asarray(X)
    except (ValueError, TypeError) as err:
        raise TypeError(f"{name} must be an array of numbers: {err}") from err
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real, got dtype {arr.dtype}")
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    elif arr.dtype.type not in FLOAT_DTYPES:
        arr = arr.astype(np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(str(d) for d in allowed)
            raise ValueError(f"{name} must be {want}-dimensional, got shape {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"{name} contains NaN or inf (first at index {tuple(int(i) for i in bad)}: "
            f"{arr[tuple(bad)]})"
        )
    return arr


def check_binary_labels(y, name: str = "y", n: int | None = None) -> np.ndarray:
    """Labels for binary classification: 0/1 values, shape (N,) or (N, 1)."""
    arr = check_array(y, name, ndim=(1, 2))
    if arr.ndim == 2 and arr.shape[1] != 1:
        raise ValueError(f"{name} must have shape (N,) or (N, 1), got {arr.shape}")
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"{name} has {arr.shape[0]} rows but the inputs have {n}")
    bad = (arr != 0) & (arr != 1)
    if np.any(bad):
        raise ValueError(
            f"{name} must hold binary labels 0 or 1, got {arr[bad].ravel()[0].item():g} "
            f"(at index {int(np.argmax(bad.ravel()))})"
        )
    return arr


def check_class_labels(y, num_classes: int, name: str = "y", n: int | None = None) -> np.ndarray:
    """Integer class labels in [0, num_classes), shape (N,)."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class indices, got shape {arr.shape}")
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"{name} has {arr.shape[0]} entries but the inputs have {n} rows")
    if not np.issubdtype(arr.dtype, np.integer):
        if np.issubdtype(arr.dtype, np.floating) and np.all(np.isfinite(arr)) and np.all(
            arr == np.round(arr)
        ):
            arr = arr.astype(np.int64)
        else:
            raise TypeError(f"{name} must hold integer class indices, got dtype {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() >= num_classes):
        bad = arr[(arr < 0) | (arr >= num_classes)][0]
        raise ValueError(
            f"{name} must hold class indices in [0, {num_classes - 1}] for {num_classes} "
            f"classes, got {int(bad)}"
        )
    return arr
