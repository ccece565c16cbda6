"""Execute the collection's notebooks with papermill (shared by the tests, `make notebooks` and the benchmark).

Each run is a separate ``python -m papermill`` process with kernel ``python3`` and working directory
``notebooks/``, so runs can go two at a time on two cores and one crashing kernel cannot take others down.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"


def notebook_names() -> list[str]:
    """The lesson notebooks' stems, in order: ``00_start_here``, ``01_...``."""
    return sorted(p.stem for p in NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


@dataclass
class Run:
    """The result of one papermill execution."""

    name: str
    output: Path
    returncode: int
    seconds: float
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def error_summary(self) -> str:
        """The last lines papermill printed (where the failing cell's exception is named)."""
        lines = [ln for ln in self.stderr.strip().splitlines() if ln.strip()]
        return "\n".join(lines[-25:])


def execute(name: str, output: Path, parameters: dict | None = None, *, timeout: float = 900,
            env: dict | None = None) -> Run:
    """Run ``notebooks/<name>.ipynb`` with ``parameters`` injected, writing the executed copy to ``output``.

    Without ``parameters`` papermill injects nothing, so the notebook runs with its own defaults.
    The kernel inherits ``RLCORE_QUIET=1`` (no progress bars) plus anything in ``env``.
    """
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "papermill", str(NOTEBOOK_DIR / f"{name}.ipynb"), str(output),
           "--kernel", "python3", "--cwd", str(NOTEBOOK_DIR), "--no-progress-bar", "--execution-timeout",
           str(int(timeout))]
    if parameters:
        cmd += ["--parameters_yaml", json.dumps(parameters)]
    full_env = {**os.environ, "RLCORE_QUIET": "1", "PYTHONHASHSEED": "0", **(env or {})}
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=full_env, timeout=timeout + 120)
    return Run(name, output, proc.returncode, time.perf_counter() - start, proc.stderr)


def error_outputs(notebook_path: Path) -> list[tuple[int, str]]:
    """(cell index, 'EName: evalue') for every error output in an executed notebook."""
    cells = json.loads(Path(notebook_path).read_text())["cells"]
    return [(i, f"{o.get('ename')}: {o.get('evalue')}") for i, c in enumerate(cells)
            for o in c.get("outputs", []) if o.get("output_type") == "error"]
