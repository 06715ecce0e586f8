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


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# The first edition checked 166 of its 186 code cells; outputs are made CPU-independent
# by what they print, never by checking fewer of them.
CHECKED_SHARE = 166 / 186


def _code_cells():
    for name in NAMES:
        nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                yield name, index, cell


def test_only_live_widgets_skip_nbval():
    """A cell skips the output comparison only when its output is a live widget (its model
    ids change every run); a computed output is always compared."""
    computed = [f"{name} cell {index}: {cell.source.splitlines()[0][:60]}"
                for name, index, cell in _code_cells()
                if nbbuild.IGNORE_OUTPUT in cell.metadata.get("tags", [])
                and not any(WIDGET_VIEW in out.get("data", {}) for out in cell.outputs)]
    assert not computed, f"nbval-ignore-output on a computed output: {computed}"


def test_share_of_checked_cells_does_not_fall():
    cells = [cell for _, _, cell in _code_cells()]
    checked = [c for c in cells if nbbuild.IGNORE_OUTPUT not in c.metadata.get("tags", [])]
    assert len(checked) / len(cells) >= CHECKED_SHARE, (
        f"{len(checked)} of {len(cells)} code cells checked, below {CHECKED_SHARE:.1%}")


def test_sanitizer_masks_only_what_says_nothing_about_correctness():
    """tests/nbval_sanitize.cfg masks addresses, widget ids, progress-bar timings and
    round-off-sized relative errors, and nothing more: a new pattern would hide digits."""
    import configparser

    config = configparser.ConfigParser()
    config.read(ROOT / "tests" / "nbval_sanitize.cfg")
    assert set(config.sections()) == {"memory addresses", "widget model ids", "tqdm timings",
                                      "round-off digits"}
