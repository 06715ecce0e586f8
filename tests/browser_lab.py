"""JupyterLab in Debian's headless Chromium, driven by Playwright.

The tooling of tests/test_browser.py (and so of `make screenshots`):

- ``JupyterLab`` starts ``jupyter lab`` on 127.0.0.1 (a free port, a random
  token, ``--no-browser``) with its own temporary root, runtime, config, data,
  settings and workspace directories, so a run never touches the reader's
  ~/.jupyter nor the committed notebooks (the server works on copies);
- ``Chromium`` starts /usr/bin/chromium headless with a fresh profile and
  Playwright connects to it over the DevTools protocol;
- ``run_chapter`` opens a notebook, clears and runs every cell through the
  menus as a reader would, checks outputs and widgets, drags a slider of
  every widget and times the new figure, and switches the recap page
  (chapter 06) to French with its language menu and times the new page.

Both processes are started in their own session and stopped by their process
ids (the process group, then any descendant left), always.
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
#: JupyterLab defaults shipped with the project (installed into the venv by the Makefile).
PROJECT_OVERRIDES = ROOT / ".jupyter" / "lab-overrides.json"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
WINDOW = {"width": 1400, "height": 1000}

#: User settings of the test's own JupyterLab (a temporary JUPYTERLAB_SETTINGS_DIR):
#: every cell stays in the DOM (JupyterLab 4 renders notebooks windowed), and the
#: copies under test are never saved.
TEST_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
}

SCREENSHOT_MAX_BYTES = 200_000


def chapter_notebooks() -> list[Path]:
    """Every chapter notebook, notebooks/NN_*.ipynb, in order."""
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def browser_missing() -> str | None:
    """Why the browser test cannot run here, or None when it can."""
    if not os.access(CHROMIUM, os.X_OK):
        return (f"Debian's chromium is not installed ({CHROMIUM} missing): "
                "apt-get install chromium (.ci/run does it)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is missing: run `make install`"
    return None


# ---------------------------------------------------------------- processes

def _start_time(pid: int) -> str | None:
    """The kernel's start time of a process (field 22 of /proc/PID/stat), None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _descendants(pid: int) -> list[tuple[int, str]]:
    """(pid, start time) of every live descendant of pid (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], list(children.get(pid, []))
    while todo:
        child = todo.pop()
        start = _start_time(child)
        if start is not None:
            found.append((child, start))
        todo += children.get(child, [])
    return found


def stop_process(proc: subprocess.Popen, timeout: float = 15.0) -> None:
    """SIGTERM proc's process group, SIGKILL it after timeout, then kill any
    descendant that left the group (a Jupyter kernel runs in its own session)."""
    if proc.poll() is None:
        left = _descendants(proc.pid)
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout)
        for pid, start in left:
            if _start_time(pid) == start:  # still the same process, not a reused pid
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def _tail(path: Path, n: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


def _wait_for(predicate, timeout: float, what: str, proc: subprocess.Popen | None = None,
              log: Path | None = None, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with code {proc.returncode}\n"
                               + (_tail(log) if log else ""))
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not ready after {timeout:.0f} s\n"
                               + (_tail(log) if log else ""))
        time.sleep(interval)


def _wait_for_probe(page, name: str, timeout: float, what: str) -> dict:
    """Poll ``window[name]`` (set by a watch script) until it says loaded or failed."""
    def done():
        probe = page.evaluate(f"window.{name}")
        return probe if probe["loaded"] is not None or probe["failed"] is not None else None
    return _wait_for(done, timeout, what, interval=0.05)


# ---------------------------------------------------------------- JupyterLab

class JupyterLab:
    """``jupyter lab`` serving copies of the notebooks from a temporary root."""

    def __init__(self, workdir: Path, notebooks: list[Path] | None = None):
        self.workdir = Path(workdir)
        self.notebooks = chapter_notebooks() if notebooks is None else list(notebooks)
        self.token = secrets.token_hex(24)
        self.proc: subprocess.Popen | None = None
        self.base_url = ""
        self.log = self.workdir / "jupyterlab.log"

    def __enter__(self) -> JupyterLab:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _prepare(self) -> dict[str, str]:
        dirs = {name: self.workdir / name for name in
                ("root", "runtime", "config", "data", "settings", "workspaces", "ipython")}
        for d in dirs.values():
            d.mkdir(parents=True, exist_ok=True)
        # The server works on copies: the committed notebooks are never saved over.
        (dirs["root"] / "notebooks").mkdir(exist_ok=True)
        for nb in self.notebooks:
            shutil.copy2(nb, dirs["root"] / "notebooks" / nb.name)
        if (ROOT / "images").is_dir() and not (dirs["root"] / "images").exists():
            (dirs["root"] / "images").symlink_to(ROOT / "images")  # ../images/x.png in markdown
        for plugin, values in TEST_SETTINGS.items():
            path = dirs["settings"] / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        self.root = dirs["root"]
        self.runtime = dirs["runtime"]
        env = dict(os.environ)
        env.update(JUPYTER_RUNTIME_DIR=str(dirs["runtime"]), JUPYTER_CONFIG_DIR=str(dirs["config"]),
                   JUPYTER_DATA_DIR=str(dirs["data"]), JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
                   JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]), IPYTHONDIR=str(dirs["ipython"]))
        env.pop("JUPYTER_PATH", None)
        return env

    def start(self, timeout: float = 90.0) -> None:
        env = self._prepare()
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", "--port=0",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={self.root}",
               # window.jupyterapp: the test reads execution counts and outputs from
               # the notebook model (collapsed cells show no prompt in the DOM)
               "--LabApp.expose_app_in_browser=True"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(cmd, env=env, cwd=self.root, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        info_file = self.runtime / f"jpserver-{self.proc.pid}.json"
        info = _wait_for(lambda: info_file.exists() and _read_json(info_file), timeout,
                         "jupyter lab server file", self.proc, self.log)
        self.base_url = f"http://127.0.0.1:{info['port']}/"
        _wait_for(lambda: self._status_ok(), timeout, "jupyter lab /api/status", self.proc, self.log)

    def _status_ok(self) -> bool:
        try:
            self.api("GET", "api/status")
            return True
        except OSError:
            return False

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}?token={self.token}"

    def api(self, method: str, path: str):
        req = urllib.request.Request(self.base_url + path, method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=20) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        for session in self.api("GET", "api/sessions"):
            self.api("DELETE", f"api/sessions/{session['id']}")
        for kernel in self.api("GET", "api/kernels"):
            self.api("DELETE", f"api/kernels/{kernel['id']}")

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            if self.proc.poll() is None and self.base_url:
                self.shutdown_kernels()
        except OSError:
            pass
        finally:
            stop_process(self.proc)


def _read_json(path: Path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None  # being written


# ---------------------------------------------------------------- Chromium

class Chromium:
    """Debian's chromium, headless with a fresh profile, and Playwright connected to it."""

    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.profile = self.workdir / "chromium-profile"
        self.log = self.workdir / "chromium.log"
        self.proc: subprocess.Popen | None = None
        self._playwright = None
        self.browser = None

    def __enter__(self) -> Chromium:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, timeout: float = 60.0) -> None:
        from playwright.sync_api import sync_playwright

        self.profile.mkdir(parents=True, exist_ok=True)
        cmd = [CHROMIUM, *CHROMIUM_ARGS, f"--user-data-dir={self.profile}",
               "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
               f"--window-size={WINDOW['width']},{WINDOW['height']}", "about:blank"]
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        port_file = self.profile / "DevToolsActivePort"

        def port():
            try:
                lines = port_file.read_text().split()
            except OSError:
                return None
            return lines[0] if len(lines) >= 2 else None

        devtools_port = _wait_for(port, timeout, "chromium DevTools port", self.proc, self.log)
        self._playwright = sync_playwright().start()
        self.browser = self._playwright.chromium.connect_over_cdp(
            f"http://127.0.0.1:{devtools_port}", timeout=timeout * 1000)

    def new_page(self):
        context = self.browser.new_context(viewport=WINDOW, device_scale_factor=1)
        return context.new_page()

    def stop(self) -> None:
        try:
            if self.browser is not None:
                try:
                    self.browser.close()
                except Exception:  # noqa: BLE001 - the browser may be gone already
                    pass
            if self._playwright is not None:
                self._playwright.stop()
        finally:
            if self.proc is not None:
                stop_process(self.proc)


# ---------------------------------------------------------------- a chapter

@dataclass
class SliderMove:
    widget: int
    slider: str
    before: str
    after: str
    seconds: float           # mouse release -> new figure decoded in the page
    changed_pixels: float    # fraction of the figure's pixels that changed


@dataclass
class MenuChoice:
    widget: int
    menu: str
    before: str
    after: str
    seconds: float           # menu choice (change event) -> new page, its figures decoded
    changed_pixels: float    # fraction of the page's top that changed
    headings_before: list[str]
    headings_after: list[str]


@dataclass
class ChapterRun:
    notebook: str
    code_cells: int = 0
    run_seconds: float = 0.0
    widgets: int = 0          # LivePlot figures and recap pages on the page
    sliders: list[SliderMove] = field(default_factory=list)
    menus: list[MenuChoice] = field(default_factory=list)
    screenshot: Path | None = None

    def as_dict(self) -> dict:
        return {"notebook": self.notebook, "code_cells": self.code_cells,
                "run_all_seconds": round(self.run_seconds, 2), "widgets": self.widgets,
                "screenshot": str(self.screenshot) if self.screenshot else None,
                "sliders": [{"widget": s.widget, "slider": s.slider, "from": s.before,
                             "to": s.after, "seconds": round(s.seconds, 3),
                             "changed_pixels": round(s.changed_pixels, 4)}
                            for s in self.sliders],
                "menus": [{"widget": m.widget, "menu": m.menu, "from": m.before, "to": m.after,
                           "seconds": round(m.seconds, 3),
                           "changed_pixels": round(m.changed_pixels, 4),
                           "headings": m.headings_after[:3]}
                          for m in self.menus]}


class ChapterError(AssertionError):
    pass


# The notebook panel of `path` and a summary of its model and its DOM.
_STATE_JS = r"""
(path) => {
  const app = window.jupyterapp;
  if (!app) return {ready: false, why: 'no window.jupyterapp'};
  let panel = null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.content.model) panel = w;
  }
  if (!panel || !panel.context.isReady) return {ready: false, why: 'notebook not loaded'};
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cells = [];
  const errors = [];
  let widgetOutputs = 0;
  let index = -1;
  for (const cell of panel.content.model.cells) {
    index++;
    if (cell.type !== 'code') continue;
    // JupyterLab does not send an empty cell to the kernel: it never gets a number
    if (cell.sharedModel.getSource().trim() === '') continue;
    cells.push({count: cell.executionCount, state: cell.executionState});
    for (let k = 0; k < cell.outputs.length; k++) {
      const out = cell.outputs.get(k).toJSON();
      if (out.output_type === 'error') {
        errors.push(`cell ${index}: ${out.ename}: ${out.evalue}`);
      }
      if (out.data && out.data['application/vnd.jupyter.widget-view+json']) widgetOutputs++;
    }
  }
  const node = panel.node;
  const stderr = Array.from(node.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'))
    .map(e => e.innerText).filter(t => t.includes('Traceback'));
  // A widget output is rendered by the widget manager into the output node itself: a
  // view (a direct child with class jupyter-widgets), or an error/loading message.
  const outputs = Array.from(node.querySelectorAll('.jp-OutputArea-output'));
  const widgetViews = outputs.filter(e =>
      e.classList.contains('jupyter-widgets') || e.querySelector(':scope > .jupyter-widgets')
      || /Loading widget|Error displaying widget/.test(e.textContent));
  const widgetProblems = widgetViews.map(e => e.innerText)
      .filter(t => /Loading widget|Error displaying widget/.test(t));
  const rendered = widgetViews.filter(e => {
      const w = e.querySelector(':scope > .jupyter-widgets');
      if (!w) return false;
      const r = w.getBoundingClientRect();
      return r.width > 0 && r.height > 0;
  }).length;
  const lives = Array.from(node.querySelectorAll('.dlkit-live')).map(live => {
      const img = live.querySelector('img.dlkit-live-figure');
      return img ? {loaded: img.complete && img.naturalWidth > 0 && img.naturalHeight > 0,
                    width: img.naturalWidth, height: img.naturalHeight} : {loaded: false};
  });
  return {ready: true, kernel: kernel ? kernel.status : 'none',
          indicator: (panel.node.querySelector('.jp-Notebook-ExecutionIndicator') || document
                      .querySelector('.jp-Notebook-ExecutionIndicator') || {dataset: {}})
                      .dataset.status || null,
          cells, errors, stderr, widgetOutputs, widgetViews: widgetViews.length,
          widgetsRendered: rendered, widgetProblems, lives,
          recaps: node.querySelectorAll('.dlkit-recap-widget').length,
          errorText: document.body.innerText.includes('Error displaying widget'),
          toasts: Array.from(document.querySelectorAll('.Toastify__toast')).map(e => e.innerText)};
}
"""

# Before a drag: time the mouse release and the decoding of the next figure.
_WATCH_JS = r"""
(img) => {
  const probe = {src: img.src, up: null, loaded: null, failed: null};
  window.__dlkitProbe = probe;
  const onUp = () => { if (probe.up === null) probe.up = performance.now(); };
  window.addEventListener('pointerup', onUp, {capture: true, once: true});
  window.addEventListener('mouseup', onUp, {capture: true, once: true});
  const observer = new MutationObserver(() => {
    if (img.src === probe.src) return;
    observer.disconnect();
    img.decode().then(() => { probe.loaded = performance.now(); },
                      (err) => { probe.failed = String(err); });
  });
  observer.observe(img, {attributes: true, attributeFilter: ['src']});
}
"""


# Before a language choice in the recap page: time the change event and the new page,
# shown when its headings read `expected` and all its figures are decoded.
_MENU_WATCH_JS = r"""
(root, expected) => {
  const select = root.querySelector('select');
  const probe = {value: select.value, changed: null, shown: null, loaded: null, failed: null,
                 images: 0};
  window.__dlkitMenuProbe = probe;
  select.addEventListener('change', () => {
    if (probe.changed === null) probe.changed = performance.now();
  }, {capture: true, once: true});
  const headings = () => Array.from(root.querySelectorAll(
      '.dlkit-recap h1, .dlkit-recap h2, .dlkit-recap h3'))
    .map(h => h.textContent.replace(/\s+/g, ' ').trim());
  const observer = new MutationObserver(() => {
    if (probe.shown !== null) return;
    const now = headings();
    if (now.length !== expected.length || now.some((h, i) => h !== expected[i])) return;
    probe.shown = performance.now();
    observer.disconnect();
    const imgs = Array.from(root.querySelectorAll('.dlkit-recap img'));
    probe.images = imgs.length;
    Promise.all(imgs.map(img => img.decode())).then(
        () => { probe.loaded = performance.now(); }, (err) => { probe.failed = String(err); });
  });
  observer.observe(root, {childList: true, subtree: true, characterData: true});
}
"""

# The recap page's headings (h1-h3 of the page, not of the menu), whitespace collapsed.
_HEADINGS_JS = r"""
(root) => Array.from(root.querySelectorAll('.dlkit-recap h1, .dlkit-recap h2, .dlkit-recap h3'))
  .map(h => h.textContent.replace(/\s+/g, ' ').trim())
"""

#: The language the test chooses in the recap's menu (chapter 06).
RECAP_LANGUAGE = "fr"
#: Most height of the recap's picture (its menu, title, contents and first figure).
RECAP_SHOT_HEIGHT = 800


def _click_menu(page, menu: str, item: str) -> None:
    """Click a main-menu entry, e.g. Run > Run All Cells, as a reader would."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{re.escape(menu)}$")).click()
    entry = page.locator(".lm-Menu:visible .lm-Menu-item",
                         has_text=re.compile(rf"^{re.escape(item)}"))
    entry.first.click()


def _state(page, path: str) -> dict:
    return page.evaluate(_STATE_JS, path)


def _png_difference(before: bytes, after: bytes) -> float:
    """Fraction of pixels that differ between two PNG screenshots."""
    import numpy as np
    from PIL import Image

    a = np.asarray(Image.open(io.BytesIO(before)).convert("RGB"), dtype=np.int16)
    b = np.asarray(Image.open(io.BytesIO(after)).convert("RGB"), dtype=np.int16)
    if a.shape != b.shape:
        return 1.0
    return float(np.mean(np.any(np.abs(a - b) > 8, axis=-1)))


def save_screenshot(png: bytes, path: Path, max_bytes: int = SCREENSHOT_MAX_BYTES) -> Path:
    """Write png to path, as a 256-colour palette image if the full one is too big."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, optimize=True)
    if path.stat().st_size > max_bytes:
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    return path


def run_chapter(page, lab: JupyterLab, notebook: str, *, screenshot_dir: Path | None = None,
                run_timeout: float = 300.0, figure_timeout: float = 60.0,
                log=print) -> ChapterRun:
    """Open notebooks/<notebook> in JupyterLab, run it all and exercise its widgets.

    Raises ChapterError (an AssertionError) with what a reader would have seen wrong.
    """
    path = f"notebooks/{notebook}"
    result = ChapterRun(notebook)
    page.set_default_timeout(60_000)
    workspace = re.sub(r"\W", "-", Path(notebook).stem)
    page.goto(lab.url(f"lab/workspaces/{workspace}/tree/{path}"))

    def kernel_idle():
        s = _state(page, path)
        return s if s["ready"] and s["kernel"] == "idle" else None

    _wait_for(kernel_idle, 120, f"{notebook}: notebook open with an idle kernel")

    # A reader's run: Edit > Clear Outputs of All Cells, then Run > Run All Cells.
    _click_menu(page, "Edit", "Clear Outputs of All Cells")
    state = _state(page, path)
    if any(c["count"] is not None for c in state["cells"]):
        raise ChapterError(f"{notebook}: execution counts left after clearing all outputs")
    result.code_cells = len(state["cells"])
    start = time.monotonic()
    _click_menu(page, "Run", "Run All Cells")

    def finished():
        s = _state(page, path)
        if s["errors"] or s["stderr"]:
            return s
        done = (s["kernel"] == "idle" and all(c["count"] is not None for c in s["cells"])
                and all(c["state"] != "running" for c in s["cells"]))
        return s if done else None

    state = _wait_for(finished, run_timeout, f"{notebook}: Run All Cells", interval=0.25)
    result.run_seconds = time.monotonic() - start
    if state["errors"] or state["stderr"]:
        raise ChapterError(f"{notebook}: error output after Run All Cells:\n"
                           + "\n".join(state["errors"] + state["stderr"])[:4000])
    counts = [c["count"] for c in state["cells"]]
    if counts != list(range(1, len(counts) + 1)):
        raise ChapterError(f"{notebook}: a fresh kernel should number the cells 1..{len(counts)}"
                           f" in order, got {counts}")
    log(f"{notebook}: {len(counts)} code cells ran in {result.run_seconds:.1f} s")

    # Every widget output is a rendered widget; every LivePlot shows its figure.
    def widgets_settled():
        s = _state(page, path)
        ok = (s["widgetViews"] == s["widgetOutputs"] and s["widgetsRendered"] == s["widgetViews"]
              and not s["widgetProblems"] and all(live["loaded"] for live in s["lives"]))
        return s if ok else None

    try:
        state = _wait_for(widgets_settled, 60, f"{notebook}: widgets rendered", interval=0.25)
    except TimeoutError:
        state = _state(page, path)
        raise ChapterError(
            f"{notebook}: widgets not all rendered: {state['widgetOutputs']} widget outputs, "
            f"{state['widgetViews']} shown, {state['widgetsRendered']} rendered, "
            f"problems {state['widgetProblems']}, figures {state['lives']}") from None
    if state["errorText"]:
        raise ChapterError(f"{notebook}: the page shows 'Error displaying widget'")
    sources = "\n".join(c.get("source", "") if isinstance(c.get("source"), str)
                        else "".join(c.get("source", []))
                        for c in json.loads((lab.root / path).read_text())["cells"]
                        if c["cell_type"] == "code")
    if "LivePlot(" in sources and not state["lives"]:
        raise ChapterError(f"{notebook}: the chapter builds a LivePlot but no .dlkit-live "
                           "widget is on the page (widget manager missing?)")
    if "recap_widget(" in sources and not state["recaps"]:
        raise ChapterError(f"{notebook}: the chapter builds a recap_widget but no "
                           ".dlkit-recap-widget is on the page (widget manager missing?)")
    result.widgets = len(state["lives"]) + state["recaps"]

    shot_path = (Path(screenshot_dir) / f"{Path(notebook).stem}_widget.png"
                 if screenshot_dir is not None else None)
    lives = page.locator(".dlkit-live")
    if state["lives"] and shot_path is not None:
        result.screenshot = save_screenshot(_widget_screenshot(page, lives.nth(0)), shot_path)

    for i in range(len(state["lives"])):
        sliders = lives.nth(i).locator(".widget-slider")
        if sliders.count() == 0:
            continue
        move = _drag_slider(page, lives.nth(i), sliders.nth(0), i, figure_timeout)
        result.sliders.append(move)
        log(f"{notebook}: widget {i} '{move.slider}' {move.before} -> {move.after}: "
            f"new figure {move.seconds * 1000:.0f} ms after release, "
            f"{move.changed_pixels:.1%} of pixels changed")

    recaps = page.locator(".dlkit-recap-widget")
    for i in range(state["recaps"]):
        choice = _choose_language(page, recaps.nth(i), i, RECAP_LANGUAGE, figure_timeout)
        result.menus.append(choice)
        log(f"{notebook}: widget {i} '{choice.menu}' {choice.before} -> {choice.after}: "
            f"new page {choice.seconds * 1000:.0f} ms after the choice, "
            f"{choice.changed_pixels:.1%} of pixels changed, "
            f"headings {choice.headings_after[:2]}")
        if i == 0 and result.screenshot is None and shot_path is not None:
            result.screenshot = save_screenshot(_recap_screenshot(page, recaps.nth(0)), shot_path)

    state = _state(page, path)
    if state["errors"] or state["stderr"] or state["errorText"]:
        raise ChapterError(f"{notebook}: error output after using the widgets:\n"
                           + "\n".join(state["errors"] + state["stderr"])[:4000])
    # .jupyter/lab-overrides.json: JupyterLab neither asks about news nor checks for updates
    popups = [t for t in state["toasts"] if re.search(r"news|update", t, re.I)]
    if popups:
        raise ChapterError(f"{notebook}: JupyterLab shows a pop-up: {popups}")
    if state["lives"] and not result.sliders:
        raise ChapterError(f"{notebook}: {len(state['lives'])} figure widgets but none has a "
                           "slider to drag")
    return result


def _widget_screenshot(page, live) -> bytes:
    """The widget's controls and figure, cropped to what they occupy."""
    live.scroll_into_view_if_needed()
    box = live.evaluate("""(el) => {
        const r = el.getBoundingClientRect();
        let right = r.left, bottom = r.top;
        for (const child of el.querySelectorAll(':scope > *, :scope > * > *')) {
            const c = child.getBoundingClientRect();
            if (c.width > 0 && c.height > 0) {
                right = Math.max(right, c.right); bottom = Math.max(bottom, c.bottom);
            }
        }
        return {x: r.left, y: r.top, width: right - r.left, height: bottom - r.top};
    }""")
    pad = 6  # at the sides and the bottom; above sits the border of the cell's output area
    clip = {"x": max(box["x"] - pad, 0), "y": box["y"],
            "width": box["width"] + 2 * pad, "height": box["height"] + pad}
    return page.screenshot(clip=clip, animations="disabled")


def _drag_slider(page, live, slider, index: int, timeout: float) -> SliderMove:
    """Drag the slider's handle with the mouse a third of its track; time the new figure."""
    img = live.locator("img.dlkit-live-figure")
    slider.scroll_into_view_if_needed()
    label = slider.locator(".widget-label").first.inner_text().strip()
    readout = slider.locator(".widget-readout")
    before_value = readout.inner_text().strip()
    live.scroll_into_view_if_needed()
    before_png = img.screenshot(animations="disabled")
    handle = slider.locator(".noUi-handle").first
    handle.scroll_into_view_if_needed()
    h = handle.bounding_box()
    track = slider.locator(".noUi-target").first.bounding_box()
    if h is None or track is None:
        raise ChapterError(f"widget {index}: slider '{label}' has no visible handle")
    x, y = h["x"] + h["width"] / 2, h["y"] + h["height"] / 2
    # a third of the track towards the side with more room
    dx = track["width"] / 3 * (-1 if x > track["x"] + track["width"] / 2 else 1)
    img.evaluate(_WATCH_JS)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y, steps=5)
    page.mouse.move(x + dx, y, steps=5)
    page.mouse.up()

    try:
        probe = _wait_for_probe(page, "__dlkitProbe", timeout, "new figure")
    except TimeoutError:
        raise ChapterError(
            f"widget {index}: dragging '{label}' from {before_value} to "
            f"{readout.inner_text().strip()} did not change the figure within {timeout:.0f} s"
        ) from None
    if probe["failed"] is not None:
        raise ChapterError(f"widget {index}: the new figure did not decode: {probe['failed']}")
    if probe["up"] is None:
        raise ChapterError(f"widget {index}: the page saw no mouse release")
    after_value = readout.inner_text().strip()
    if after_value == before_value:
        raise ChapterError(f"widget {index}: dragging '{label}' left its value at {before_value}")
    live.scroll_into_view_if_needed()
    after_png = img.screenshot(animations="disabled")
    changed = _png_difference(before_png, after_png)
    if changed == 0.0:
        raise ChapterError(f"widget {index}: dragging '{label}' from {before_value} to "
                           f"{after_value} gave a new image with the same pixels")
    return SliderMove(index, label, before_value, after_value,
                      (probe["loaded"] - probe["up"]) / 1000.0, changed)


def _recap_clip(page, recap, height: float) -> dict:
    """The top of the recap widget: its menu and the page down to the end of its first
    figure (at most height pixels), scrolled to the top of the notebook."""
    box = recap.evaluate("""(el) => {
        el.scrollIntoView({block: 'start'});
        const r = el.getBoundingClientRect();
        const img = el.querySelector('.dlkit-recap img');
        const bottom = img ? img.getBoundingClientRect().bottom : r.bottom;
        return {x: r.left, y: r.top, width: r.width, height: bottom - r.top};
    }""")
    viewport = page.viewport_size or WINDOW
    pad = 6  # at the sides and the bottom, as in _widget_screenshot
    left, top = max(box["x"] - pad, 0), max(box["y"], 0)
    return {"x": left, "y": top, "width": min(box["width"] + 2 * pad, viewport["width"] - left),
            "height": min(box["height"] + pad, height, viewport["height"] - top)}


def _recap_screenshot(page, recap) -> bytes:
    return page.screenshot(clip=_recap_clip(page, recap, RECAP_SHOT_HEIGHT),
                           animations="disabled")


def _translations(lang: str):
    """The sheet's English translation file and lang's (dlkit.translation)."""
    import warnings

    from dlkit import translation

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", translation.MissingTranslationWarning)
        return translation.load_translation("en"), translation.load_translation(lang)


def _translated_headings(headings: list[str], lang: str) -> list[str]:
    """The recap's English headings as the sheet's translation file for lang writes them."""
    english, target = _translations(lang)
    norm = " ".join
    item = {norm(english.text(n).split()): n for n in english}
    unknown = [h for h in headings if h not in item]
    if unknown:
        raise ChapterError(f"recap headings not found in the English translation file: {unknown}")
    return [norm(target.text(item[h]).split()) for h in headings]


def _choose_language(page, recap, index: int, lang: str, timeout: float) -> MenuChoice:
    """Choose lang in the recap's language menu with the mouse and the keyboard (click the
    menu, arrow keys to the language, Enter); time the change to the new page with its
    figures decoded, and check that its headings are the translation file's."""
    select = recap.locator("select").first
    select.scroll_into_view_if_needed()
    label = recap.locator(".widget-dropdown .widget-label").first.inner_text().strip()
    # ipywidgets' <select> has the options' labels as values: "English", "Français", ...
    values = select.evaluate("(s) => Array.from(s.options).map(o => o.value)")
    english, target = _translations(lang)
    before, wanted = select.input_value(), target.name
    if wanted not in values:
        raise ChapterError(f"widget {index}: the menu '{label}' has no {wanted!r}: {values}")
    if before != english.name or lang == "en":
        raise ChapterError(f"widget {index}: the recap page should open in {english.name} and "
                           f"the test choose another language, not {before!r} -> {wanted!r}")
    headings_before = recap.evaluate(_HEADINGS_JS)
    if not headings_before:
        raise ChapterError(f"widget {index}: the recap page shows no headings")
    expected = _translated_headings(headings_before, lang)
    clip = _recap_clip(page, recap, RECAP_SHOT_HEIGHT)
    before_png = page.screenshot(clip=clip, animations="disabled")
    recap.evaluate(_MENU_WATCH_JS, expected)
    select.click()  # the mouse opens the menu; the keys move to the language and pick it
    steps = values.index(wanted) - values.index(before)
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    page.keyboard.press("Enter")

    try:
        probe = _wait_for_probe(page, "__dlkitMenuProbe", timeout, "new recap page")
    except TimeoutError:
        raise ChapterError(
            f"widget {index}: choosing {wanted!r} in '{label}' (menu now "
            f"{select.input_value()!r}) did not show the page with the headings {expected[:3]}"
            f" within {timeout:.0f} s; it shows {recap.evaluate(_HEADINGS_JS)[:3]}") from None
    if probe["failed"] is not None:
        raise ChapterError(f"widget {index}: a figure of the new page did not decode: "
                           f"{probe['failed']}")
    if probe["changed"] is None:
        raise ChapterError(f"widget {index}: the menu '{label}' sent no change event")
    after = select.input_value()
    if after != wanted:
        raise ChapterError(f"widget {index}: the menu '{label}' shows {after!r}, not {wanted!r}")
    headings_after = recap.evaluate(_HEADINGS_JS)
    if headings_after != expected:
        raise ChapterError(f"widget {index}: headings {headings_after} after choosing {lang!r}, "
                           f"expected {expected}")
    after_png = page.screenshot(clip=_recap_clip(page, recap, RECAP_SHOT_HEIGHT),
                                animations="disabled")
    changed = _png_difference(before_png, after_png)
    if changed == 0.0:
        raise ChapterError(f"widget {index}: choosing {lang!r} left the page's pixels unchanged")
    return MenuChoice(index, label, before, after,
                      (probe["loaded"] - probe["changed"]) / 1000.0, changed,
                      headings_before, headings_after)
