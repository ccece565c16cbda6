"""Every notebook, with no per-notebook wiring: template, committed outputs, quick run, determinism, bad input.

A new notebook in ``notebooks/`` is picked up by these tests automatically; its claims go in its own module
``tests/test_nb_<name>.py`` with ``NOTEBOOK = "<name>"`` (see ``test_nb_00_start_here.py``).
"""

from __future__ import annotations

import json
import re

import papermill
import pytest

import nbrun

NOTEBOOKS = nbrun.notebook_names()
SHARED_PARAMETERS = {"quick", "seed", "metrics_path"}
REQUIRED_SECTIONS = ["the argument", "what to take away", "try this", "where the discussion disagrees"]


def cells(name: str) -> list[dict]:
    return json.loads((nbrun.NOTEBOOK_DIR / f"{name}.ipynb").read_text())["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_the_collection_has_the_start_notebook():
    assert "00_start_here" in NOTEBOOKS
    assert len(NOTEBOOKS) == len(set(n[:2] for n in NOTEBOOKS)), "two notebooks share a number"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_template(notebook):
    """Title, both badges, the parameters cell with the shared names, the template's sections, metrics."""
    cs = cells(notebook)
    assert cs[0]["cell_type"] == "markdown" and source(cs[0]).startswith("# "), "first cell must be the title"
    head = source(cs[0])
    assert f"urlpath=lab/tree/notebooks/{notebook}.ipynb" in head, "Binder badge missing from the title cell"
    assert f"colab.research.google.com/github/" in head and f"notebooks/{notebook}.ipynb" in head, \
        "Colab badge missing from the title cell"
    tagged = [c for c in cs if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell must be tagged 'parameters'"
    inferred = papermill.inspect_notebook(str(nbrun.NOTEBOOK_DIR / f"{notebook}.ipynb"))
    assert SHARED_PARAMETERS <= set(inferred), f"parameters cell lacks {SHARED_PARAMETERS - set(inferred)}"
    headings = " ".join(source(c).lower() for c in cs if c["cell_type"] == "markdown")
    for section in REQUIRED_SECTIONS:
        assert section in headings, f"section '{section}' missing"
    last_code = [c for c in cs if c["cell_type"] == "code"][-1]
    assert "write_metrics(" in source(last_code), "the last code cell must write the metrics"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_committed_outputs(notebook):
    """Committed with outputs (a figure among them) and without any error output."""
    code = [c for c in cells(notebook) if c["cell_type"] == "code"]
    assert any(c.get("outputs") for c in code), "committed without outputs: run `make outputs`"
    assert not nbrun.error_outputs(nbrun.NOTEBOOK_DIR / f"{notebook}.ipynb"), "committed with an error output"
    figures = [o for c in code for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert figures, "no figure among the committed outputs"
    assert all(c.get("execution_count") for c in code if c.get("outputs")), "outputs from an unexecuted cell"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_quick_run_writes_metrics(notebook, notebook_runs):
    metrics = notebook_runs.quick(notebook)
    assert metrics["quick"] is True and metrics["seed"] == 0
    assert not nbrun.error_outputs(notebook_runs.quick_notebook(notebook))
    assert len(metrics) > 2, "the metrics hold no measured quantity"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_same_seed_same_metrics(notebook, notebook_runs):
    first = notebook_runs.quick_bytes(notebook, "quick")
    second = notebook_runs.quick_bytes(notebook, "rerun")
    assert first == second, "the same seed gave different metrics JSON"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_invalid_parameter_fails_fast_naming_the_field(notebook, notebook_runs):
    """seed = -1 must stop the run in the first code cell after the parameters, naming ``seed``."""
    run = notebook_runs.run(notebook, "bad_seed", quick=True, seed=-1, metrics_path="")
    assert not run.ok, "a negative seed was accepted"
    errors = nbrun.error_outputs(run.output)
    assert errors and "seed" in errors[0][1], f"the error does not name the field: {errors}"
    nb_cells = json.loads(run.output.read_text())["cells"]
    injected = next(i for i, c in enumerate(nb_cells)
                    if "injected-parameters" in c.get("metadata", {}).get("tags", []))
    first_code_after = next(i for i in range(injected + 1, len(nb_cells)) if nb_cells[i]["cell_type"] == "code")
    assert errors[0][0] == first_code_after, "the run did work before it noticed the bad parameter"
    assert re.search(r"seed = -1", errors[0][1])


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_parameters_show_type_and_help(notebook):
    """`papermill --help-notebook` shows every knob with a type and a help text (annotated assignments)."""
    inferred = papermill.inspect_notebook(str(nbrun.NOTEBOOK_DIR / f"{notebook}.ipynb"))
    for name, info in inferred.items():
        assert info["inferred_type_name"] not in ("None", "Unknown type"), \
            f"knob {name!r} has no type: write `{name}: <type> = value  # help`"
        assert info["help"].strip(), f"knob {name!r} has no help comment"


def _setup_cells(notebook: str, injected: str) -> list[str]:
    """The code cells up to the first one after the parameters, with ``injected`` after the parameters
    (as papermill would inject it), transformed from IPython syntax to plain Python."""
    from IPython.core.inputtransformer2 import TransformerManager

    code = [c for c in cells(notebook) if c["cell_type"] == "code"]
    at = next(i for i, c in enumerate(code) if "parameters" in c.get("metadata", {}).get("tags", []))
    sources = [source(c) for c in code[:at + 1]] + [injected, source(code[at + 1])]
    return [TransformerManager().transform_cell(s) for s in sources]


def _budget_knobs(notebook: str) -> list[str]:
    inferred = papermill.inspect_notebook(str(nbrun.NOTEBOOK_DIR / f"{notebook}.ipynb"))
    return [n for n, info in inferred.items() if info["inferred_type_name"] == "int" and n != "seed"]


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_bad_integer_knob_fails_in_quick_mode_too(notebook, monkeypatch):
    """Every integer knob set to -5 stops the first cell after the parameters, in quick mode as in full mode:
    quick mode may shrink budgets, but never after skipping the check of what the reader passed."""
    monkeypatch.setenv("RLCORE_QUICK", "1")
    for knob in _budget_knobs(notebook):
        cells_ = _setup_cells(notebook, f"{knob} = -5\n")
        namespace: dict = {"__name__": "__notebook__"}
        for cell in cells_[:-1]:
            exec(compile(cell, f"<{notebook}>", "exec"), namespace)
        try:
            exec(compile(cells_[-1], f"<{notebook}>", "exec"), namespace)
        except ValueError as caught:
            assert "-5" in str(caught), f"{knob} = -5 failed without naming the value: {caught}"
        else:
            pytest.fail(f"{knob} = -5 was accepted in quick mode (validate the reader's value before shrinking "
                        f"it: Config.with_quick)")
