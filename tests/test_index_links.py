"""The index's links reach the chapters, and its links to sections reach a heading.

JupyterLab gives each heading of a rendered markdown cell the id "its text, every space
replaced by -", and a link `NN_name.ipynb#that-id` opens the notebook scrolled to it. The
fragment is compared with the id without being percent-decoded, so a link can only reach a
heading whose id has no character a browser escapes in a URL fragment (non-ASCII, quotes,
spaces, backquotes)."""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
LINK = re.compile(r"\]\((\d\d_\w+\.ipynb)(?:#([^)\s]*))?\)")
ESCAPED_IN_FRAGMENT = set(' "<>`')


def markdown(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def heading_ids(path: Path) -> set[str]:
    ids, fenced = set(), False
    for line in markdown(path).splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,6} ", line):
            ids.add(line.lstrip("#").strip().replace(" ", "-"))
    return ids


LINKS = LINK.findall(markdown(NOTEBOOKS / "00_index.ipynb"))


def test_the_index_links_every_chapter():
    chapters = {p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")} - {"00_index.ipynb"}
    assert chapters <= {target for target, _ in LINKS}


def test_the_index_links_sections():
    assert sum(1 for _, fragment in LINKS if fragment) >= 20


@pytest.mark.parametrize("target,fragment", [link for link in LINKS if link[1]],
                         ids=[f"{t}#{f}" for t, f in LINKS if f])
def test_section_link_reaches_a_heading(target, fragment):
    assert (NOTEBOOKS / target).exists(), target
    assert fragment.isascii() and not set(fragment) & ESCAPED_IN_FRAGMENT, (
        f"#{fragment}: a browser escapes some of its characters, JupyterLab will not find it")
    assert fragment in heading_ids(NOTEBOOKS / target), (
        f"{target} has no heading with the anchor #{fragment}: was it renamed?")
