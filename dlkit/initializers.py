"""Weight initializers.

Each takes a ``shape`` and an ``rng`` (``np.random.Generator``) and returns an
array. Fans are read from the shape: a dense weight ``(fan_in, fan_out)``; a
convolution kernel ``(C_out, C_in, kH, kW)`` has fan_in = C_in kH kW and
fan_out = C_out kH kW.

    xavier (Glorot):  Var(W) = 2 / (fan_in + fan_out)
        normal:       W ~ N(0, 2 / (fan_in + fan_out))
        uniform:      W ~ U(-a, a),  a = sqrt(6 / (fan_in + fan_out))
    he (Kaiming):     Var(W) = 2 / fan_in   (for ReLU, which zeroes half its inputs)
        normal:       W ~ N(0, 2 / fan_in)
        uniform:      W ~ U(-a, a),  a = sqrt(6 / fan_in)

Xavier keeps the variance of activations and of gradients roughly constant
through a tanh/linear network; He does so for ReLU networks. Why: for
y = x W with independent zero-mean entries, Var(y_j) = fan_in Var(W) Var(x)
forward and Var(dx_i) = fan_out Var(W) Var(dy) backward; Var(W) = 1/fan_in
keeps the forward pass steady, 1/fan_out the backward pass, and Xavier takes
the harmonic compromise 2/(fan_in + fan_out). ReLU zeroes half of its inputs,
halving the second moment, which He's factor 2 restores.

Initializers are chosen by function or by name (``get_initializer``):
"zeros", "normal", "xavier" (= "xavier_uniform", "glorot", "glorot_uniform"),
"xavier_normal" ("glorot_normal"), "he" (= "he_normal", "kaiming"), "he_uniform".
PyTorch's nn.Linear default is neither: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._validate import check_dtype, check_float, check_int, check_rng

Shape = tuple[int, ...]


def _check_shape(shape) -> Shape:
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    try:
        shape = tuple(shape)
    except TypeError as err:
        raise TypeError(f"shape must be a tuple of positive integers, got {shape!r}") from err
    for i, s in enumerate(shape):
        check_int(s, f"shape[{i}]", low=1)
    return tuple(int(s) for s in shape)


def fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of this shape.

    (D,) -> (D, D); (fan_in, fan_out) for Dense; (C_out, C_in, kH, kW) for Conv2D.
    """
    shape = _check_shape(shape)
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = int(np.prod(shape[2:]))
    return shape[1] * receptive, shape[0] * receptive


def zeros(shape, rng=None, dtype=np.float64) -> np.ndarray:
    """All zeros. Fine for biases; for weights it leaves every unit identical (symmetry)."""
    return np.zeros(_check_shape(shape), dtype=check_dtype(dtype))


def normal(shape, rng=None, std: float = 0.01, dtype=np.float64) -> np.ndarray:
    """W ~ N(0, std^2): the 'naive' random initialization, blind to the architecture."""
    std = check_float(std, "std", low=0.0)
    rng = check_rng(rng)
    w = rng.standard_normal(_check_shape(shape), dtype=check_dtype(dtype))
    w *= std
    return w


def xavier_normal(shape, rng=None, gain: float = 1.0, dtype=np.float64) -> np.ndarray:
    """W ~ N(0, gain^2 * 2 / (fan_in + fan_out))  (Glorot & Bengio, 2010)."""
    fan_in, fan_out = fans(shape)
    std = check_float(gain, "gain", low=0.0, low_open=True) * np.sqrt(2.0 / (fan_in + fan_out))
    return normal(shape, rng, std=std, dtype=dtype)


def xavier_uniform(shape, rng=None, gain: float = 1.0, dtype=np.float64) -> np.ndarray:
    """W ~ U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)); same variance as xavier_normal."""
    fan_in, fan_out = fans(shape)
    a = check_float(gain, "gain", low=0.0, low_open=True) * np.sqrt(6.0 / (fan_in + fan_out))
    rng = check_rng(rng)
    return rng.uniform(-a, a, size=_check_shape(shape)).astype(check_dtype(dtype))


def he_normal(shape, rng=None, dtype=np.float64) -> np.ndarray:
    """W ~ N(0, 2 / fan_in)  (He et al., 2015), for ReLU networks."""
    fan_in, _ = fans(shape)
    return normal(shape, rng, std=np.sqrt(2.0 / fan_in), dtype=dtype)


def he_uniform(shape, rng=None, dtype=np.float64) -> np.ndarray:
    """W ~ U(-a, a), a = sqrt(6 / fan_in); same variance as he_normal."""
    fan_in, _ = fans(shape)
    a = np.sqrt(6.0 / fan_in)
    rng = check_rng(rng)
    return rng.uniform(-a, a, size=_check_shape(shape)).astype(check_dtype(dtype))


INITIALIZERS: dict[str, Callable[..., np.ndarray]] = {
    "zeros": zeros,
    "normal": normal,
    "xavier": xavier_uniform,
    "glorot": xavier_uniform,
    "xavier_uniform": xavier_uniform,
    "glorot_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "glorot_normal": xavier_normal,
    "he": he_normal,
    "kaiming": he_normal,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
}


def get_initializer(init) -> Callable[..., np.ndarray]:
    """An initializer from its name ("xavier", "he_normal", ...) or a callable (shape, rng)."""
    if callable(init):
        return init
    if isinstance(init, str) and init.lower() in INITIALIZERS:
        return INITIALIZERS[init.lower()]
    if not isinstance(init, str):
        raise TypeError(f"init must be a name or a callable (shape, rng) -> array, got "
                        f"{type(init).__name__}")
    raise ValueError(
        f"init must be one of the initializer names {sorted(INITIALIZERS)} or a callable "
        f"(shape, rng) -> array, got {init!r}"
    )
