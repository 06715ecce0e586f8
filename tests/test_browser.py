"""Every chapter in real JupyterLab, in Debian's headless Chromium.

For each chapter in CHAPTERS (which must list every notebooks/NN_*.ipynb): open
it, Edit > Clear Outputs of All Cells, Run > Run All Cells, wait until the
kernel is idle and every code cell has run (numbered 1..n in a fresh kernel);
no error output, no "Error displaying widget", every widget rendered and every
LivePlot figure loaded. Then use what CHAPTERS says the chapter has: drag the
first slider of every LivePlot with the mouse and check that the figure changed,
timing mouse release -> new figure decoded in the page; or choose French in the
recap's language menu (mouse and keyboard) and check that the page's headings
are the French translation file's and its pixels changed, timing the choice ->
new page with its figures decoded. The times are printed in the terminal
summary and written as JSON by tests/conftest.py.

Without /usr/bin/chromium the tests are skipped with the reason; under CI (CI
set to true / 1 / yes, as CI services do) or when screenshots are asked for, a
missing browser fails them.
DLKIT_SCREENSHOTS=DIR saves each chapter's first widget as
DIR/NN_name_widget.png (`make screenshots` writes images/).
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from browser_lab import (
    NOTEBOOK_DIR,
    SCREENSHOT_MAX_BYTES,
    ChapterError,
    Chromium,
    JupyterLab,
    _png_difference,
    browser_missing,
    chapter_notebooks,
    run_chapter,
    save_screenshot,
)

pytestmark = pytest.mark.browser

#: What each chapter shows a reader, and so what the test must find and use there:
#: "no widget" (the index: it only has to run), "sliders" (LivePlot figures, a slider
#: of each is dragged) or "language menu" (the recap page, switched to French).
CHAPTERS = {
    "00_index": "no widget",
    "01_data_processing": "sliders",
    "02_training": "sliders",
    "03_parameter_tuning": "sliders",
    "04_regularization": "sliders",
    "05_good_practices": "sliders",
    "06_recap": "language menu",
}
NOTEBOOKS = [NOTEBOOK_DIR / f"{name}.ipynb" for name in CHAPTERS]

#: Values of CI that mean "this is a CI run" (GitHub, GitLab, Travis... set CI=true).
CI_TRUE = {"1", "true", "yes", "on"}


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in CI_TRUE


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("browser")


def require_browser() -> None:
    """Skip when chromium or playwright is missing, with the reason; fail instead under CI
    or when screenshots are asked for."""
    reason = browser_missing()
    if reason:
        if running_in_ci() or os.environ.get("DLKIT_SCREENSHOTS"):
            pytest.fail(f"the browser test cannot run (CI={os.environ.get('CI', '')!r}, "
                        f"DLKIT_SCREENSHOTS={os.environ.get('DLKIT_SCREENSHOTS', '')!r}): "
                        f"{reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def lab(workdir):
    require_browser()
    server = JupyterLab(workdir / "lab", NOTEBOOKS)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def chromium(lab, workdir):
    browser = Chromium(workdir)
    try:
        browser.start()
        yield browser
    finally:
        browser.stop()


def test_every_chapter_notebook_is_found():
    """The browser test knows every chapter: a new notebooks/NN_*.ipynb must be added to
    CHAPTERS with what it shows, and a chapter listed there must exist."""
    assert [nb.name for nb in NOTEBOOKS] == [nb.name for nb in chapter_notebooks()]
    assert all(nb.is_file() for nb in NOTEBOOKS)


@pytest.mark.parametrize("value", ["true", "True", "TRUE", "1", "yes", "Yes", " true "])
def test_ci_values_that_mean_ci(monkeypatch, value):
    monkeypatch.setenv("CI", value)
    assert running_in_ci()


@pytest.mark.parametrize("value", ["", "0", "false", "False", "no"])
def test_ci_values_that_do_not(monkeypatch, value):
    monkeypatch.setenv("CI", value)
    assert not running_in_ci()


def test_a_missing_browser_fails_under_ci(monkeypatch, tmp_path):
    """Under CI a missing chromium fails the browser tests (pytest.fail), it does not skip."""
    import browser_lab

    monkeypatch.setattr(browser_lab, "CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.delenv("DLKIT_SCREENSHOTS", raising=False)
    for value, outcome in (("True", pytest.fail.Exception), ("", pytest.skip.Exception)):
        monkeypatch.setenv("CI", value)
        with pytest.raises(outcome, match="chromium is not installed"):
            require_browser()


def test_project_settings_silence_news_and_update_checks(lab):
    """.jupyter/lab-overrides.json, installed into the venv by the Makefile,
    is what the server hands to JupyterLab as its defaults."""
    plugin = lab.api("GET", "lab/api/settings/@jupyterlab/apputils-extension:notification")
    props = plugin["schema"]["properties"]
    assert props["fetchNews"]["default"] == "false", (
        "JupyterLab would ask about news: run `make install` to install "
        ".jupyter/lab-overrides.json into the venv")
    assert props["checkForUpdates"]["default"] is False


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_chapter_runs_and_its_widgets_answer_in_jupyterlab(lab, chromium, workdir, notebook,
                                                           record_property):
    shots = Path(os.environ.get("DLKIT_SCREENSHOTS") or workdir / "screenshots")
    page = chromium.new_page()
    try:
        run = run_chapter(page, lab, notebook.name, screenshot_dir=shots, log=lambda _msg: None)
    except BaseException:
        try:
            page.screenshot(path=str(workdir / f"failure_{notebook.stem}.png"), full_page=True)
        except Exception:  # noqa: BLE001 - the report matters more than the picture
            pass
        raise
    finally:
        page.context.close()
        lab.shutdown_kernels()
    record_property("browser_chapter", run.as_dict())
    if run.screenshot is not None:
        data = run.screenshot.read_bytes()
        assert data.startswith(b"\x89PNG")
        assert len(data) < SCREENSHOT_MAX_BYTES, f"{run.screenshot}: {len(data)} bytes"
    assert run.code_cells > 0, f"{notebook.name}: no code cell ran"
    expected = CHAPTERS[notebook.stem]
    if expected == "no widget":
        assert run.widgets == 0 and not run.sliders and not run.menus, run.as_dict()
    elif expected == "sliders":
        assert run.sliders, f"{notebook.name}: no slider was dragged ({run.widgets} widgets)"
        assert not run.menus, run.as_dict()
        for move in run.sliders:
            assert move.before != move.after
            assert move.changed_pixels > 0
            assert move.seconds > 0
    elif expected == "language menu":
        assert run.menus, f"{notebook.name}: no language menu was used ({run.widgets} widgets)"
        for choice in run.menus:
            assert choice.after != choice.before
            assert choice.headings_after != choice.headings_before
            assert choice.changed_pixels > 0
            assert choice.seconds > 0
    else:
        raise AssertionError(f"CHAPTERS[{notebook.stem!r}] = {expected!r}: unknown kind")
    if os.environ.get("DLKIT_SCREENSHOTS") and expected != "no widget":
        assert run.screenshot is not None, f"{notebook.name}: no screenshot taken"


def test_a_cell_that_raises_fails_the_run(lab, chromium):
    """The check can fail: a notebook whose second cell raises is reported with the error."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_code_cell("raise ValueError('broken on purpose')"),
                nbformat.v4.new_code_cell("y = 2")]
    nbformat.write(nb, lab.root / "notebooks" / "99_broken.ipynb")
    page = chromium.new_page()
    try:
        with pytest.raises(ChapterError, match="ValueError: broken on purpose"):
            run_chapter(page, lab, "99_broken.ipynb", run_timeout=120, log=lambda _msg: None)
    finally:
        page.context.close()
        lab.shutdown_kernels()


def _png(color, size=(40, 30)) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format="PNG")
    return buf.getvalue()


def test_pixel_difference_of_two_screenshots():
    white, black = _png((255, 255, 255)), _png((0, 0, 0))
    assert _png_difference(white, white) == 0.0
    assert _png_difference(white, black) == 1.0
    assert _png_difference(white, _png((255, 255, 255), size=(41, 30))) == 1.0


def test_screenshots_too_big_are_saved_as_palette_images(tmp_path):
    import io

    import numpy as np
    from PIL import Image

    noise = np.random.default_rng(0).integers(0, 256, size=(300, 400, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(noise).save(buf, format="PNG")
    assert len(buf.getvalue()) > 300_000  # 360,000 random bytes do not compress
    path = save_screenshot(buf.getvalue(), tmp_path / "shot.png", max_bytes=200_000)
    with Image.open(path) as saved:
        assert saved.mode == "P" and saved.size == (400, 300)
    assert path.stat().st_size < 200_000


def test_recap_headings_are_checked_against_the_translation_files():
    from browser_lab import _translated_headings

    assert _translated_headings(["Data processing", "Good practices"], "fr") == [
        "Traitement des données", "Bonnes pratiques"]
    with pytest.raises(ChapterError, match="not found in the English translation"):
        _translated_headings(["Data processing", "Not a heading of the sheet"], "fr")
