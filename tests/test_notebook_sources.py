"""The committed notebooks match their build scripts and follow the book's conventions."""

import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "notebooks" / "build"))
import nbbuild  # noqa: E402

NAMES = nbbuild.all_names()


@pytest.mark.parametrize("name", NAMES)
def test_committed_notebook_matches_its_build_script(name):
    built = nbbuild.load_builder(name)
    stored = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    assert nbbuild.sources(stored) == nbbuild.sources(built.nb), (
        f"notebooks/{name}.ipynb is stale: run `make notebooks` and commit")


@pytest.mark.parametrize("name", NAMES)
def test_notebook_executed_in_order_without_errors(name):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    for c in code:
        assert not [o for o in c.outputs if o.output_type == "error"], c.source[:80]


@pytest.mark.parametrize("name", NAMES)
def test_most_cells_are_checked_by_nbval(name):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    ignored = [c for c in code if nbbuild.IGNORE_OUTPUT in c.metadata.get("tags", [])]
    assert len(ignored) <= max(1, len(code) // 4), f"{len(ignored)} of {len(code)} ignored"


@pytest.mark.parametrize("name", NAMES)
def test_exercises_follow_nbgrader_conventions(name):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    ids = []
    for c in nb.cells:
        meta = c.metadata.get("nbgrader")
        if not meta:
            continue
        ids.append(meta["grade_id"])
        if meta["solution"]:
            assert "### BEGIN SOLUTION" in c.source and "### END SOLUTION" in c.source
            assert c.metadata["jupyter"]["source_hidden"] is True
        if meta["grade"]:
            assert meta["locked"] and meta["points"] > 0
            assert "check_" in c.source or "assert" in c.source
    assert len(ids) == len(set(ids)), "duplicate grade_id"
    chapters_with_exercises = {"01", "02", "03", "04", "05"}
    if name[:2] in chapters_with_exercises:
        assert sum(1 for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")) >= 3
