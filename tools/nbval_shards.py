"""Run ``pytest --nbval-lax`` over every notebook, in shards that run at once (one per core by default).

    python tools/nbval_shards.py [--shards 2] [--metrics-dir DIR] [names...]

nbval executes a notebook's cells in order in one kernel and fails on any error (``--nbval-lax``: outputs
are compared only where a cell asks for it). ``make test`` runs this with ``RLCORE_QUICK=1`` so every
notebook runs in quick mode. Each notebook is its own pytest process; a shard runs its notebooks one after
the other. With ``--metrics-dir`` each run writes its metrics JSON to ``DIR/<name>.metrics.json``
(``RLCORE_METRICS_PATH``): ``make test`` hands that directory to pytest, whose determinism test compares
papermill's quick run of each notebook with this independent run of the same seed instead of running the
notebook a second time. Exits non-zero when any notebook fails; prints each report and a total.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from nbrun import NOTEBOOK_DIR, ROOT, notebook_names


def run_one(path: str, metrics_dir: Path | None) -> tuple[str, str, int]:
    env = dict(os.environ)
    if metrics_dir is not None:
        env["RLCORE_METRICS_PATH"] = str(metrics_dir / f"{Path(path).stem}.metrics.json")
    proc = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q", path],
                          cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    return path, proc.stdout, proc.returncode


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help="notebook stems (default: all)")
    ap.add_argument("--shards", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--metrics-dir", type=Path, default=None,
                    help="write each notebook's metrics JSON here (emptied first)")
    args = ap.parse_args()
    if args.shards < 1:
        ap.error(f"--shards must be >= 1, got {args.shards}")
    metrics_dir = args.metrics_dir.resolve() if args.metrics_dir else None
    if metrics_dir is not None:
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
    paths = [str(NOTEBOOK_DIR / f"{name}.ipynb") for name in args.names or notebook_names()]
    passed = failed = bad = 0
    with ThreadPoolExecutor(max_workers=args.shards) as pool:
        for path, out, code in pool.map(lambda p: run_one(p, metrics_dir), paths):
            print(f"--- nbval: {os.path.basename(path)}\n{out}", flush=True)
            summary = out.strip().splitlines()[-1] if out.strip() else ""
            passed += sum(int(n) for n in re.findall(r"(\d+) passed", summary))
            failed += sum(int(n) for n in re.findall(r"(\d+) (?:failed|errors?)\b", summary))
            bad += code != 0
    print(f"nbval: {passed} passed, {failed} failed")
    return 1 if failed or not passed or bad else 0


if __name__ == "__main__":
    sys.exit(main())
