"""Rewrite the README's lesson table from rlcore.lesson.LESSONS and the notebooks that exist.

    python tools/readme.py          # rewrite the block between <!-- lessons:start --> and <!-- lessons:end -->
    python tools/readme.py --check  # exit 1 when the README is out of date (the tests call lesson_table())
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rlcore.lesson import BRANCH, LESSONS, REPO  # noqa: E402

START, END = "<!-- lessons:start -->", "<!-- lessons:end -->"


def lesson_table() -> str:
    """The Markdown table of existing lessons, each with Binder and Colab links that open it directly."""
    rows = ["| notebook | what it tests | thread | open |", "|---|---|---|---|"]
    for e in LESSONS:
        if (ROOT / "notebooks" / f"{e.stem}.ipynb").exists():
            binder = f"https://mybinder.org/v2/gh/{REPO}/{BRANCH}?urlpath=lab/tree/notebooks/{e.stem}.ipynb"
            colab = f"https://colab.research.google.com/github/{REPO}/blob/{BRANCH}/notebooks/{e.stem}.ipynb"
            rows.append(f"| [{e.stem}](notebooks/{e.stem}.ipynb) | {e.argument} | {e.thread} | "
                        f"[Binder]({binder}) · [Colab]({colab}) |")
    return "\n".join(rows)


def rewrite(text: str) -> str:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{lesson_table()}\n{END}{tail}"


def main() -> int:
    path = ROOT / "README.md"
    text = path.read_text()
    new = rewrite(text)
    if "--check" in sys.argv:
        if new != text:
            print("README.md's lesson table is out of date: run python tools/readme.py")
            return 1
        return 0
    path.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
