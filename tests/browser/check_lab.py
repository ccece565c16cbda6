"""End-to-end: every lesson run in JupyterLab in Chromium, as a reader runs it (``make browser-test``).

This file's name does not match ``test_*.py`` on purpose: ``pytest tests`` (``make test``) does not collect
it, because it needs Chromium and Playwright (``requirements-browser.txt``) and takes about half a minute per
notebook. Run it with ``make browser-test`` or ``python -m pytest tests/browser/check_lab.py``.

One JupyterLab server (serving a stripped temporary copy of ``notebooks/``, quick mode) and one Chromium
(Debian's ``/usr/bin/chromium``, fresh profile) are shared by the session; one page is reused from notebook
to notebook and each notebook gets its own kernel. For each notebook the test opens it, chooses Run > Run
All Cells, waits for the kernel to go idle, and fails with the notebook and cell named if a cell shows an
error, a figure did not render as an image, or a widget rendered as text; then it moves a slider (a dropdown
where a panel has none) in every widget panel and fails if the panel's output did not change. A screenshot
of each notebook goes to ``build/screenshots/<name>.png`` (``<name>.FAILED.png`` when a check failed) and a
summary to ``build/screenshots/report.json``.

The module skips only when ``/usr/bin/chromium`` is missing (and says so); a missing Playwright is an error.
"""

from __future__ import annotations

import json
import tempfile

import nbformat
import pytest

import labdriver

if not labdriver.CHROMIUM.exists():
    pytest.skip(f"{labdriver.CHROMIUM} is missing: install Debian's Chromium (apt-get install chromium) to run "
                "the browser test", allow_module_level=True)

NOTEBOOKS = labdriver.notebook_names()
SCREENSHOTS = labdriver.ROOT / "build" / "screenshots"
SUMMARY: dict[str, dict] = {}


@pytest.fixture(scope="module")
def lab():
    server = labdriver.LabServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: `.venv/bin/pip install -r requirements-browser.txt` "
                    "(make browser-test does this)")
    with tempfile.TemporaryDirectory(prefix="rlcore-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=str(labdriver.CHROMIUM), args=labdriver.CHROMIUM_FLAGS, headless=True,
            viewport={"width": 1400, "height": 900})
        yield context
        context.close()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "report.json").write_text(json.dumps(SUMMARY, indent=2) + "\n")


def test_the_server_serves_stripped_copies_outside_the_repository(lab):
    """Autosave cannot reach a committed file: the server's root is a temporary copy without outputs."""
    assert labdriver.ROOT not in lab.root.resolve().parents
    listed = {item["name"] for item in lab.api("GET", "/api/contents")["content"]}
    assert {f"{name}.ipynb" for name in NOTEBOOKS} <= listed
    served = lab.api("GET", f"/api/contents/{NOTEBOOKS[0]}.ipynb")["content"]
    committed = nbformat.read(labdriver.NOTEBOOK_DIR / f"{NOTEBOOKS[0]}.ipynb", as_version=4)
    assert len(served["cells"]) == len(committed.cells)
    assert all(not c.get("outputs") for c in served["cells"] if c["cell_type"] == "code")


@pytest.fixture(scope="module")
def pages(browser):
    """One JupyterLab page reused from notebook to notebook; replaced by a fresh one after any failure."""
    holder = {"page": browser.new_page()}
    yield holder
    holder["page"].close()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_and_renders_in_jupyterlab(name, lab, pages):
    for old in SCREENSHOTS.glob(f"{name}*.png"):
        old.unlink()
    try:
        report = labdriver.check_notebook(pages["page"], lab, name, SCREENSHOTS)
    finally:
        lab.shutdown_kernels()
    if report.problems:
        pages["page"].close()
        pages["page"] = pages["page"].context.new_page()
    SUMMARY[name] = {"seconds": round(report.seconds, 1),
                     "phases": {k: round(v, 1) for k, v in report.phases.items()}, "problems": report.problems,
                     "slider_moves": report.slider_moves, "screenshot": str(report.screenshot),
                     "figures": sum(c["imgsDecoded"] for c in report.cells),
                     "widget_controls": sum(c["controls"] for c in report.cells)}
    print(f"{name}: {report.seconds:.1f} s {SUMMARY[name]['phases']}, {SUMMARY[name]['figures']} figure(s), "
          f"{SUMMARY[name]['widget_controls']} widget control(s); {'; '.join(report.slider_moves)}")
    assert not report.problems, (f"{name}.ipynb in JupyterLab:\n  " + "\n  ".join(report.problems)
                                 + f"\nscreenshot: {report.screenshot}\nJupyterLab log:\n{lab.log_tail(15)}")
    assert report.cells, f"{name}.ipynb: no code cell was found in the page"
    assert report.screenshot and report.screenshot.exists(), f"{name}.ipynb: no screenshot was saved"


BROKEN_CELLS = [
    "import matplotlib.pyplot as plt\nplt.plot([0, 1])\nplt.show()",
    # a widget view whose model does not exist: JupyterLab cannot draw it as a control
    "from IPython.display import display\n"
    "display({'application/vnd.jupyter.widget-view+json': {'model_id': 'no-such-model', 'version_major': 2,"
    " 'version_minor': 0}, 'text/plain': 'a widget shown as text'}, raw=True)",
    # a panel whose figure ignores its controls: moving a slider changes nothing
    "import matplotlib.pyplot as plt\nfrom rlcore.analysis.start_here import StartHereConfig\n"
    "from rlcore.widgets import Panel\n\n"
    "def same_figure(config, progress):\n    fig, ax = plt.subplots(figsize=(3, 2))\n    ax.plot([0, 1])\n"
    "    return fig\n\nPanel(StartHereConfig(), same_figure, fields=['p_left'])",
    "1 / 0",
    "print('never reached')",
]


def test_the_checks_catch_a_broken_notebook(browser, tmp_path):
    """The checker itself can fail: an error, a widget drawn as text, a dead slider, a cell never run."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 00 · broken on purpose")]
                                  + [nbformat.v4.new_code_cell(src) for src in BROKEN_CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (tmp_path / "src").mkdir()
    nbformat.write(nb, tmp_path / "src" / "00_broken.ipynb")
    server = labdriver.LabServer(tmp_path / "src")
    page = browser.new_page()
    try:
        report = labdriver.check_notebook(page, server, "00_broken", tmp_path / "shots", widget_timeout=10)
    finally:
        page.close()
        server.stop()
    text = "\n".join(report.problems)
    assert "cell 2" in text and "rendered as widgets" in text, text
    assert "cell 3" in text and "slider did not change" in text, text
    assert "cell 4" in text and "ZeroDivisionError" in text, text
    assert "cell 5" in text and "not executed" in text, text
    assert "cell 1 " not in text, f"the working figure cell was flagged:\n{text}"
    assert len(report.problems) == 4, text
    assert (tmp_path / "shots" / "00_broken.FAILED.png").exists()


EXERCISE_STUB = ("import numpy as np\nfrom rlcore.exercises import run_check\n\n\n"
                 "def reinforce_gradient(logits, actions, rewards, baseline):\n    raise NotImplementedError")
EXERCISE_WRONG = ("import numpy as np\nfrom rlcore.exercises import run_check\n\n\n"
                  "def reinforce_gradient(logits, actions, rewards, baseline):\n"
                  "    pi = np.exp(logits - logits.max()); pi /= pi.sum()\n"
                  "    return ((rewards - baseline)[:, None] * (pi - np.eye(len(logits))[actions])).mean(0)")
EXERCISE_RIGHT = EXERCISE_WRONG.replace("(pi - np.eye(len(logits))[actions])", "(np.eye(len(logits))[actions] - pi)")


def test_a_reader_writes_an_exercise_and_the_check_answers(browser, tmp_path):
    """As a reader: the stub reports 'not attempted yet'; code typed into the cell with a flipped sign gets
    the hint about the sign; the right code passes."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 00 · an exercise"),
                                         nbformat.v4.new_code_cell(EXERCISE_STUB),
                                         nbformat.v4.new_code_cell('run_check("reinforce_gradient", '
                                                                   'reinforce_gradient)')])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (tmp_path / "src").mkdir()
    nbformat.write(nb, tmp_path / "src" / "00_exercise.ipynb")
    server = labdriver.LabServer(tmp_path / "src")
    page = browser.new_page()
    path = "00_exercise.ipynb"
    try:
        page.goto(server.notebook_url("00_exercise"), wait_until="domcontentloaded", timeout=120_000)
        seen = []
        for code in (None, EXERCISE_WRONG, EXERCISE_RIGHT):
            if code is not None:  # type the reader's code into the stub cell, replacing what is there
                page.locator(".jp-Notebook .jp-CodeCell").nth(0).locator(".cm-content").click()
                page.keyboard.press("Control+a")
                page.keyboard.insert_text(code)
            labdriver.run_all_cells(page, "00_exercise", open_timeout=120, run_timeout=120)
            check = page.evaluate(labdriver.JS_REPORT, path)[1]
            seen.append(" ".join(check["errors"]) + " " + check["outputText"])
        screenshot = labdriver.screenshot(page, "00_exercise", SCREENSHOTS)
    finally:
        page.close()
        server.stop()
    assert "not attempted yet" in seen[0], seen[0]
    assert "ExerciseFailed" in seen[1] and "Hint:" in seen[1] and "sign" in seen[1], seen[1]
    assert "passed" in seen[2] and "ExerciseFailed" not in seen[2], seen[2]
    assert screenshot and screenshot.exists()
