"""Shared pytest hooks.

No MPLBACKEND is set here: kernels started by nbval and by the browser test inherit
this environment, and a forced Agg backend would stop notebooks from showing figures.
"""


import os


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Print the browser test's numbers (tests/test_browser.py records them with
    record_property, which also reaches this process from pytest-xdist workers)
    and write them to $DLKIT_BROWSER_RESULTS or <tmp>/dlkit-browser/slider_times.json."""
    import json
    import tempfile
    from pathlib import Path

    chapters = []
    for outcome in ("passed", "failed"):
        for report in terminalreporter.stats.get(outcome, []):
            if getattr(report, "when", None) != "call":
                continue
            chapters += [value for name, value in getattr(report, "user_properties", ())
                         if name == "browser_chapter"]
    if not chapters:
        return
    chapters.sort(key=lambda c: c["notebook"])
    write = terminalreporter.write_line
    terminalreporter.section("JupyterLab in Chromium: slider release -> new figure, "
                             "language menu -> new page")
    for chapter in chapters:
        write(f"{chapter['notebook']}: {chapter['code_cells']} code cells ran in "
              f"{chapter['run_all_seconds']:.1f} s, {chapter['widgets']} widget(s)")
        for move in chapter["sliders"]:
            write(f"    widget {move['widget']} '{move['slider']}' {move['from']} -> {move['to']}:"
                  f" {move['seconds'] * 1000:.0f} ms")
        for menu in chapter.get("menus", []):
            write(f"    widget {menu['widget']} menu '{menu['menu']}' {menu['from']} ->"
                  f" {menu['to']}: {menu['seconds'] * 1000:.0f} ms (new page, headings"
                  f" {menu['headings'][:2]})")
    times = [m["seconds"] for c in chapters for m in c["sliders"]]
    if times:
        write(f"slider -> figure: {len(times)} drag(s), max {max(times) * 1000:.0f} ms")
    times = [m["seconds"] for c in chapters for m in c.get("menus", [])]
    if times:
        write(f"menu -> page: {len(times)} choice(s), max {max(times) * 1000:.0f} ms")
    path = Path(os.environ.get("DLKIT_BROWSER_RESULTS")
                or Path(tempfile.gettempdir()) / "dlkit-browser" / "slider_times.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"chapters": chapters}, indent=2) + "\n")
    write(f"written to {path}")
