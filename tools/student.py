"""Write student copies of the lessons: every cell tagged ``solution`` removed, outputs cleared.

    python tools/student.py [--out build/student] [NOTEBOOK ...]

Uses nbconvert's own TagRemovePreprocessor and ClearOutputPreprocessor (``make student`` runs this), so a
course can hand out problem sets whose solutions stay with the instructor.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nbconvert.exporters import NotebookExporter
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[1]
SOLUTION_TAG = "solution"


def student_copy(source: Path, out_dir: Path) -> Path:
    """Export ``source`` to ``out_dir`` without its solution cells and outputs; returns the new path."""
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {SOLUTION_TAG}
    config.ClearOutputPreprocessor.enabled = True
    body, _ = NotebookExporter(config=config).from_filename(str(source))
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / source.name
    target.write_text(body)
    return target


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="*", type=Path)
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "student")
    args = ap.parse_args()
    sources = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for source in sources:
        print(student_copy(source, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
