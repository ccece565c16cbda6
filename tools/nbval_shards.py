"""Run ``pytest --nbval-lax`` over every notebook, in shards that run at once (one per core by default).

    python tools/nbval_shards.py [--shards 2]

nbval executes a notebook's cells in order in one kernel and fails on any error (``--nbval-lax``: outputs
are compared only where a cell asks for it). ``make test`` runs this with ``RLCORE_QUICK=1`` so every
notebook runs in quick mode. Exits non-zero when any shard fails; prints each shard's report and a total.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys

from nbrun import NOTEBOOK_DIR, ROOT, notebook_names


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*", help="notebook stems (default: all)")
    ap.add_argument("--shards", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args()
    paths = [str(NOTEBOOK_DIR / f"{name}.ipynb") for name in args.names or notebook_names()]
    shards = [paths[i::args.shards] for i in range(args.shards) if paths[i::args.shards]]
    procs = [subprocess.Popen([sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q",
                               *shard], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for shard in shards]
    passed = failed = 0
    for shard, proc in zip(shards, procs):
        out, _ = proc.communicate()
        print(f"--- nbval shard: {', '.join(os.path.basename(p) for p in shard)}\n{out}", flush=True)
        summary = out.strip().splitlines()[-1] if out.strip() else ""
        passed += sum(int(n) for n in re.findall(r"(\d+) passed", summary))
        failed += sum(int(n) for n in re.findall(r"(\d+) (?:failed|errors?)\b", summary))
    print(f"nbval: {passed} passed, {failed} failed")
    return 1 if failed or not passed or any(p.returncode for p in procs) else 0


if __name__ == "__main__":
    sys.exit(main())
