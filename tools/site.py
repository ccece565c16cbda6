"""Build a static, read-only HTML site of the executed lessons (what `make site` runs).

    python tools/site.py                          # from build/notebooks (after `make notebooks`) to build/site
    python tools/site.py --source notebooks       # from the committed notebooks (their outputs are full runs)

The site is ``build/site/index.html`` (every lesson of ``rlcore.lesson.LESSONS`` with its one-line summary;
the lessons that exist are linked, with Binder and Colab links) plus one self-contained page per lesson
(``NN_name.html``: narrative, code, and every figure embedded as a PNG). It is for courses that want a link a
student can read without running anything. Widget panels cannot work without a kernel, so each one is
replaced by a short note pointing to Binder and Colab; links between notebooks are rewritten to the pages.
Nothing is executed here: the pages show the outputs stored in the source notebooks.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rlcore.lesson import BRANCH, LESSONS, REPO, THREADS  # noqa: E402

NOTEBOOK_DIR = ROOT / "notebooks"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def lesson_names(notebook_dir: Path = NOTEBOOK_DIR) -> list[str]:
    """The stems of the lessons that exist (``notebooks/[0-9][0-9]_*.ipynb``), in order."""
    return sorted(p.stem for p in Path(notebook_dir).glob("[0-9][0-9]_*.ipynb"))


def binder_url(name: str) -> str:
    return f"https://mybinder.org/v2/gh/{REPO}/{BRANCH}?urlpath=lab/tree/notebooks/{name}.ipynb"


def colab_url(name: str) -> str:
    return f"https://colab.research.google.com/github/{REPO}/blob/{BRANCH}/notebooks/{name}.ipynb"


def widget_note(name: str) -> nbformat.NotebookNode:
    """The output that stands in for a widget panel on a static page."""
    text = ("Interactive panel: it needs a running kernel. Open this lesson in "
            f'<a href="{binder_url(name)}">Binder</a> or <a href="{colab_url(name)}">Colab</a> to use it.')
    return nbformat.v4.new_output("display_data", data={
        "text/html": f'<p class="rlcore-widget-note"><em>{text}</em></p>',
        "text/plain": "Interactive panel (open the lesson in Binder or Colab to use it)"})


def static_notebook(nb: nbformat.NotebookNode, name: str, names: list[str]) -> nbformat.NotebookNode:
    """A copy of ``nb`` for a static page: widget outputs replaced by a note, a navigation line on top."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.outputs = [widget_note(name) if WIDGET_MIME in out.get("data", {}) else out for out in cell.outputs]
    nb.metadata.pop("widgets", None)
    i = names.index(name)
    nav = ["[← all lessons](index.html)"]
    if i > 0:
        nav.append(f"[previous: {names[i - 1]}]({names[i - 1]}.ipynb)")
    if i + 1 < len(names):
        nav.append(f"[next: {names[i + 1]}]({names[i + 1]}.ipynb)")
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(" · ".join(nav)))
    return nb


def link_pages(page: str, names: list[str]) -> str:
    """Point links to sibling notebooks (``href="NN_name.ipynb"``) at their pages (``NN_name.html``)."""
    for name in names:
        page = re.sub(rf'href="(\./)?{re.escape(name)}\.ipynb(#[^"]*)?"',
                      lambda m: f'href="{name}.html{m.group(2) or ""}"', page)
    return page


_EXPORTER: list[HTMLExporter] = []


def render(nb: nbformat.NotebookNode, title: str) -> str:
    """The notebook as one self-contained HTML page (JupyterLab's look; figures inline as PNG data)."""
    if not _EXPORTER:
        _EXPORTER.append(HTMLExporter(template_name="lab"))
    body, _ = _EXPORTER[0].from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


INDEX_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #222; line-height: 1.5; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 0.4rem 0.6rem; border-bottom: 1px solid #ddd; }
td.num { white-space: nowrap; color: #666; }
.soon { color: #888; }
a { color: #0072B2; }
"""


def index_page(names: list[str]) -> str:
    """The index: every lesson of the plan with its summary; existing lessons linked (page, Binder, Colab)."""
    rows = []
    for entry in LESSONS:
        summary = html.escape(entry.argument)
        title = html.escape(entry.title)
        if entry.stem in names:
            cell = (f'<a class="lesson" href="{entry.stem}.html">{title}</a><br>'
                    f'<small><a href="{binder_url(entry.stem)}">Binder</a> · '
                    f'<a href="{colab_url(entry.stem)}">Colab</a></small>')
            rows.append(f'<tr><td class="num">{entry.stem[:2]}</td><td>{cell}</td><td>{summary}</td></tr>')
        else:
            rows.append(f'<tr class="soon"><td class="num">{entry.stem[:2]}</td><td>{title} '
                        f'<small>(to come)</small></td><td>{summary}</td></tr>')
    threads = "".join(f"<li><b>thread {k}</b>: {html.escape(v)}</li>" for k, v in THREADS.items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>What reinforcement learning actually optimizes: the lessons</title>
<style>{INDEX_STYLE}</style></head>
<body>
<h1>What reinforcement learning actually optimizes</h1>
<p>Jupyter lessons for reinforcement-learning and AI-safety courses. Each lesson takes one argument from a set
of public discussion threads, turns it into an experiment, and checks the numbers it claims. These pages are
the executed notebooks, read-only; to change a parameter or move a slider, open a lesson in Binder or Colab.
</p>
<table>
<thead><tr><th>#</th><th>lesson</th><th>what it tests</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
<h2>The threads</h2><ul>{threads}</ul>
<p><small>Source: <a href="https://github.com/{REPO}">github.com/{REPO}</a></small></p>
</body></html>
"""


def build(source: Path, out: Path, notebook_dir: Path = NOTEBOOK_DIR) -> list[Path]:
    """Write the index and one page per lesson of ``notebook_dir``, reading executed copies from ``source``.

    Returns the paths written. Raises ``SystemExit`` naming any lesson with no executed copy in ``source``.
    """
    names = lesson_names(notebook_dir)
    missing = [n for n in names if not (source / f"{n}.ipynb").exists()]
    if missing:
        raise SystemExit(f"no executed copy of {missing} in {source}: run `make notebooks` first "
                         "(or pass --source notebooks to use the committed outputs)")
    out.mkdir(parents=True, exist_ok=True)
    titles = {e.stem: e.title for e in LESSONS}
    written = []
    for name in names:
        nb = nbformat.read(source / f"{name}.ipynb", as_version=4)
        page = link_pages(render(static_notebook(nb, name, names), f"{name[:2]} · {titles.get(name, name)}"),
                          names)
        target = out / f"{name}.html"
        target.write_text(page, encoding="utf-8")
        written.append(target)
    index = out / "index.html"
    index.write_text(index_page(names), encoding="utf-8")
    return [index, *written]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=ROOT / "build" / "notebooks",
                    help="folder of executed notebooks (default: build/notebooks, written by `make notebooks`)")
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    args = ap.parse_args()
    written = build(args.source.resolve(), args.out.resolve())
    print(f"wrote {len(written) - 1} lesson page(s) and {written[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
