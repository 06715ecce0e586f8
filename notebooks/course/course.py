"""Release the book's exercises to students and autograde their submissions, with nbgrader.

    python notebooks/course/course.py release [--course build/course]
    python notebooks/course/course.py grade SUBMISSIONS [--course build/course]
           [--out gradebook.csv] [--timeout 60] [--feedback]

Run it with the grading venv's Python: `make student` and `make grade` do.

The course folder is nbgrader's own layout (nothing in it is committed):

    nbgrader_config.py, gradebook.db
    source/<chapter>/<chapter>.ipynb          the instructor version (from notebooks/)
    release/<chapter>/<chapter>.ipynb         the student version: hand these out
    submitted/<student>/<chapter>/<chapter>.ipynb
    autograded/..., feedback/...              nbgrader's graded copies and HTML feedback
    logs/<student>-<chapter>.log              what nbgrader said while grading it

SUBMISSIONS holds one folder per student, with that student's notebooks either
flat (``alice/02_training.ipynb``) or as nbgrader collects them
(``alice/02_training/02_training.ipynb``). Every (student, chapter) is graded by
its own nbgrader process: one submission cannot stop the batch or touch
another's grades. The gradebook CSV is written to a temporary file and moved
into place, so it is never seen half-written.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
NOTEBOOKS = HERE.parent
ROOT = NOTEBOOKS.parent
DEFAULT_COURSE = ROOT / "build" / "course"
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION", "### BEGIN HIDDEN TESTS",
           "### END HIDDEN TESTS")
GRADEBOOK_FIELDS = ["student", "chapter", "points", "max_points", "status"]
EXERCISE_FIELDS = ["student", "chapter", "exercise", "points", "max_points"]


class CourseError(RuntimeError):
    """Something an instructor must fix (a broken release, nbgrader missing)."""


# ---------------------------------------------------------------- the chapters
def graded_chapters() -> list[str]:
    """Chapter notebooks of notebooks/ that hold graded cells, in order."""
    names = []
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if any(c.metadata.get("nbgrader", {}).get("grade") for c in nb.cells):
            names.append(path.stem)
    return names


def exercises(chapter: str) -> dict[str, float]:
    """grade_id -> points of the chapter's graded cells."""
    nb = nbformat.read(NOTEBOOKS / f"{chapter}.ipynb", as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"])
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}


def source_version(chapter: str):
    """The instructor notebook as nbgrader's source: outputs and widget state dropped, and
    the solution cells expanded (notebooks/ collapses them so that a self-study reader
    tries first; a student's stub must be visible)."""
    nb = nbformat.read(NOTEBOOKS / f"{chapter}.ipynb", as_version=4)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        jupyter = cell.metadata.get("jupyter", {})
        jupyter.pop("source_hidden", None)
        if not jupyter:
            cell.metadata.pop("jupyter", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return nb


# ---------------------------------------------------------------- nbgrader runs
def run_nbgrader(args: list[str], course: Path, *, log: Path, wall_timeout: float) -> int:
    """``nbgrader ARGS`` in the course folder, in its own process group, output to ``log``.

    Returns its exit code, or -1 when it ran past ``wall_timeout`` seconds (then the
    whole group, kernel included, is killed)."""
    # nbgrader runs `alembic` from PATH: the grading venv's bin goes first
    env = dict(os.environ,
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
               PYTHONPATH=os.pathsep.join(
                   p for p in [str(HERE), os.environ.get("PYTHONPATH", "")] if p))
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "nbgrader", *args], cwd=course,
                                env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            code = proc.wait(timeout=wall_timeout)
        except subprocess.TimeoutExpired:
            code = -1
        try:  # the group: nbgrader if it overran, and any kernel it left behind
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        return code


def check_release(chapter: str, release: Path) -> None:
    """Raise CourseError unless the student version holds no solution and no hidden test."""
    nb = nbformat.read(release, as_version=4)
    source = nbformat.read(NOTEBOOKS / f"{chapter}.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    for marker in MARKERS:
        if marker in text:
            raise CourseError(f"{release}: the student version still contains {marker!r}")
    released = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
                if "grade_id" in c.metadata.get("nbgrader", {})}
    for cell in source.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        for block in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS",
                                cell.source, re.S):
            for line in filter(None, map(str.strip, block.splitlines())):
                if line in released.get(grade_id, ""):
                    raise CourseError(f"{release}: a hidden test of {grade_id!r} survived: "
                                      f"{line!r}")
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            if "raise NotImplementedError()" not in cell.source:
                raise CourseError(f"{release}: solution cell {meta['grade_id']!r} has no stub")
        if cell.cell_type == "code" and cell.outputs:
            raise CourseError(f"{release}: outputs left in the student version")


def release(course: Path = DEFAULT_COURSE) -> list[Path]:
    """The student version of every graded chapter, by nbgrader's generate_assignment."""
    course.mkdir(parents=True, exist_ok=True)
    shutil.copy(HERE / "nbgrader_config.py", course / "nbgrader_config.py")
    released = []
    for chapter in graded_chapters():
        folder = course / "source" / chapter
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(source_version(chapter), folder / f"{chapter}.ipynb")
        log = course / "logs" / f"release-{chapter}.log"
        code = run_nbgrader(["generate_assignment", chapter, "--force"], course, log=log,
                            wall_timeout=600)
        out = course / "release" / chapter / f"{chapter}.ipynb"
        if code != 0 or not out.exists():
            raise CourseError(f"nbgrader generate_assignment {chapter} failed (exit {code}):\n"
                              + log.read_text(errors="replace")[-3000:])
        check_release(chapter, out)
        released.append(out)
        print(f"released {out.relative_to(course)}", flush=True)
    return released


# ---------------------------------------------------------------- submissions
def find_submissions(folder: Path, chapters: Iterable[str]) -> tuple[dict, list[str]]:
    """{(student, chapter): notebook path} and the problems found (skipped entries)."""
    found, problems = {}, []
    chapters = list(chapters)
    for student_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
        student = student_dir.name
        if not STUDENT_ID.match(student):
            problems.append(f"skipped folder {student!r}: not a valid student id")
            continue
        for chapter in chapters:
            for path in (student_dir / f"{chapter}.ipynb",
                         student_dir / chapter / f"{chapter}.ipynb"):
                if path.is_file():
                    found[(student, chapter)] = path
                    break
    return found, problems


def write_csv_atomic(path: Path, fields: list[str], rows: Iterable[dict]) -> None:
    """Write a CSV next to ``path`` and rename it into place: readers see the old file or
    the whole new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=fields)
            writer.writeheader()
            for row in rows:
                writer.writerow(row)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _points(x: float) -> str:
    return f"{x:g}"


def grade(submissions: Path, course: Path = DEFAULT_COURSE, out: Path | None = None, *,
          timeout: int = 60, wall_timeout: float = 1800, feedback: bool = False,
          nbgrader_options: Iterable[str] = ()) -> list[dict]:
    """Autograde every submission found under ``submissions``; write the gradebook CSVs.

    Returns the gradebook rows (student, chapter, points, max_points, status)."""
    from nbgrader.api import Gradebook  # the grading venv has it

    if not (course / "gradebook.db").exists() or not (course / "release").exists():
        release(course)
    points = {chapter: exercises(chapter) for chapter in graded_chapters()}
    found, problems = find_submissions(submissions, points)
    for problem in problems:
        print(problem, flush=True)
    rows, cell_rows = [], []
    for (student, chapter), path in sorted(found.items()):
        target = course / "submitted" / student / chapter
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        shutil.copy(path, target / f"{chapter}.ipynb")
        log = course / "logs" / f"{student}-{chapter}.log"
        start = time.monotonic()
        code = run_nbgrader(["autograde", chapter, "--student", student, "--create", "--force",
                             f"--Execute.timeout={timeout}", *nbgrader_options], course, log=log,
                            wall_timeout=wall_timeout)
        seconds = time.monotonic() - start
        max_points = sum(points[chapter].values())
        if code == 0:
            status = "graded"
        else:
            why = f"took longer than {wall_timeout:g} s" if code == -1 else f"exit {code}"
            status = f"not graded ({why}): see {log.relative_to(course)}"
        rows.append({"student": student, "chapter": chapter, "points": 0.0,
                     "max_points": max_points, "status": status})
        print(f"{student:<16} {chapter:<22} {status.split(':')[0]:<12} ({seconds:.0f} s)",
              flush=True)

    graded = [row for row in rows if row["status"] == "graded"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for row in graded:
            sub = gb.find_submission(row["chapter"], row["student"])
            row["points"] = float(sub.score)
            for grade_id, most in points[row["chapter"]].items():
                g = gb.find_grade(grade_id, row["chapter"], row["chapter"], row["student"])
                cell_rows.append({"student": row["student"], "chapter": row["chapter"],
                                  "exercise": grade_id, "points": _points(float(g.score)),
                                  "max_points": _points(most)})
    for row in rows:
        row["points"], row["max_points"] = _points(row["points"]), _points(row["max_points"])

    if feedback:
        for row in graded:
            student, chapter = row["student"], row["chapter"]
            run_nbgrader(["generate_feedback", chapter, "--student", student, "--force"],
                         course, log=course / "logs" / f"feedback-{student}-{chapter}.log",
                         wall_timeout=600)
    if out is not None:
        write_csv_atomic(out, GRADEBOOK_FIELDS, rows)
        write_csv_atomic(out.with_name(out.stem + "-exercises.csv"), EXERCISE_FIELDS,
                         cell_rows)
        print(f"gradebook: {out} ({len(rows)} submissions), per exercise: "
              f"{out.with_name(out.stem + '-exercises.csv')}", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_release = sub.add_parser("release", help="generate the student version of every chapter")
    p_release.add_argument("--course", type=Path, default=DEFAULT_COURSE)
    p_grade = sub.add_parser("grade", help="autograde a folder of submissions")
    p_grade.add_argument("submissions", type=Path)
    p_grade.add_argument("--course", type=Path, default=DEFAULT_COURSE)
    p_grade.add_argument("--out", type=Path, default=Path("gradebook.csv"))
    p_grade.add_argument("--timeout", type=int, default=60, help="seconds per cell")
    p_grade.add_argument("--wall-timeout", type=float, default=1800,
                         help="seconds per notebook, restarts included")
    p_grade.add_argument("--nbgrader-option", action="append", default=[], metavar="OPT",
                         help="passed on to `nbgrader autograde`, e.g. --LimitOutput.max_lines=500")
    p_grade.add_argument("--feedback", action="store_true",
                         help="also write nbgrader's HTML feedback for each submission")
    args = parser.parse_args(argv)
    course = args.course.resolve()
    try:
        if args.command == "release":
            release(course)
            print(f"student version: {course / 'release'}/<chapter>/<chapter>.ipynb")
        else:
            if not args.submissions.is_dir():
                parser.error(f"submissions: {args.submissions} is not a folder")
            if args.timeout <= 0:
                parser.error(f"--timeout must be a positive number of seconds, got "
                             f"{args.timeout}")
            if args.wall_timeout <= 0:
                parser.error(f"--wall-timeout must be a positive number of seconds, got "
                             f"{args.wall_timeout}")
            grade(args.submissions.resolve(), course, args.out.resolve(), timeout=args.timeout,
                  wall_timeout=args.wall_timeout, feedback=args.feedback,
                  nbgrader_options=args.nbgrader_option)
    except CourseError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
