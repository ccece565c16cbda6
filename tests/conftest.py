"""Shared fixtures: every notebook executed by papermill in quick mode, two at a time, once per session.

Tests ask for ``notebook_runs`` and call ``.quick(name)`` (the quick run's metrics), ``.rerun(name)`` (a
second quick run with the same seed, for the determinism test) or ``.run(name, **parameters)`` (any other
run). When ``RLCORE_SAME_SEED_METRICS`` names a directory holding ``<name>.metrics.json`` from another quick
run of the same seed (``make test`` runs nbval first with ``tools/nbval_shards.py --metrics-dir``), that file
is the second run: an independent execution in another process, so the notebook is not run a third time. Collection decides which notebooks are needed: the generic tests are parametrized over every notebook,
and a lesson's own test module names its notebook in a module-level ``NOTEBOOK``. All needed quick runs are
started together as soon as the first one is asked for.
"""

from __future__ import annotations

import json
import os
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import papermill
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

import nbrun  # noqa: E402

QUICK_SEED = 0


def pytest_configure(config):
    """One torch thread in the test process: the notebook runs use the other core, and results that tests
    compare byte for byte never depend on the thread count."""
    import torch

    torch.set_num_threads(1)


def _notebook_of(item) -> str | None:
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "notebook" in callspec.params:
        return callspec.params["notebook"]
    return getattr(getattr(item, "module", None), "NOTEBOOK", None)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _notebook_of(item):
            item.add_marker(pytest.mark.notebook)


def pytest_collection_finish(session):
    """Remember which notebooks the selected tests need (after -k / -m deselection)."""
    session.config._rlcore_notebooks = sorted({nb for item in session.items if (nb := _notebook_of(item))})


class NotebookRuns:
    """Papermill runs of the notebooks, shared across the session and executed two at a time."""

    def __init__(self, names: list[str], workdir: Path):
        self.names, self.workdir = names, workdir
        self.pool = ThreadPoolExecutor(max_workers=2)
        self.futures: dict[tuple, Future] = {}
        self.started = False

    def _submit(self, name: str, tag: str, parameters: dict) -> Future:
        declared = papermill.inspect_notebook(str(nbrun.NOTEBOOK_DIR / f"{name}.ipynb"))
        unknown = set(parameters) - set(declared)
        assert not unknown, f"{name}.ipynb's parameters cell has no {sorted(unknown)}: papermill would ignore them"
        key = (name, tag, json.dumps(parameters, sort_keys=True))
        if key not in self.futures:
            out = self.workdir / tag / f"{name}.ipynb"
            self.futures[key] = self.pool.submit(nbrun.execute, name, out, parameters, timeout=300)
        return self.futures[key]

    def quick_parameters(self, name: str, tag: str) -> dict:
        return {"quick": True, "seed": QUICK_SEED,
                "metrics_path": str(self.workdir / tag / f"{name}.metrics.json")}

    @staticmethod
    def earlier_run(name: str) -> Path | None:
        """The metrics of another same-seed quick run of ``name`` (nbval's, in ``make test``), if there is one."""
        folder = os.environ.get("RLCORE_SAME_SEED_METRICS", "")
        path = Path(folder) / f"{name}.metrics.json"
        return path if folder and path.is_file() else None

    def _start_all(self) -> None:
        if not self.started:
            self.started = True
            for name in self.names:
                self._submit(name, "quick", self.quick_parameters(name, "quick"))
            for name in self.names:
                if self.earlier_run(name) is None:
                    self._submit(name, "rerun", self.quick_parameters(name, "rerun"))

    def _result(self, name: str, tag: str) -> tuple[nbrun.Run, Path]:
        self._start_all()
        run = self._submit(name, tag, self.quick_parameters(name, tag)).result()
        assert run.ok, f"{name}.ipynb failed in quick mode:\n{run.error_summary()}"
        return run, self.workdir / tag / f"{name}.metrics.json"

    def quick(self, name: str) -> dict:
        """The metrics JSON of the quick run of ``name`` (asserting that the run succeeded)."""
        run, metrics = self._result(name, "quick")
        assert metrics.exists(), f"{name}.ipynb ran but wrote no metrics to metrics_path"
        return json.loads(metrics.read_text())

    def quick_bytes(self, name: str, tag: str) -> bytes:
        """The raw metrics file of the quick run (``tag="quick"``) or its same-seed repeat (``"rerun"``: nbval's
        run when :meth:`earlier_run` finds one, else a second papermill run)."""
        if tag == "rerun" and (earlier := self.earlier_run(name)) is not None:
            self._start_all()
            return earlier.read_bytes()
        return self._result(name, tag)[1].read_bytes()

    def quick_notebook(self, name: str) -> Path:
        """The executed notebook of the quick run."""
        return self._result(name, "quick")[0].output

    def run(self, name: str, tag: str, **parameters) -> nbrun.Run:
        """Any other papermill run (not asserted to succeed)."""
        return self._submit(name, tag, parameters).result()


@pytest.fixture(scope="session")
def notebook_runs(request, tmp_path_factory):
    runs = NotebookRuns(getattr(request.config, "_rlcore_notebooks", []), tmp_path_factory.mktemp("notebooks"))
    yield runs
    runs.pool.shutdown(cancel_futures=True)
