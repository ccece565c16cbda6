"""Execute every notebook in full mode: into a build folder (with HTML), or in place to refresh outputs.

    python tools/run_notebooks.py --out build/notebooks --html    # what `make notebooks` runs
    python tools/run_notebooks.py --in-place [NAME ...]            # what `make outputs` runs
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from nbrun import NOTEBOOK_DIR, ROOT, error_outputs, execute, notebook_names


def tidy(path: Path) -> None:
    """Drop papermill's per-cell timing metadata so committed notebooks diff cleanly."""
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("papermill", None)
        cell.get("metadata", {}).pop("execution", None)
    nb["metadata"].pop("papermill", None)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help="notebook stems (default: all)")
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "notebooks")
    ap.add_argument("--in-place", action="store_true", help="overwrite notebooks/ with executed copies")
    ap.add_argument("--html", action="store_true", help="also render HTML next to the executed copies")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    names = args.names or notebook_names()
    target = NOTEBOOK_DIR if args.in_place else args.out

    def one(name: str):
        run = execute(name, target / f"{name}.ipynb")
        if run.ok:
            tidy(run.output)
        print(f"{name}: {'ok' if run.ok else 'FAILED'} in {run.seconds:.1f} s", flush=True)
        return run

    with ThreadPoolExecutor(args.jobs) as pool:
        runs = list(pool.map(one, names))
    failed = [r for r in runs if not r.ok or error_outputs(r.output)]
    for r in failed:
        print(f"\n--- {r.name} failed ---\n{r.error_summary()}", file=sys.stderr)
    if args.html and not failed:
        subprocess.run([sys.executable, "-m", "nbconvert", "--to", "html", *[str(r.output) for r in runs]],
                       check=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
