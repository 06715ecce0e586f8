"""The notebooks' text has no control characters: the trace of a LaTeX macro in a non-raw
Python string of a build script ("\text" -> TAB + "ext", "\beta" -> BACKSPACE + "eta",
"\frac" -> FORM FEED + "rac"), which renders as broken maths."""

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_no_control_characters_in_cell_sources(path):
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        bad = sorted({ch for ch in cell.source if ord(ch) < 32 and ch != "\n"})
        assert not bad, (f"{path.name} cell {i} ({cell.cell_type}) holds control characters "
                         f"{[hex(ord(ch)) for ch in bad]}: a LaTeX macro in a non-raw string? "
                         f"{cell.source[:80]!r}")
