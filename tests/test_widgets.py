"""Widget panels: controls from config fields, one red line for a bad value, redraw on change, progress."""

from dataclasses import dataclass

import ipywidgets as W
import matplotlib.pyplot as plt
import pytest

from rlcore.config import Config, choice, param
from rlcore.widgets import PANELS, Panel


@dataclass(frozen=True)
class Demo(Config):
    rate: float = param(0.5, low=0.0, low_open=True, widget="text")
    gamma: float = param(0.9, low=0.0, high=1.0)
    steps: int = param(10, low=1, ui=(1, 50))
    flag: bool = param(False)
    mode: str = choice("a", ["a", "b"])
    hidden: tuple = param((1.0, 2.0), widget="none")


class Recorder:
    def __init__(self):
        self.configs = []

    def __call__(self, config, progress):
        self.configs.append(config)
        progress(1.0)
        fig, ax = plt.subplots()
        ax.plot([0, config.steps], [0, config.gamma])
        return fig


def test_controls_follow_the_declared_fields_and_ranges():
    panel = Panel(Demo(), Recorder())
    c = panel.controls
    assert set(c) == {"rate", "gamma", "steps", "flag", "mode"}  # widget="none" is not shown
    assert isinstance(c["rate"], W.FloatText) and isinstance(c["flag"], W.Checkbox)
    assert isinstance(c["mode"], W.Dropdown) and list(c["mode"].options) == ["a", "b"]
    assert (c["gamma"].min, c["gamma"].max) == (0.0, 1.0)  # from validation
    assert (c["steps"].min, c["steps"].max) == (1, 50)  # from the ui hint, inside validation
    assert panel in PANELS


def test_change_reruns_with_a_validated_config():
    run = Recorder()
    panel = Panel(Demo(), run)
    assert len(run.configs) == 1
    panel.controls["steps"].value = 20  # as a reader dragging the slider
    assert len(run.configs) == 2 and run.configs[-1].steps == 20 and panel.last_error is None
    assert panel.last_seconds >= 0 and panel.figure.axes[0].lines[0].get_xdata()[1] == 20


def test_bad_value_shows_one_red_line_and_keeps_the_figure():
    run = Recorder()
    panel = Panel(Demo(), run)
    before = panel.figure
    panel.controls["rate"].value = -1.0
    assert len(run.configs) == 1, "an invalid config must not be run"
    assert "Demo.rate = -1.0" in panel.last_error and "(0, inf)" in panel.last_error
    assert "color:#D55E00" in panel.status.value and panel.status.value.count("<span") == 1
    assert "Traceback" not in panel.status.value and panel.figure is before
    panel.controls["rate"].value = 0.2  # fixing it clears the line and redraws
    assert panel.status.value == "" and run.configs[-1].rate == 0.2


def test_set_changes_several_controls_with_one_redraw_and_nudge_moves_one():
    run = Recorder()
    panel = Panel(Demo(), run, fields=["gamma", "steps", "mode"])
    panel.set(gamma=0.5, steps=3)
    assert len(run.configs) == 2 and (run.configs[-1].gamma, run.configs[-1].steps) == (0.5, 3)
    panel.nudge()
    assert len(run.configs) == 3 and run.configs[-1].gamma == pytest.approx(0.51)


def test_progress_bar_hidden_for_fast_runs_and_unknown_fields_rejected():
    panel = Panel(Demo(), Recorder())
    assert panel.progress.layout.visibility == "hidden"
    with pytest.raises(ValueError, match="no field"):
        Panel(Demo(), Recorder(), fields=["nope"])


def test_slow_runs_show_progress_when_not_quiet(monkeypatch):
    import rlcore.widgets as widgets

    monkeypatch.setenv("RLCORE_QUIET", "0")
    monkeypatch.setattr(widgets, "_SHOW_PROGRESS_AFTER_S", 0.0)
    seen = []

    def run(config, progress):
        progress(0.5)
        seen.append((panel_ref[0].progress.layout.visibility, panel_ref[0].progress.value))
        return None

    panel_ref = []
    panel = Panel(Demo(), run, run_now=False)
    panel_ref.append(panel)
    panel.redraw()
    assert seen == [("visible", 0.5)] and panel.progress.layout.visibility == "hidden"
    monkeypatch.setenv("RLCORE_QUIET", "1")
    seen.clear()
    panel.redraw()
    assert seen == [("hidden", 0.0)]


def test_time_controls_reports_every_control_and_what_changes_the_figure():
    @dataclass(frozen=True)
    class Partly(Config):
        steps: int = param(10, low=1, ui=(1, 50))
        ignored: float = param(0.5, low=0.0, high=1.0)  # the run never reads it: a defect the bench must show
        flag: bool = param(False)

    def run(config, progress):
        fig, ax = plt.subplots()
        ax.plot([0, config.steps], [0, 2 if config.flag else 1])
        return fig

    panel = Panel(Partly(), run)
    rows = {r["control"]: r for r in panel.time_controls()}
    assert set(rows) == {"steps", "ignored", "flag"}
    assert rows["steps"]["changed"] and rows["flag"]["changed"] and not rows["ignored"]["changed"]
    assert all(r["seconds"] >= 0 and r["back_seconds"] >= 0 and r["error"] is None for r in rows.values())
    assert panel.config == Partly(), "time_controls must leave the panel as it found it"


@pytest.mark.parametrize("kind,value,expected", [
    (W.IntSlider(value=50, min=1, max=50, step=1), 50, 49),
    (W.FloatLogSlider(value=10.0, base=10, min=-2, max=2, step=0.5), 10.0, 10 ** 1.5),
])
def test_neighbour_stays_inside_the_control(kind, value, expected):
    panel = Panel(Demo(), Recorder())
    panel.controls["probe"] = kind
    assert panel.neighbour("probe") == pytest.approx(expected)
