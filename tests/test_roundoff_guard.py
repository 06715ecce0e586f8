"""The round-off guard (tests/roundoff_guard.py): every notebook's checked outputs survive
what another CPU changes, and the guard does catch a print that does not."""

import nbformat
import pytest
import roundoff_guard
from nbclient import NotebookClient
from roundoff_guard import ROOT, failed_cells, run_guard

SETUP = """\
import numpy as np
rng = np.random.default_rng(230)"""
# A sum of 10,000 draws printed to two decimals: round-off cannot reach them.
ROBUST = """\
print(f"mean of 10,000 normal draws: {rng.normal(size=10_000).mean():.2f}")"""
# The logistic map at r = 3.9 is chaotic: a difference in the last bit of a start grows
# about 1.6-fold a step, and after 100 steps the value is another number. (One start
# alone may lose a one-ulp nudge in its first rounding; a hundred starts cannot all.)
SENSITIVE = """\
x = rng.uniform(0.2, 0.8, size=100)
for _ in range(100):
    x = 3.9 * x * (1 - x)
print(f"mean after 100 steps of the logistic map: {x.mean():.4f}")"""


def test_nudge_moves_continuous_draws_by_one_ulp_and_leaves_integers_alone():
    import numpy as np
    from roundoff_nudge import NudgedGenerator, default_rng

    plain, nudged = np.random.Generator(np.random.PCG64(5)), default_rng(5)
    assert isinstance(nudged, NudgedGenerator) and isinstance(nudged, np.random.Generator)
    a, b = plain.normal(size=6), nudged.normal(size=6)
    assert np.all(a != b)
    assert np.array_equal(np.nextafter(a, [np.inf, -np.inf] * 3), b)
    assert np.array_equal(plain.integers(0, 100, 20), nudged.integers(0, 100, 20))
    assert np.array_equal(plain.permutation(10), nudged.permutation(10))
    scalar = default_rng(1).uniform(0.1, 0.9)
    assert isinstance(scalar, float) and scalar == np.nextafter(
        np.random.Generator(np.random.PCG64(1)).uniform(0.1, 0.9), np.inf)
    assert np.random.default_rng is not default_rng, "importing the nudge must change nothing"


def test_simd_features_are_those_this_cpu_dispatches_to():
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    features = roundoff_guard.simd_features()
    assert set(features) <= set(__cpu_dispatch__)
    assert all(__cpu_features__[name] for name in features)


def test_run_guard_refuses_zero_workers():
    with pytest.raises(ValueError, match="workers must be at least 1, got 0"):
        run_guard(["notebooks"], workers=0)


@pytest.mark.slow
def test_guard_fails_on_a_planted_roundoff_sensitive_print(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in (SETUP, ROBUST, SENSITIVE)]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    path = tmp_path / "planted.ipynb"
    nbformat.write(nb, path)

    control = run_guard([path.name], workers=1, nudge=False, cwd=tmp_path)
    assert control.returncode == 0, "plain nbval must reproduce the planted notebook:\n" + (
        control.stdout[-3000:])
    guarded = run_guard([path.name], workers=1, cwd=tmp_path)
    assert guarded.returncode != 0, "the guard missed a chaotic print"
    assert failed_cells(guarded) == ["planted.ipynb::Cell 2"], guarded.stdout[-3000:]


@pytest.mark.slow
def test_every_notebook_survives_the_guard():
    result = run_guard([ROOT / "notebooks"], workers=2)
    assert result.returncode == 0, (
        f"checked outputs that another CPU would print differently: {failed_cells(result)}\n"
        + result.stdout[-6000:])
