"""Measure every notebook: quick- and full-mode run time, the kernel's peak memory, and widget latency.

    python benchmarks/bench_notebooks.py                 # all notebooks, quick and full mode
    python benchmarks/bench_notebooks.py --quick-only    # skip full mode (latency measured in quick mode)
    python benchmarks/bench_notebooks.py 00_start_here   # some notebooks only

Each notebook runs under papermill (kernel start included in the time) from a temporary copy with one extra
last cell. That cell moves EVERY control of every widget panel the notebook created to a neighbouring valid
value, times the redraw, records whether the figure changed, and moves it back (timing the return, which a
cached panel answers at once): ``rlcore.widgets.Panel.time_controls``. It also reports the kernel's peak
resident memory (``ru_maxrss``). The summary table (slowest control by name, controls that change nothing)
and one row per control are written to ``benchmarks/RESULTS.md`` (and, for a run over all notebooks, the
summary into the README) with the machine it came from. Budgets (DEVELOPERS.md): quick < 30 s, full < 5 min,
every control < 1 s (or a progress bar and a cache), peak memory < 1.5 GB.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from nbrun import NOTEBOOK_DIR, ROOT, execute, notebook_names  # noqa: E402

PROBE = '''
import json as _json, resource as _resource, statistics as _statistics
from rlcore.widgets import PANELS as _PANELS
_controls = [dict(row, panel=_i) for _i, _panel in enumerate(_PANELS) for row in _panel.time_controls()]
print("BENCH" + _json.dumps({"peak_mb": _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss / 1024,
                             "controls": _controls}))
'''


def with_probe(name: str) -> str:
    """Copy ``name`` into ``notebooks/`` under a temporary name with the probe cell appended."""
    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    stem = f"_bench_{name}"
    nbformat.write(nb, NOTEBOOK_DIR / f"{stem}.ipynb")
    return stem


def measure(name: str, quick: bool, folder: Path) -> dict:
    stem = with_probe(name)
    try:
        run = execute(stem, folder / f"{name}_{'quick' if quick else 'full'}.ipynb",
                      {"quick": True} if quick else None)
    finally:
        (NOTEBOOK_DIR / f"{stem}.ipynb").unlink()
    if not run.ok:
        return {"seconds": run.seconds, "error": run.error_summary().splitlines()[-1:]}
    out = json.loads(run.output.read_text())["cells"][-1]["outputs"]
    text = "".join("".join(o.get("text", "")) for o in out if o.get("output_type") == "stream")
    probe = json.loads(text.split("BENCH", 1)[1])
    return {"seconds": run.seconds, **probe}


def fmt_slowest(controls: list[dict]) -> str:
    """The slowest control by name (panel index when there are several panels), or 'no panel'."""
    if not controls:
        return "no panel"
    worst = max(controls, key=lambda r: r["seconds"])
    several = len({r["panel"] for r in controls}) > 1
    name = f"{worst['control']}" + (f" (panel {worst['panel'] + 1})" if several else "")
    return f"{worst['seconds']:.2f} {name}"


def fmt_inert(controls: list[dict]) -> str:
    """Controls whose move left the figure unchanged (a defect), or 'none'."""
    inert = [f"{r['control']}" + (f" ({r['error'][:40]})" if r.get("error") else "")
             for r in controls if not r["changed"]]
    return ", ".join(inert) if inert else "none"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*")
    ap.add_argument("--quick-only", action="store_true")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    args = ap.parse_args()
    names = args.names or notebook_names()
    rows = ["| notebook | quick (s) | full (s) | peak memory (MB) | slowest control (s) | slowest return (s) "
            "| controls that change nothing |", "|---|---|---|---|---|---|---|"]
    details = ["| notebook | panel | control | redraw (s) | return (s) | figure changed |", "|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            quick = measure(name, True, Path(tmp))
            full = None if args.quick_only else measure(name, False, Path(tmp))
            source = full or quick
            peak = max(r.get("peak_mb", 0) for r in (quick, full) if r)
            if "error" in quick or (full and "error" in full):
                rows.append(f"| {name} | FAILED: {quick.get('error') or full.get('error')} | | | | | |")
            else:
                full_s = "-" if full is None else f"{full['seconds']:.1f}"
                controls = source["controls"]
                back = f"{max(r['back_seconds'] for r in controls):.2f}" if controls else "-"
                rows.append(f"| {name} | {quick['seconds']:.1f} | {full_s} | {peak:.0f} | "
                            f"{fmt_slowest(controls)} | {back} | {fmt_inert(controls)} |")
                details += [f"| {name} | {r['panel'] + 1} | {r['control']} | {r['seconds']:.2f} | "
                            f"{r['back_seconds']:.2f} | {'yes' if r['changed'] else 'NO'} |" for r in controls]
            print(rows[-1], flush=True)
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    machine = (f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}; "
               f"measured {datetime.date.today().isoformat()}")
    table = "\n".join(rows)
    args.out.write_text(f"# Notebook benchmark\n\nMachine: {machine}.\n"
                        f"Mode: {'quick only' if args.quick_only else 'quick and full'}; redraw latency is "
                        f"measured in {'quick' if args.quick_only else 'full'} mode.\n\n{table}\n\n"
                        f"## Every control\n\n" + "\n".join(details) + "\n")
    if not args.names:  # a full run: show it in the README too
        readme = ROOT / "README.md"
        head, rest = readme.read_text().split("<!-- bench:start -->", 1)
        tail = rest.split("<!-- bench:end -->", 1)[1]
        readme.write_text(f"{head}<!-- bench:start -->\nMachine: {machine}.\n\n{table}\n<!-- bench:end -->{tail}")
    print(f"\nMachine: {machine}\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
