"""Point every notebook's badges and Colab install cell, and the README, at rlcore.lesson.REPO / BRANCH.

A fork edits REPO (and BRANCH) in rlcore/lesson.py and runs ``python tools/badges.py``; the tests
(tests/test_binder.py, tests/test_colab.py) then pass again.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from new_lesson import COLAB_CELL  # noqa: E402
from readme import main as rewrite_readme  # noqa: E402

from rlcore.lesson import badges  # noqa: E402

BADGE_LINE = re.compile(r"^\[!\[Binder\].*$", re.MULTILINE)


def main() -> int:
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nb.cells[0].source = BADGE_LINE.sub(lambda _: badges(path.name), nb.cells[0].source, count=1)
        first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
        if "except ImportError" in nb.cells[first].source:  # the install cell: bring it up to date
            nb.cells[first].source = COLAB_CELL
        else:  # a notebook without one: add it before the first code cell
            nb.cells.insert(first, nbformat.v4.new_code_cell(COLAB_CELL))
        nbformat.write(nb, path)
        print(f"updated {path.name}")
    return rewrite_readme()


if __name__ == "__main__":
    sys.exit(main())
