"""The static site (tools/site.py, `make site`): an index linking every lesson that exists, a page per lesson.

The site is built once per module from the committed notebooks (their outputs are full runs), which is what
`tools/site.py --source notebooks` does; `make site` builds the same from `make notebooks`' fresh runs.
"""

from __future__ import annotations

import html
import importlib.util
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from rlcore.lesson import LESSONS

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(p.stem for p in NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def load_site_module():
    """tools/site.py under another name (``site`` is also a standard-library module)."""
    spec = importlib.util.spec_from_file_location("rlcore_site_builder", ROOT / "tools" / "site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


site_builder = load_site_module()


class Links(HTMLParser):
    """Every ``<a href>`` in a page, with the link's text."""

    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None


def links_in(page: Path) -> list[tuple[str, str]]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.links


def png_outputs(name: str) -> list[str]:
    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    return [o["data"]["image/png"].replace("\n", "") for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if "image/png" in o.get("data", {})]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    written = site_builder.build(NOTEBOOK_DIR, out)
    assert {p.name for p in written} == {"index.html", *(f"{n}.html" for n in NOTEBOOKS)}
    return out


def test_index_links_every_lesson_that_exists_and_only_those(site):
    local = {href for href, _ in links_in(site / "index.html") if not href.startswith("http")}
    assert local == {f"{name}.html" for name in NOTEBOOKS}
    for href in local:
        assert (site / href).is_file(), f"the index links {href}, which was not written"


def test_index_lists_every_planned_lesson_with_its_summary(site):
    text = (site / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", text, flags=re.S)[1:]  # first row is the header
    assert len(rows) == len(LESSONS)
    for row, entry in zip(rows, LESSONS):
        assert html.escape(entry.argument) in row and html.escape(entry.title) in row, entry.stem
        assert (f'href="{entry.stem}.html"' in row) == (entry.stem in NOTEBOOKS), entry.stem


def test_index_offers_binder_and_colab_for_every_existing_lesson(site):
    hrefs = [href for href, _ in links_in(site / "index.html")]
    for name in NOTEBOOKS:
        assert site_builder.binder_url(name) in hrefs and site_builder.colab_url(name) in hrefs, name
        assert f"urlpath=lab/tree/notebooks/{name}.ipynb" in site_builder.binder_url(name)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_each_page_shows_its_figures_and_replaces_widgets(site, name):
    page = (site / f"{name}.html").read_text(encoding="utf-8")
    embedded = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    expected = png_outputs(name)
    assert sorted(embedded) == sorted(expected), f"{name}: {len(expected)} figures in the notebook, " \
                                                 f"{len(embedded)} embedded in the page"
    nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
    widgets = sum(WIDGET_MIME in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
                  for o in c.get("outputs", []))
    assert page.count('class="rlcore-widget-note"') == widgets
    assert WIDGET_MIME not in page
    assert ("index.html", "← all lessons") in links_in(site / f"{name}.html")


def test_links_between_lessons_point_to_pages(site):
    for name in NOTEBOOKS:
        for href, _ in links_in(site / f"{name}.html"):
            assert not re.fullmatch(r"(\./)?\d\d_\w+\.ipynb(#.*)?", href), f"{name}.html still links {href}"
            if re.fullmatch(r"\d\d_\w+\.html", href):
                assert (site / href).is_file(), f"{name}.html links {href}, which does not exist"


def test_link_rewriting_and_widget_note_on_a_small_notebook():
    page = '<a href="00_start_here.ipynb">a</a> <a href="./01_x.ipynb#part">b</a> <a href="99_gone.ipynb">c</a>'
    out = site_builder.link_pages(page, ["00_start_here", "01_x"])
    assert out == '<a href="00_start_here.html">a</a> <a href="01_x.html#part">b</a> <a href="99_gone.ipynb">c</a>'
    cell = nbformat.v4.new_code_cell("panel")
    cell.outputs = [nbformat.v4.new_output("display_data", data={WIDGET_MIME: {"model_id": "m"},
                                                                 "text/plain": "VBox()"}),
                    nbformat.v4.new_output("stream", text="kept")]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# t"), cell])
    static = site_builder.static_notebook(nb, "01_x", ["00_start_here", "01_x"])
    assert static.cells[0].source == "[← all lessons](index.html) · [previous: 00_start_here](00_start_here.ipynb)"
    assert [o.output_type for o in static.cells[2].outputs] == ["display_data", "stream"]
    assert WIDGET_MIME not in static.cells[2].outputs[0].data
    assert len(nb.cells) == 2 and WIDGET_MIME in nb.cells[1].outputs[0].data  # the input is left unchanged


def test_a_lesson_without_an_executed_copy_is_named(tmp_path):
    with pytest.raises(SystemExit, match=NOTEBOOKS[0]):
        site_builder.build(tmp_path / "empty", tmp_path / "site")
