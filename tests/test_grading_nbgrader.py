"""The exercises graded end to end with nbgrader: release, round trip, hostile submissions.

Everything goes through notebooks/course/course.py, run by the grading venv's
Python (.venv-grade, made by `make test`, `make student` and `make grade`), the
way an instructor runs it:

1. the instructor's solutions, put into the student version, score full points in
   every chapter (so every source notebook passes all its graded tests, hidden
   tests included: nbgrader puts them back when it grades);
2. the student version holds no solution and no hidden test, and every graded
   test fails on it (a blank submission scores 0 in every cell);
3. a partly solved notebook scores exactly the points of the exercises it solved;
4. hostile submissions (an infinite loop that swallows interrupts, an exception,
   ``sys.exit()``, a kernel that kills itself, 10 MB printed, checkers redefined
   and monkeypatched, NumPy's comparisons patched, IPython told to hide errors, a file
   that is not a notebook) graded in one batch with
   honest ones: the batch completes, each gets exactly the points it earned, the
   honest students are graded as if alone, and the gradebook is written
   atomically.
"""

import csv
import importlib.util
import os
import re
import subprocess
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
COURSE_PY = NOTEBOOKS / "course" / "course.py"
GRADE_PY = ROOT / ".venv-grade" / "bin" / "python"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CELL_TIMEOUT = 120  # seconds a cell, for the big batch: the slowest chapter cell takes a few,
#                    and the machine may be loaded (other tests, the browser test)
LOOP_TIMEOUT = 10   # for the batch with the infinite loop: chapter 02's cells take ~1 s

if not GRADE_PY.exists():
    if IN_CI:
        raise RuntimeError(f"{GRADE_PY} is missing: `make test` creates the grading venv")
    pytest.skip("the grading venv .venv-grade is missing: run `make test` (or `make student`)",
                allow_module_level=True)

pytestmark = [pytest.mark.grading, pytest.mark.slow]

spec = importlib.util.spec_from_file_location("course", COURSE_PY)
course_py = importlib.util.module_from_spec(spec)
spec.loader.exec_module(course_py)
CHAPTERS = course_py.graded_chapters()


def run_course(*args, timeout=1800):
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    proc = subprocess.run([str(GRADE_PY), str(COURSE_PY), *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"course.py {' '.join(map(str, args))}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


# ---------------------------------------------------------------- submissions
def release_nb(course, chapter):
    return nbformat.read(course / "release" / chapter / f"{chapter}.ipynb", as_version=4)


def instructor_solutions(chapter):
    nb = nbformat.read(NOTEBOOKS / f"{chapter}.ipynb", as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: re.sub(
                r"^[ \t]*### (BEGIN|END) SOLUTION\n", "", c.source, flags=re.M)
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")}


def submission(course, chapter, solve=(), prepend=None, replace=None):
    """The student version with the exercises ``solve`` (grade ids, or "all") answered by the
    instructor's solution, code put before the answer of some cells (``prepend``), and a
    text of some answers replaced (``replace``: grade id -> (old, new)), to make it wrong."""
    nb = release_nb(course, chapter)
    solutions = instructor_solutions(chapter)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in solutions and (solve == "all" or grade_id in solve):
            cell.source = solutions[grade_id]
        if replace and grade_id in replace:
            old, new = replace[grade_id]
            assert old in cell.source, (grade_id, old)
            cell.source = cell.source.replace(old, new)
        if prepend and grade_id in prepend:
            cell.source = prepend[grade_id] + "\n" + cell.source
    return nb


def graded_cells(chapter):
    return {f"{gid}": pts for gid, pts in course_py.exercises(chapter).items()}


LOOP = """\
while True:                    # an infinite loop that even swallows the interrupt
    try:
        pass
    except KeyboardInterrupt:
        pass"""
KILL = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"
EXIT = "import sys\nsys.exit()"
RAISE = 'raise ValueError("my own bug")'
PRINT = 'print("x" * 10_000_000)'
PATCH = """\
import dlkit.checks.training as _t
_t.check_binary_cross_entropy = lambda *a, **k: None   # monkeypatch the checkers
_t.check_dense_backward = lambda *a, **k: None
_t.check_sgd_step = lambda *a, **k: None
import sys
sys.modules["dlkit.checks.training"].check_sgd_step = lambda *a, **k: None
def check_binary_cross_entropy(*a, **k):               # and redefine the names
    pass"""
NUMPY_PATCH = """\
import numpy as np, numpy.testing as npt                 # make every comparison succeed
np.isclose = lambda a, b, *r, **k: np.ones(np.broadcast(a, b).shape, dtype=bool)
np.allclose = lambda *a, **k: True
npt.assert_allclose = lambda *a, **k: None"""
SWALLOW = """\
get_ipython().set_custom_exc((Exception,), lambda *a, **k: None)   # hide every error"""
WRONG_SIGN = {"sgd_step": ("w - lr * grad", "w + lr * grad")}

CH = "02_training"  # the hostile ones hit chapter 02: bce_from_logits (2), dense_backward (3),
#                     sgd_step (1)
HOSTILE = {  # student -> (what they hand in, expected points per graded cell)
    "raises": (dict(solve="all", prepend={"bce_from_logits": RAISE}),
               {"bce_from_logits_test": 0, "dense_backward_test": 3, "sgd_step_test": 1}),
    "exits": (dict(solve="all", prepend={"sgd_step": EXIT}),
              {"bce_from_logits_test": 2, "dense_backward_test": 3, "sgd_step_test": 0}),
    "kills": (dict(solve="all", prepend={"dense_backward": KILL}),
              {"bce_from_logits_test": 2, "dense_backward_test": 0, "sgd_step_test": 1}),
    "prints": (dict(solve="all", prepend={"bce_from_logits": PRINT}),
               {"bce_from_logits_test": 2, "dense_backward_test": 3, "sgd_step_test": 1}),
    "patches": (dict(solve=(), prepend={"bce_from_logits": PATCH}),
                {"bce_from_logits_test": 0, "dense_backward_test": 0, "sgd_step_test": 0}),
    "partial": (dict(solve=("bce_from_logits", "sgd_step")),
                {"bce_from_logits_test": 2, "dense_backward_test": 0, "sgd_step_test": 1}),
    "patches_numpy": (dict(solve="all", replace=WRONG_SIGN, prepend={"bce_from_logits": NUMPY_PATCH}),
                      {"bce_from_logits_test": 2, "dense_backward_test": 3, "sgd_step_test": 0}),
    # nbgrader's own Execute catches this one: the error is in the kernel's reply too
    "swallows": (dict(solve=(), prepend={"bce_from_logits": SWALLOW}),
                 {"bce_from_logits_test": 0, "dense_backward_test": 0, "sgd_step_test": 0}),
}
GUARDED = ("patches", "patches_numpy")  # what GuardCheckers stops (the others stop by themselves)
LOOPS = (dict(solve="all", prepend={"dense_backward": LOOP}),
         {"bce_from_logits_test": 2, "dense_backward_test": 0, "sgd_step_test": 1})


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    folder = tmp_path_factory.mktemp("course")
    run_course("release", "--course", folder)
    return folder


@pytest.fixture(scope="module")
def batch(course, tmp_path_factory):
    """One grading batch: for every chapter a full solution and a blank copy, plus the
    partial and hostile chapter-02 submissions and a file that is not a notebook."""
    subs = tmp_path_factory.mktemp("submitted")
    for chapter in CHAPTERS:
        for student, nb in [("solved", submission(course, chapter, solve="all")),
                            ("blank", release_nb(course, chapter))]:
            (subs / student).mkdir(exist_ok=True)
            nbformat.write(nb, subs / student / f"{chapter}.ipynb")
    for student, (how, _) in HOSTILE.items():
        (subs / student / CH).mkdir(parents=True)   # nbgrader's collected layout
        nbformat.write(submission(course, CH, **how), subs / student / CH / f"{CH}.ipynb")
    (subs / "garbled").mkdir()
    (subs / "garbled" / f"{CH}.ipynb").write_text('{"cells": [ this is not JSON')
    (subs / "no id!").mkdir()                   # a folder name that is no student id
    nbformat.write(release_nb(course, CH), subs / "no id!" / f"{CH}.ipynb")
    out = tmp_path_factory.mktemp("grades") / "gradebook.csv"
    out.write_text("an older gradebook\n")
    stdout = run_course("grade", subs, "--course", course, "--out", out,
                        "--timeout", CELL_TIMEOUT)
    rows = {(r["student"], r["chapter"]): r for r in read_csv(out)}
    cells = {(r["student"], r["chapter"], r["exercise"]): float(r["points"])
             for r in read_csv(out.with_name("gradebook-exercises.csv"))}
    return {"rows": rows, "cells": cells, "stdout": stdout, "out": out}


# ---------------------------------------------------------------- 2. the release
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_student_version_holds_no_solution(course, chapter):
    nb = release_nb(course, chapter)
    source = nbformat.read(NOTEBOOKS / f"{chapter}.ipynb", as_version=4)
    released = {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
                if "grade_id" in c.metadata.get("nbgrader", {})}
    assert set(released) == {c.metadata["nbgrader"]["grade_id"] for c in source.cells
                             if "grade_id" in c.metadata.get("nbgrader", {})}
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("solution"):
            continue
        stub = released[meta["grade_id"]]
        assert "raise NotImplementedError()" in stub.source
        assert not stub.metadata.get("jupyter", {}).get("source_hidden"), \
            "a student must see the stub: solution cells are expanded in the release"
        outside = re.sub(r"### BEGIN SOLUTION\n.*?### END SOLUTION\n?", "", cell.source,
                         flags=re.S)
        for block in re.findall(r"### BEGIN SOLUTION\n(.*?)[ \t]*### END SOLUTION",
                                cell.source, re.S):
            for line in filter(None, map(str.strip, block.splitlines())):
                if line not in outside:
                    assert line not in stub.source, f"{meta['grade_id']}: {line!r} released"
    text = "\n".join(c.source for c in nb.cells)
    assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text
    assert all(not c.get("outputs") for c in nb.cells), "outputs are cleared"


def test_every_graded_test_fails_on_the_student_version(batch):
    for chapter in CHAPTERS:
        for grade_id in graded_cells(chapter):
            assert batch["cells"][("blank", chapter, grade_id)] == 0, (chapter, grade_id)
        assert batch["rows"][("blank", chapter)]["points"] == "0"


# ---------------------------------------------------------------- 1. and 3. round trip
def test_instructor_solutions_score_full_points_in_every_chapter(batch):
    assert len(CHAPTERS) == 5
    for chapter in CHAPTERS:
        row = batch["rows"][("solved", chapter)]
        expected = sum(graded_cells(chapter).values())
        assert expected > 0
        assert (row["status"], float(row["points"]), float(row["max_points"])) == \
            ("graded", expected, expected), chapter
        for grade_id, points in graded_cells(chapter).items():
            assert batch["cells"][("solved", chapter, grade_id)] == points, grade_id


# ---------------------------------------------------------------- 4. hostile
@pytest.mark.parametrize("student", sorted(HOSTILE))
def test_each_submission_gets_the_points_it_earned(batch, student):
    expected = HOSTILE[student][1]
    got = {g: batch["cells"][(student, CH, g)] for g in graded_cells(CH)}
    assert got == expected
    row = batch["rows"][(student, CH)]
    assert row["status"] == "graded"
    assert float(row["points"]) == sum(expected.values())
    assert float(row["max_points"]) == 6


def test_the_batch_completes_and_reports_what_it_could_not_grade(batch):
    rows = batch["rows"]
    n_expected = 2 * len(CHAPTERS) + len(HOSTILE) + 1
    assert len(rows) == n_expected, sorted(rows)
    garbled = rows[("garbled", CH)]
    assert garbled["points"] == "0" and garbled["status"].startswith("not graded")
    assert "skipped folder 'no id!': not a valid student id" in batch["stdout"]
    assert not any(s == "no id!" for s, _ in rows)


def test_a_dead_kernel_is_explained_in_the_graded_notebook(batch, course):
    def errors(student):
        nb = nbformat.read(course / "autograded" / student / CH / f"{CH}.ipynb", as_version=4)
        return [o.ename for c in nb.cells for o in c.get("outputs", [])
                if o.output_type == "error"]
    assert "DeadKernelError" in errors("kills")
    assert errors("solved") == []   # the grader's own cells run cleanly


def test_ten_megabytes_of_output_are_cut(batch, course):
    graded = course / "autograded" / "prints" / CH / f"{CH}.ipynb"
    assert graded.stat().st_size < 1_000_000
    assert "output truncated by the grader" in graded.read_text()


@pytest.fixture(scope="module")
def second_batch(course, tmp_path_factory):
    """A second batch, graded with a 10 s cell limit, the checker guard switched off and
    HTML feedback: an infinite loop, the patching submission again, a wrong SGD step."""
    subs = tmp_path_factory.mktemp("submitted2")
    wrong = submission(course, CH, solve="all", replace=WRONG_SIGN)
    unguarded = [(f"{student}_unguarded", submission(course, CH, **HOSTILE[student][0]))
                 for student in GUARDED]
    for student, nb in [("loops", submission(course, CH, **LOOPS[0])), ("wrong_sign", wrong),
                        *unguarded]:
        (subs / student).mkdir()
        nbformat.write(nb, subs / student / f"{CH}.ipynb")
    out = tmp_path_factory.mktemp("grades2") / "gradebook.csv"
    run_course("grade", subs, "--course", course, "--out", out, "--timeout", LOOP_TIMEOUT,
               "--nbgrader-option=--GuardCheckers.enabled=False", "--feedback")
    cells = {(r["student"], r["exercise"]): float(r["points"])
             for r in read_csv(out.with_name("gradebook-exercises.csv"))}
    return {r["student"]: float(r["points"]) for r in read_csv(out)}, cells


def test_an_infinite_loop_costs_its_cell_only(second_batch, course):
    rows, cells = second_batch
    assert {g: cells[("loops", g)] for g in graded_cells(CH)} == LOOPS[1]
    assert rows["loops"] == sum(LOOPS[1].values())
    nb = nbformat.read(course / "autograded" / "loops" / CH / f"{CH}.ipynb", as_version=4)
    assert "CellTimeoutError" in [o.ename for c in nb.cells for o in c.get("outputs", [])
                                  if o.output_type == "error"]


@pytest.mark.parametrize("student", GUARDED)
def test_the_checker_guard_is_what_stops_the_attack(second_batch, student):
    """Control: the same submission, graded with the guard switched off, scores points it
    did not earn. So the points it loses in the first batch are the guard's doing."""
    rows, _ = second_batch
    earned = sum(HOSTILE[student][1].values())
    assert rows[f"{student}_unguarded"] > earned, \
        f"without the guard, {student} would have earned more than {earned}"


def test_feedback_carries_the_checkers_hint(second_batch, course):
    rows, _ = second_batch
    assert rows["wrong_sign"] == 5
    feedback = course / "feedback" / "wrong_sign" / CH / f"{CH}.html"
    assert feedback.exists(), "--feedback writes nbgrader's HTML feedback"
    assert "step against the gradient" in feedback.read_text()


def test_the_gradebook_is_replaced_whole(batch):
    text = batch["out"].read_text()
    assert text.startswith("student,chapter,points,max_points,status")
    assert "an older gradebook" not in text
    assert not list(batch["out"].parent.glob(".gradebook*.tmp"))


def test_a_failed_write_leaves_the_old_gradebook(tmp_path):
    path = tmp_path / "gradebook.csv"
    path.write_text("student,chapter,points,max_points,status\nann,02_training,6,6,graded\n")
    before = path.read_text()

    def rows():
        yield {"student": "bo", "chapter": "02_training", "points": "1", "max_points": "6",
               "status": "graded"}
        raise RuntimeError("the grader crashed halfway")

    with pytest.raises(RuntimeError, match="halfway"):
        course_py.write_csv_atomic(path, course_py.GRADEBOOK_FIELDS, rows())
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["gradebook.csv"]


@pytest.mark.parametrize("option,value,shown", [("--timeout", "0", "0"),
                                               ("--wall-timeout", "-5", "-5.0")])
def test_a_non_positive_time_limit_is_refused_by_name(tmp_path, option, value, shown):
    proc = subprocess.run([str(GRADE_PY), str(COURSE_PY), "grade", str(tmp_path), option, value],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert f"{option} must be a positive number of seconds, got {shown}" in proc.stderr
