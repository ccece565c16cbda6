"""Colab: every notebook starts with the guarded install cell, which does nothing where rlcore imports, and its
Colab badge opens that very notebook.

The install cell is run here through IPython's own input transformer (so ``%pip`` becomes the call IPython
would make) with a recording stand-in for ``get_ipython()``: once with rlcore importable (no call at all),
once with rlcore made unimportable and a stand-in ``google.colab`` (the pip call and the widget manager).
"""

from __future__ import annotations

import re
import sys
import tomllib
import types
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

import new_lesson
from rlcore.lesson import BRANCH, REPO, badges

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(p.stem for p in NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def code_cells(name: str) -> list[nbformat.NotebookNode]:
    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    return [c for c in nb.cells if c.cell_type == "code"]


class RecordingShell:
    """Stands in for ``get_ipython()``: records line magics instead of running them."""

    def __init__(self):
        self.magics: list[tuple[str, str]] = []

    def run_line_magic(self, name: str, line: str, _stack_depth: int = 1):
        self.magics.append((name, line))


def run_install_cell(source: str) -> RecordingShell:
    shell = RecordingShell()
    python = TransformerManager().transform_cell(source)
    exec(compile(python, "<colab cell>", "exec"), {"get_ipython": lambda: shell, "__name__": "__main__"})
    return shell


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_first_code_cell_is_the_guarded_install_cell(name):
    cells = code_cells(name)
    assert cells[0].source == new_lesson.COLAB_CELL, \
        f"{name}: the first code cell is not tools/new_lesson.py's COLAB_CELL"
    assert "parameters" not in cells[0].metadata.get("tags", [])


def test_the_install_cell_is_a_no_op_when_rlcore_imports():
    assert run_install_cell(new_lesson.COLAB_CELL).magics == []


def test_without_rlcore_the_cell_installs_this_repository_and_enables_colab_widgets(monkeypatch):
    enabled = []
    google, colab = types.ModuleType("google"), types.ModuleType("google.colab")
    output = types.ModuleType("google.colab.output")
    output.enable_custom_widget_manager = lambda: enabled.append(True)
    colab.output, google.colab = output, colab
    for module in (google, colab, output):
        monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(sys.modules, "rlcore", None)  # `import rlcore` now raises ImportError
    shell = run_install_cell(new_lesson.COLAB_CELL)
    assert shell.magics == [("pip", f'install -q "rlcore @ git+https://github.com/{REPO}.git"')]
    assert enabled == [True]


def test_the_package_installed_from_git_is_rlcore_and_leaves_colab_torch_alone():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == "rlcore"  # what `rlcore @ git+...` requires
    assert not any(re.match(r"torch\b", dep) for dep in project["dependencies"]), \
        "a torch requirement would make pip replace Colab's own torch build"


def colab_link(title_cell: str) -> str:
    links = re.findall(r"\[!\[Open In Colab\]\([^)]*\)\]\(([^)]+)\)", title_cell)
    assert len(links) == 1, "the title cell needs exactly one Colab badge"
    return links[0]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_colab_badge_opens_this_notebook(name):
    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    title = nb.cells[0].source
    assert badges(f"{name}.ipynb") in title, f"{name}: the title cell's badges differ from lesson.badges()"
    link = colab_link(title)
    prefix = f"https://colab.research.google.com/github/{REPO}/blob/{BRANCH}/"
    assert link.startswith(prefix), link
    path = link.removeprefix(prefix)
    assert path == f"notebooks/{name}.ipynb"
    assert (ROOT / path).is_file(), f"the Colab badge opens {path}, which is not in the repository"


def test_colab_link_parser_rejects_a_missing_badge():
    with pytest.raises(AssertionError):
        colab_link("# 99 · no badges here")
    assert colab_link(badges("00_start_here.ipynb")).endswith("/notebooks/00_start_here.ipynb")
