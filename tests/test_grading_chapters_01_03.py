"""The exercises of chapters 01 and 03: instructor version passes, student stubs fail.

As in test_grading_regularization.py: nbgrader's student version replaces each
``### BEGIN SOLUTION`` ... ``### END SOLUTION`` block with
``raise NotImplementedError()`` and drops the hidden tests; this test does the
same by hand and runs each graded cell after a setup cell.
"""

import re
import textwrap
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
SOLUTION = re.compile(r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION\n?", re.M | re.S)
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS\n.*?^[ \t]*### END HIDDEN TESTS\n?", re.M | re.S)
SETUP = textwrap.dedent("""
    import numpy as np
    import dlkit as dl
    rng = np.random.default_rng(230)
""")
EXPECTED = {  # grade_id -> points
    "01_data_processing": {"ex_contrast": 2, "ex_bn_forward": 2, "ex_bn_backward": 3},
    "03_parameter_tuning": {"xavier_uniform": 2, "momentum_step": 2, "adam_step": 3},
}


def _cells(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    solutions, tests = {}, {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            solutions[meta["grade_id"]] = cell.source
        elif meta.get("grade"):
            tests[meta["grade_id"]] = (cell.source, meta["points"])
    return solutions, tests


CASES = [(name, grade_id) for name, ids in EXPECTED.items() for grade_id in ids]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_exercises_and_points(name):
    solutions, tests = _cells(name)
    assert set(solutions) == set(EXPECTED[name])
    assert {k: v[1] for k, v in tests.items()} == {
        f"{k}_test": v for k, v in EXPECTED[name].items()}


def _run(name, grade_id, student: bool):
    """Every solution cell of the notebook (a hidden test may call an earlier exercise's
    function, as in the notebook), then the graded cell of ``grade_id``."""
    solutions, tests = _cells(name)
    test = tests[f"{grade_id}_test"][0]
    namespace: dict = {}
    exec(SETUP, namespace)
    for source in solutions.values():
        if student:
            source = SOLUTION.sub(lambda m: f"{m.group(1)}raise NotImplementedError()\n", source)
            assert "### BEGIN SOLUTION" not in source and "raise NotImplementedError()" in source
        exec(source, namespace)
    if student:
        test = HIDDEN.sub("", test)
    exec(test, namespace)


@pytest.mark.parametrize("name,grade_id", CASES)
def test_instructor_version_passes(name, grade_id):
    _run(name, grade_id, student=False)


@pytest.mark.parametrize("name,grade_id", CASES)
def test_student_stub_fails_with_a_clear_message(name, grade_id):
    with pytest.raises(AssertionError, match="not implemented"):
        _run(name, grade_id, student=True)
