"""The round-off guard's nudge (tests/roundoff_guard.py): ``install()`` runs in each
notebook kernel before the first cell, from an IPython start-up file in a throwaway
IPYTHONDIR.

Every float a seeded Generator draws (normal, standard_normal, uniform) is moved by one
unit in the last place, alternately up and down, the way another CPU's BLAS kernel or
vectorized exp/tanh moves the last bit of a result. A printed number that changes under
this nudge would change on another machine too. Integers, permutations and the uniform
[0, 1) draws behind masks and shuffles are left alone: they carry no round-off.

Nothing in dlkit knows about this file; ``install()`` replaces numpy.random.default_rng for
the kernel's lifetime, so dlkit's own seeded Generators are nudged too. Importing the
module changes nothing.
"""

import numpy as np

_Generator = np.random.Generator


def _nudge(values):
    """values moved one ulp: up at even flat indices, down at odd ones."""
    array = np.asarray(values)
    if not np.issubdtype(array.dtype, np.floating):
        return values
    toward = np.where(np.arange(array.size).reshape(array.shape) % 2 == 0, np.inf, -np.inf)
    moved = np.nextafter(array, toward.astype(array.dtype))
    return moved if np.ndim(values) else moved.dtype.type(moved)


class NudgedGenerator(_Generator):
    """A numpy Generator whose continuous draws are one ulp off (see the module docstring)."""

    def normal(self, *args, **kwargs):
        return _nudge(super().normal(*args, **kwargs))

    def standard_normal(self, *args, **kwargs):
        return _nudge(super().standard_normal(*args, **kwargs))

    def uniform(self, *args, **kwargs):
        return _nudge(super().uniform(*args, **kwargs))


def default_rng(seed=None):
    """numpy.random.default_rng, returning a NudgedGenerator."""
    if isinstance(seed, _Generator):
        return seed
    if isinstance(seed, np.random.BitGenerator):
        return NudgedGenerator(seed)
    return NudgedGenerator(np.random.PCG64(seed))


def install() -> None:
    """Make numpy.random.default_rng return NudgedGenerators in this process."""
    np.random.default_rng = default_rng
