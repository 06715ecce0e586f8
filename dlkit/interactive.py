"""LivePlot: sliders wired to a plain render function.

The drawing lives in a function ``render(**values) -> matplotlib Figure``
that tests call directly; a LivePlot only wires widgets to it and shows the
figure as a PNG in a ``widgets.Image`` (which works the same in JupyterLab,
under nbval, and in plain pytest):

    live = LivePlot(render_training, lr=log_slider("lr", 1e-3, 10, 0.3),
                    batch_size=int_slider("batch size", 1, 200, 32))
    live            # last line of a cell: shows the controls and the figure

Sliders update on release (``continuous_update=False``): each change retrains
once rather than at every pixel of the drag. A render function with a ``fig``
argument gets back the figure it returned last time and may redraw it in place,
which is much faster than building a new one (see ``render_training``).
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable

import matplotlib

from .plotting import figure_to_png


def _widgets():
    try:
        import ipywidgets
    except ImportError as err:  # pragma: no cover - ipywidgets is in requirements.txt
        raise ImportError("interactive figures need ipywidgets: pip install ipywidgets") from err
    return ipywidgets


_STYLE = {"description_width": "initial"}


def log_slider(description: str, min: float, max: float, value: float, steps_per_decade: int = 10):
    """A FloatLogSlider from min to max (both > 0), updating on release."""
    import numpy as np

    w = _widgets()
    return w.FloatLogSlider(value=value, base=10, min=np.log10(min), max=np.log10(max),
                            step=1.0 / steps_per_decade, description=description,
                            continuous_update=False, style=_STYLE, readout_format=".3g")


def float_slider(description: str, min: float, max: float, value: float, step: float):
    w = _widgets()
    return w.FloatSlider(value=value, min=min, max=max, step=step, description=description,
                         continuous_update=False, style=_STYLE)


def int_slider(description: str, min: int, max: int, value: int, step: int = 1):
    w = _widgets()
    return w.IntSlider(value=value, min=min, max=max, step=step, description=description,
                       continuous_update=False, style=_STYLE)


def choice_slider(description: str, options, value):
    """A SelectionSlider over fixed options (e.g. batch sizes 1, 2, 4, ..., N)."""
    w = _widgets()
    return w.SelectionSlider(options=list(options), value=value, description=description,
                             continuous_update=False, style=_STYLE)


def dropdown(description: str, options, value):
    w = _widgets()
    return w.Dropdown(options=options, value=value, description=description, style=_STYLE)


class LivePlot:
    """Controls + a figure that is redrawn by ``render(**values)`` whenever a control changes.

    Parameters
    ----------
    render : function(**values) -> Figure
    controls : keyword widgets; their names are render's argument names
    reseed : add a "new random draw" button that passes an increasing
        ``seed`` to render (for random augmentations)
    dpi : resolution of the PNG shown

    If render has a ``fig`` parameter, it is passed the Figure of the previous
    update (None the first time), to redraw in place.
    """

    def __init__(self, render: Callable, *, reseed: bool = False, dpi: int = 80, **controls):
        w = _widgets()
        if not callable(render):
            raise TypeError(f"render must be a function returning a Figure, got {render!r}")
        self.render = render
        self.reuses_figure = "fig" in inspect.signature(render).parameters
        self.figure = None
        self.controls = controls
        self.dpi = dpi
        self.seed = 0
        self.renders = 0
        self.last_seconds = float("nan")
        self.image = w.Image(format="png")
        self.image.add_class("dlkit-live-figure")
        items = list(controls.values())
        for control in items:
            control.observe(self.update, names="value")
        if reseed:
            self.button = w.Button(description="new random draw", icon="refresh")
            self.button.on_click(self._reseed)
            items.append(self.button)
        box = w.Box(items, layout=w.Layout(display="flex", flex_flow="row wrap",
                                           align_items="center"))
        self.widget = w.VBox([box, self.image])
        self.widget.add_class("dlkit-live")
        self.update()

    def values(self) -> dict:
        vals = {name: control.value for name, control in self.controls.items()}
        if hasattr(self, "button"):
            vals["seed"] = self.seed
        return vals

    def _reseed(self, _button=None) -> None:
        self.seed += 1
        self.update()

    def update(self, _change=None) -> None:
        """Redraw with the controls' current values."""
        start = time.perf_counter()
        # Titles at a fixed height: matplotlib otherwise measures every tick label
        # on each draw to place them (about 15 % of a redraw; no figure here puts
        # ticks above its axes).
        with matplotlib.rc_context({"axes.titley": 1.0}):
            values = self.values()
            if self.reuses_figure:
                values["fig"] = self.figure
            self.figure = self.render(**values)
            self.image.value = figure_to_png(self.figure, dpi=self.dpi)
        self.renders += 1
        self.last_seconds = time.perf_counter() - start

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
