"""Widget panels built from config dataclasses.

``Panel(config, run)`` makes one control per declared field of ``config`` (sliders whose ranges come from the
field's validation, a checkbox per bool, a dropdown per choice, a text box where a field asks for one), runs
``run(config, progress)`` and shows the figure it returns. On every change it builds a new config (so the
same validation as in Python applies), re-runs and redraws in place without flicker. A value that fails
validation shows as one red line in the panel and leaves the last figure standing; no traceback.

``run`` receives ``progress(fraction)``; the panel shows a progress bar once a run has taken longer than
about a second, so anything over two seconds has one. Nothing is shown when ``RLCORE_QUIET=1`` (the tests
and papermill runs set it).
"""

from __future__ import annotations

import html
import math
import os
import time
from typing import Any, Callable

import ipywidgets as W
import matplotlib.pyplot as plt
from IPython.display import clear_output, display

from .config import Config, FieldSpec, field_specs

__all__ = ["Panel", "PANELS", "quiet"]

#: Every panel created in this kernel, newest last (the benchmark script nudges them to time redraws).
PANELS: list["Panel"] = []

_SHOW_PROGRESS_AFTER_S = 1.0


def quiet() -> bool:
    """True when progress output should be suppressed (``RLCORE_QUIET=1``, set by tests and benchmarks)."""
    return os.environ.get("RLCORE_QUIET", "") == "1"


def _bounds(spec: FieldSpec) -> tuple[float, float, float | None]:
    """Slider bounds: the field's valid range, narrowed by its ``ui`` hint where the range is unbounded."""
    rng, ui = spec.range, spec.ui or ()
    lo = ui[0] if len(ui) > 0 else (rng.low if rng else None)
    hi = ui[1] if len(ui) > 1 else (rng.high if rng else None)
    step = ui[2] if len(ui) > 2 else None
    if lo is None or hi is None:
        raise ValueError(f"field {spec.name!r} has an unbounded range {rng}; give it ui=(min, max) for a slider")
    return lo, hi, step


def _control(spec: FieldSpec, value: Any) -> W.Widget:
    common = dict(description=spec.name.replace("_", " "), tooltip=spec.doc or None,
                  style={"description_width": "initial"}, layout=W.Layout(width="340px"))
    if spec.kind == "bool":
        return W.Checkbox(value=bool(value), indent=False, **common)
    if spec.kind == "choice":
        return W.Dropdown(options=list(spec.choices), value=value, **common)
    if spec.widget == "text":
        return (W.IntText if spec.kind == "int" else W.FloatText)(value=value, **common)
    lo, hi, step = _bounds(spec)
    if spec.kind == "int":
        return W.IntSlider(value=int(value), min=int(lo), max=int(hi), step=int(step or 1),
                           continuous_update=False, **common)
    if spec.widget == "log":
        return W.FloatLogSlider(value=value, base=10, min=math.log10(lo), max=math.log10(hi),
                                step=step or 0.05, continuous_update=False, **common)
    return W.FloatSlider(value=value, min=lo, max=hi, step=step or (hi - lo) / 100, continuous_update=False,
                         readout_format=".3g", **common)


class Panel:
    """An interactive panel: controls for ``config``'s fields, a status line, a progress bar, a figure.

    ``run(config, progress) -> Figure | None`` does the experiment and returns the figure to show.
    ``fields`` restricts (and orders) the controls; by default every field with a widget is shown.
    """

    def __init__(self, config: Config, run: Callable[[Config, Callable[[float], None]], Any], *,
                 fields: list[str] | None = None, title: str | None = None, run_now: bool = True):
        self.config = config
        self._run = run
        specs = {s.name: s for s in field_specs(type(config))}
        names = fields or [n for n, s in specs.items() if s.widget != "none"]
        unknown = [n for n in names if n not in specs]
        if unknown:
            raise ValueError(f"{type(config).__name__} has no field(s) {unknown}")
        self.controls = {n: _control(specs[n], getattr(config, n)) for n in names}
        self.status = W.HTML(value="")
        self.progress = W.FloatProgress(value=0.0, min=0.0, max=1.0, layout=W.Layout(visibility="hidden"))
        self.output = W.Output()
        header = [W.HTML(f"<b>{html.escape(title)}</b>")] if title else []
        self.widget = W.VBox(header + [W.HBox([W.VBox(list(self.controls.values()))],
                                              layout=W.Layout(flex_flow="row wrap")),
                                       self.status, self.progress, self.output])
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.last_error: str | None = None
        self.figure = None  # the last figure shown (closed after display)
        self.last_seconds: float = float("nan")
        PANELS.append(self)
        if run_now:
            self.redraw()

    # -- reading the controls ---------------------------------------------------------------------
    def current_config(self) -> Config:
        """A new config from the controls' values; raises ``ValueError`` naming the field when invalid."""
        values = {n: c.value for n, c in self.controls.items()}
        return self.config.replace(**values)

    def _on_change(self, _change=None) -> None:
        self.redraw()

    # -- running and drawing -------------------------------------------------------------------------
    def redraw(self) -> float:
        """Validate, re-run and redraw; returns the seconds it took. Invalid values show one red line."""
        start = time.perf_counter()
        try:
            config = self.current_config()
        except ValueError as err:
            self.last_error = str(err)
            self.status.value = f'<span style="color:#D55E00">&#9888; {html.escape(str(err))}</span>'
            return time.perf_counter() - start
        self.config, self.last_error, self.status.value = config, None, ""
        self.progress.value = 0.0

        def progress(fraction: float) -> None:
            if quiet():
                return
            if time.perf_counter() - start > _SHOW_PROGRESS_AFTER_S:
                self.progress.layout.visibility = "visible"
            self.progress.value = min(max(float(fraction), 0.0), 1.0)

        if quiet():
            # Headless runs (papermill, nbval, the benchmark): no capture into the Output widget, whose
            # comm traffic can stall nbclient; the figure is shown as a plain output under the panel.
            self.figure = self._run(config, progress)
            if self.figure is not None:
                plt.close(self.figure)
        else:
            with self.output:
                figure = self._run(config, progress)
                clear_output(wait=True)
                self.figure = figure
                if figure is not None:
                    display(figure)
                    plt.close(figure)
        self.progress.layout.visibility = "hidden"
        self.last_seconds = time.perf_counter() - start
        return self.last_seconds

    def set(self, **values: Any) -> float:
        """Set controls programmatically (as a reader would) and redraw once; returns the seconds taken."""
        for control in self.controls.values():
            control.unobserve(self._on_change, names="value")
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            for control in self.controls.values():
                control.observe(self._on_change, names="value")
        return self.redraw()

    def neighbour(self, name: str) -> Any:
        """A valid value next to control ``name``'s current one (the next option, the next slider step, the
        flipped checkbox), as a reader's smallest move would give."""
        control = self.controls[name]
        if isinstance(control, W.Checkbox):
            return not control.value
        if isinstance(control, W.Dropdown):
            options = list(control.options)
            return options[(options.index(control.value) + 1) % len(options)]
        if isinstance(control, W.FloatLogSlider):
            up = control.value * control.base ** control.step
            return up if up <= control.base ** control.max else control.value / control.base ** control.step
        if hasattr(control, "max") and hasattr(control, "step"):
            up = control.value + control.step
            return up if up <= control.max else control.value - control.step
        return control.value * 1.1 if control.value else 1  # a text box

    def figure_digest(self) -> str:
        """A hash of the current figure's pixels ('' when there is none): equal digests, same picture."""
        import hashlib
        import io

        if self.figure is None:
            return ""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="rgba", dpi=40)
        return hashlib.sha1(buffer.getvalue()).hexdigest()

    def time_controls(self) -> list[dict]:
        """For every control: move it to its neighbour, time the redraw, note whether the figure changed, then
        move it back and time that too (a cached panel answers the return at once). Leaves the panel as found.
        Used by ``make bench``; a control that changes nothing is a defect."""
        rows = []
        for name in self.controls:
            original, before = self.controls[name].value, self.figure_digest()
            seconds = self.set(**{name: self.neighbour(name)})
            error, changed = self.last_error, self.figure_digest() != before
            back = self.set(**{name: original})
            rows.append({"control": name, "seconds": seconds, "back_seconds": back, "changed": changed,
                         "error": error})
        return rows

    def nudge(self) -> float:
        """Change the first control to a neighbouring valid value and redraw; returns the seconds taken."""
        name = next(iter(self.controls))
        return self.set(**{name: self.neighbour(name)})

    def _ipython_display_(self) -> None:
        display(self.widget)
        if quiet() and self.figure is not None:
            display(self.figure)  # a static copy, so executed notebooks show the panel's figure
