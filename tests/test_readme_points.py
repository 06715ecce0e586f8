"""The README's instructor table lists every graded exercise with the points in the notebooks."""

import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def test_points_per_chapter_in_the_readme_match_the_notebooks():
    readme = (ROOT / "README.md").read_text()
    rows = {name: (cells, points) for name, cells, points in
            re.findall(r"^\| `(\d\d_\w+)` \| (`.*) \| (\d+) \|$", readme, re.M)}
    expected, total = {}, 0
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        graded = [(c.metadata["nbgrader"]["grade_id"].removesuffix("_test"),
                   c.metadata["nbgrader"]["points"])
                  for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
        if graded:
            expected[path.stem] = (", ".join(f"`{g}` ({p:g})" for g, p in graded),
                                   str(sum(p for _, p in graded)))
            total += sum(p for _, p in graded)
    assert rows == expected
    assert f"| **the book** | | **{total:g}** |" in readme
