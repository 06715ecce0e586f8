"""Build and execute the chapter notebooks from their scripts in this folder.

Each ``NN_name.py`` here defines ``build() -> Notebook``; this module writes
``notebooks/NN_name.ipynb`` and executes it top to bottom in a clean kernel,
which is how notebooks are committed (nbval then compares a fresh run with
the stored outputs).

    python notebooks/build/nbbuild.py              # every notebook
    python notebooks/build/nbbuild.py 02_training  # one notebook
    python notebooks/build/nbbuild.py --check      # stored sources == scripts?

Cell helpers keep nbgrader's conventions in one place:

    nb.md(text)                          prose
    nb.code(src)                         a checked code cell
    nb.widget(src)                       a widget cell (output not compared by nbval)
    nb.solution(grade_id, src)           an exercise answer (### BEGIN/END SOLUTION),
                                         collapsed so a reader tries first
    nb.graded_test(grade_id, points, src) a locked, graded test cell
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import textwrap
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
NOTEBOOKS = HERE.parent
IGNORE_OUTPUT = "nbval-ignore-output"
KERNEL_TIMEOUT = 900


def _src(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def _nbgrader(grade_id: str, *, solution: bool, grade: bool, locked: bool,
              points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


class Notebook:
    """An ordered list of cells with the book's metadata conventions."""

    def __init__(self, name: str):
        self.name = name
        self.nb = nbformat.v4.new_notebook()
        self.nb.metadata.update({
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                           "name": "python3"},
            "language_info": {"name": "python"},
        })
        self._ids: set[str] = set()

    def _add(self, cell) -> None:
        cell.id = f"{self.name[:2]}-{len(self.nb.cells):03d}"
        self.nb.cells.append(cell)

    def md(self, text: str, **metadata) -> None:
        cell = nbformat.v4.new_markdown_cell(_src(text))
        cell.metadata.update(metadata)
        self._add(cell)

    def code(self, src: str, *, tags: list[str] | None = None, **metadata) -> None:
        cell = nbformat.v4.new_code_cell(_src(src))
        if tags:
            cell.metadata["tags"] = list(tags)
        cell.metadata.update(metadata)
        self._add(cell)

    def widget(self, src: str) -> None:
        """A cell whose output is a live widget: its model ids change every run."""
        self.code(src, tags=[IGNORE_OUTPUT])

    def _grade_id(self, grade_id: str) -> str:
        if grade_id in self._ids:
            raise ValueError(f"{self.name}: duplicate grade_id {grade_id!r}")
        self._ids.add(grade_id)
        return grade_id

    def solution(self, grade_id: str, src: str) -> None:
        body = _src(src)
        if "### BEGIN SOLUTION" not in body or "### END SOLUTION" not in body:
            raise ValueError(f"{self.name}/{grade_id}: a solution cell needs "
                             "### BEGIN SOLUTION and ### END SOLUTION")
        self.code(body, nbgrader=_nbgrader(self._grade_id(grade_id), solution=True,
                                           grade=False, locked=False),
                  jupyter={"source_hidden": True})

    def graded_test(self, grade_id: str, points: float, src: str) -> None:
        self.code(src, nbgrader=_nbgrader(self._grade_id(grade_id), solution=False, grade=True,
                                          locked=True, points=points))

    @property
    def path(self) -> Path:
        return NOTEBOOKS / f"{self.name}.ipynb"


def load_builder(name: str):
    path = HERE / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"nbbuild_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    nb = module.build()
    if nb.name != name:
        raise ValueError(f"{path.name} builds {nb.name!r}, expected {name!r}")
    return nb


def all_names() -> list[str]:
    return sorted(p.stem for p in HERE.glob("[0-9][0-9]_*.py"))


def execute(nb: nbformat.NotebookNode, cwd: Path = NOTEBOOKS) -> nbformat.NotebookNode:
    """Run every cell in order in a fresh kernel, storing outputs and widget state."""
    env_defaults = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                    "MKL_NUM_THREADS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    for key, value in env_defaults.items():
        os.environ.setdefault(key, value)
    client = NotebookClient(nb, timeout=KERNEL_TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}},
                            store_widget_state=True)
    client.execute()
    return nb


def sources(nb) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source) for c in nb.cells]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebooks to build (default: all)")
    parser.add_argument("--check", action="store_true",
                        help="only compare the stored notebooks' cells with the scripts")
    parser.add_argument("--no-execute", action="store_true", help="write without running")
    args = parser.parse_args(argv)
    names = args.names or all_names()
    stale = []
    for name in names:
        nb = load_builder(name)
        if args.check:
            stored = nbformat.read(nb.path, as_version=4)
            if sources(stored) != sources(nb.nb):
                stale.append(name)
            continue
        print(f"building {nb.path.name}", flush=True)
        if not args.no_execute:
            execute(nb.nb)
        nbformat.validate(nb.nb)
        nbformat.write(nb.nb, nb.path)
    if stale:
        print("stale notebooks (rebuild with `make notebooks`): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
