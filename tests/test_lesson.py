"""rlcore.lesson: shared parameters, metrics JSON, badges and the lesson plan."""

import json
from pathlib import Path

import numpy as np
import pytest

from rlcore import lesson

ROOT = Path(__file__).resolve().parents[1]


def test_setup_validates_the_shared_parameters(monkeypatch):
    monkeypatch.delenv("RLCORE_QUICK", raising=False)
    assert lesson.setup(quick=False, seed=3).quick is False
    with pytest.raises(ValueError, match=r"LessonParams.seed = -1"):
        lesson.setup(seed=-1)
    with pytest.raises(ValueError, match="seed"):
        lesson.setup(seed=1.5)
    monkeypatch.setenv("RLCORE_QUICK", "1")
    assert lesson.setup(quick=False).quick is True


def test_write_metrics_is_byte_stable_and_plain_json(tmp_path):
    params = lesson.LessonParams(quick=True, seed=4, metrics_path=str(tmp_path / "a" / "m.json"))
    metrics = {"b": np.float64(0.25), "a": np.arange(3), "n": np.int64(2), "t": (1, 2), "nan": float("nan")}
    record = lesson.write_metrics(metrics, params)
    first = Path(params.metrics_path).read_bytes()
    lesson.write_metrics(metrics, params)
    assert Path(params.metrics_path).read_bytes() == first
    loaded = json.loads(first)
    assert loaded == record == {"a": [0, 1, 2], "b": 0.25, "n": 2, "nan": None, "quick": True, "seed": 4,
                                "t": [1, 2]}
    assert list(loaded) == sorted(loaded)


def test_no_metrics_file_without_a_path(tmp_path):
    lesson.write_metrics({"x": 1}, lesson.LessonParams())
    assert not list(tmp_path.iterdir())


def test_badges_open_the_notebook_on_binder_and_colab():
    md = lesson.badges("03_x.ipynb", repo="o/r", branch="b")
    assert "https://mybinder.org/v2/gh/o/r/b?urlpath=lab/tree/notebooks/03_x.ipynb" in md
    assert "https://colab.research.google.com/github/o/r/blob/b/notebooks/03_x.ipynb" in md


def test_every_notebook_is_in_the_lesson_plan_and_the_map_links_it():
    stems = {p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    planned = [e.stem for e in lesson.LESSONS]
    assert len(planned) == len(set(planned)) and stems <= set(planned)
    table = lesson.lesson_map(ROOT / "notebooks")
    for stem in planned:
        assert (f"[{stem}]({stem}.ipynb)" in table) == (stem in stems)


def test_readme_lesson_table_is_current():
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    from readme import rewrite

    text = (ROOT / "README.md").read_text()
    assert rewrite(text) == text, "README.md's lesson table is out of date: run python tools/readme.py"
    for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"):
        assert f"(notebooks/{p.name})" in text
