"""The exercises of notebooks/04_regularization.ipynb: instructor version passes, student stubs fail.

nbgrader's student version replaces each ``### BEGIN SOLUTION`` ...
``### END SOLUTION`` block with ``raise NotImplementedError()`` and drops the
hidden tests; this test does the same by hand (nbgrader is not needed) and
runs each graded cell after the setup cell.
"""

import re
import textwrap
from pathlib import Path

import nbformat
import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "04_regularization.ipynb"
SOLUTION = re.compile(r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION\n?", re.M | re.S)
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS\n.*?^[ \t]*### END HIDDEN TESTS\n?", re.M | re.S)
SETUP = textwrap.dedent("""
    import numpy as np
    import dlkit as dl
    from dlkit.checks import regularization as checks
""")


def _cells():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    solutions, tests = {}, {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            solutions[meta["grade_id"]] = cell.source
        elif meta.get("grade"):
            tests[meta["grade_id"]] = (cell.source, meta["points"])
    return solutions, tests


def _student(source: str) -> str:
    return SOLUTION.sub(lambda m: f"{m.group(1)}raise NotImplementedError()\n", source)


SOLUTIONS, TESTS = _cells()


def test_exercises_and_points():
    assert set(SOLUTIONS) == {"dropout", "soft_threshold", "elastic_net", "stopping_epoch"}
    assert {k: v[1] for k, v in TESTS.items()} == {
        "dropout_test": 3, "soft_threshold_test": 1, "elastic_net_test": 2,
        "stopping_epoch_test": 2}


@pytest.mark.parametrize("grade_id", sorted(SOLUTIONS))
def test_instructor_version_passes(grade_id):
    namespace: dict = {}
    exec(SETUP, namespace)
    exec(SOLUTIONS[grade_id], namespace)
    exec(TESTS[f"{grade_id}_test"][0], namespace)


@pytest.mark.parametrize("grade_id", sorted(SOLUTIONS))
def test_student_stub_fails_with_a_clear_message(grade_id):
    student = _student(SOLUTIONS[grade_id])
    assert "### BEGIN SOLUTION" not in student and "raise NotImplementedError()" in student
    namespace: dict = {}
    exec(SETUP, namespace)
    exec(student, namespace)
    visible_test = HIDDEN.sub("", TESTS[f"{grade_id}_test"][0])
    with pytest.raises(AssertionError, match="not implemented yet"):
        exec(visible_test, namespace)


def test_solution_cells_are_collapsed_and_tests_locked():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            assert cell.metadata["jupyter"]["source_hidden"] is True
        if meta.get("grade"):
            assert meta["locked"] is True
