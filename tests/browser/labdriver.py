"""Drive a real JupyterLab in headless Chromium, the way a reader uses a lesson.

Two pieces, used by ``check_lab.py``:

* :class:`LabServer` starts ``python -m jupyterlab`` from the running interpreter (the project venv) on a free
  localhost port, serving a *temporary copy* of ``notebooks/`` with its outputs stripped (so everything the
  checks see was produced in the browser, and autosave can never touch a committed file). The server, its
  settings, workspaces and runtime files all live under that temporary directory. ``RLCORE_QUICK=1`` is set
  in its environment; the kernels it starts inherit it, so every lesson runs in quick mode.
* :func:`check_notebook` opens one notebook in a page, runs it from the Run menu, waits until the kernel is
  idle and every cell has finished, then reports what the page shows: error outputs, figures (an ``img``
  per ``image/png`` output, decoded), widgets (rendered as controls, not as their text fallback), and the
  effect of moving a slider (or, in a panel without sliders, a dropdown) in each widget panel. It saves a
  screenshot of the whole notebook.

The checks read the rendered DOM for what a reader sees (images, controls, the panel's figure) and the
notebook model (JupyterLab is started with ``expose_app_in_browser``) for what the cells produced.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
CHROMIUM = Path("/usr/bin/chromium")
#: Launch flags for Debian's Chromium as root in a container (a fresh --user-data-dir is added per run).
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]

#: JupyterLab user settings for the test server: no news or update pop-ups over the notebook, every cell
#: kept in the DOM (no virtual scrolling, so every output can be checked and fits in the screenshot), no
#: autosave (the copy is temporary anyway).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                        "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


#: Talks to the local server directly, whatever http_proxy says.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def notebook_names(notebook_dir: Path = NOTEBOOK_DIR) -> list[str]:
    """The lesson notebooks' stems in order (``notebooks/[0-9][0-9]_*.ipynb``)."""
    return sorted(p.stem for p in Path(notebook_dir).glob("[0-9][0-9]_*.ipynb"))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the server is told not to try others)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stripped_copy(source: Path, target: Path) -> None:
    """Copy a notebook with every output and execution count removed."""
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, target)


class LabServer:
    """JupyterLab on ``127.0.0.1:<free port>`` serving a stripped temporary copy of ``notebook_dir``."""

    def __init__(self, notebook_dir: Path = NOTEBOOK_DIR, *, env: dict | None = None,
                 startup_timeout: float = 90.0):
        self.tmp = Path(tempfile.mkdtemp(prefix="rlcore-lab-"))
        self.root = self.tmp / "notebooks"
        self.root.mkdir()
        for name in notebook_names(notebook_dir):
            stripped_copy(Path(notebook_dir) / f"{name}.ipynb", self.root / f"{name}.ipynb")
        settings = self.tmp / "lab-settings"
        for rel, values in LAB_SETTINGS.items():
            (settings / rel).parent.mkdir(parents=True, exist_ok=True)
            (settings / rel).write_text(json.dumps(values))
        self.port, self.token = free_port(), os.urandom(16).hex()
        self.url = f"http://127.0.0.1:{self.port}"
        full_env = {**os.environ, "RLCORE_QUICK": "1", "PYTHONHASHSEED": "0",
                    "JUPYTER_CONFIG_DIR": str(self.tmp / "config"), "JUPYTER_DATA_DIR": str(self.tmp / "data"),
                    "JUPYTER_RUNTIME_DIR": str(self.tmp / "runtime"),
                    "JUPYTERLAB_SETTINGS_DIR": str(settings),
                    "JUPYTERLAB_WORKSPACES_DIR": str(self.tmp / "workspaces"), **(env or {})}
        full_env.pop("RLCORE_QUIET", None)  # a reader's kernel shows progress as usual
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
               "--LabApp.expose_app_in_browser=True",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--LabApp.extension_manager=readonly", "--ServerApp.terminals_enabled=False"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")  # containers and CI runners often run as root
        self.log_path = self.tmp / "jupyterlab.log"
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, env=full_env, stdout=self._log, stderr=subprocess.STDOUT,
                                     cwd=self.root)
        self._wait_ready(startup_timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = self.log_tail()
                self.stop()
                raise RuntimeError(f"JupyterLab exited with code {self.proc.returncode}:\n{tail}")
            try:
                self.api("GET", "/api/status")
                return
            except OSError:
                time.sleep(0.3)
        tail = self.log_tail()
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer on {self.url} within {timeout:.0f} s:\n{tail}")

    def api(self, method: str, path: str) -> object:
        """Call the server's REST API with the token; returns the decoded JSON (or None)."""
        req = urllib.request.Request(f"{self.url}{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with _DIRECT.open(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Stop every running kernel (between notebooks, to keep memory down)."""
        for kernel in self.api("GET", "/api/kernels") or []:
            try:
                self.api("DELETE", f"/api/kernels/{kernel['id']}")
            except OSError:
                pass

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/{name}.ipynb?token={self.token}"

    def log_tail(self, lines: int = 30) -> str:
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


# --------------------------------------------------------------------------------------------------------
# In-page JavaScript. ``PANEL`` finds the notebook panel for a path among the shell's widgets.

_PANEL = """
(path) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return null;
  for (const w of app.shell.widgets('main')) {
    if (w.context && w.context.path === path && w.content && w.content.widgets) return w;
  }
  return null;
}
"""

# Close every open document without a save prompt (the copies are throwaway), then open ``path``.
JS_REOPEN = """
async (path) => {
  const app = window.jupyterapp;
  for (const w of Array.from(app.shell.widgets('main'))) {
    if (w.context && w.context.model) w.context.model.dirty = false;
    w.dispose();
  }
  await app.commands.execute('docmanager:open', {path: path});
}
"""

JS_READY = f"""
(path) => {{
  const panel = ({_PANEL})(path);
  if (!panel || !panel.context.isReady) return 'no notebook panel yet';
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  if (!kernel) return 'no kernel yet';
  if (kernel.status !== 'idle') return 'kernel ' + kernel.status;
  return 'ready';
}}
"""

JS_PROGRESS = f"""
(path) => {{
  const panel = ({_PANEL})(path);
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const code = panel.content.widgets.filter(c => c.model.type === 'code');
  const pending = code.filter(c => {{
    const prompt = c.node.querySelector('.jp-InputPrompt');
    return c.model.executionState === 'running' || (prompt && prompt.textContent.includes('*'));
  }}).length;
  return {{status: kernel ? kernel.status : 'none', pending: pending,
           executed: code.filter(c => c.model.executionCount !== null).length, code: code.length}};
}}
"""

JS_REPORT = f"""
(path) => {{
  const panel = ({_PANEL})(path);
  const cells = [];
  panel.content.widgets.forEach((c, index) => {{
    if (c.model.type !== 'code') return;
    const outputs = c.model.outputs.toJSON();
    const node = c.node;
    const imgs = Array.from(node.querySelectorAll('.jp-OutputArea-output img'))
      .filter(img => !img.closest('.jupyter-widgets'));
    const topOutputs = Array.from(node.querySelectorAll('.jp-OutputArea-output'))
      .filter(o => !o.parentElement.closest('.jupyter-widgets'));
    const widgetOutputs = topOutputs.filter(o => o.querySelector('.jupyter-widgets'));
    cells.push({{
      index: index,
      source: c.model.sharedModel.getSource().split('\\n')[0].slice(0, 80),
      executionCount: c.model.executionCount,
      errors: outputs.filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue),
      pngOutputs: outputs.filter(o => o.data && o.data['image/png']).length,
      widgetOutputsInModel: outputs.filter(o => o.data && o.data['application/vnd.jupyter.widget-view+json'])
                                   .length,
      imgs: imgs.length,
      imgsDecoded: imgs.filter(img => img.complete && img.naturalWidth > 0).length,
      widgetOutputsRendered: widgetOutputs.length,
      controls: node.querySelectorAll(
        '.jupyter-widgets .widget-slider, .jupyter-widgets .widget-dropdown select, ' +
        '.jupyter-widgets .widget-checkbox input, .jupyter-widgets .widget-text input, ' +
        '.jupyter-widgets button').length,
      sliders: node.querySelectorAll('.jupyter-widgets .widget-slider').length,
      dropdowns: node.querySelectorAll('.jupyter-widgets .widget-dropdown select').length,
      outputText: topOutputs.map(o => o.innerText).join(' ').slice(0, 300),
    }});
  }});
  return cells;
}}
"""

# What a widget panel shows: its figures (the src of every image inside the widgets) and the text of its
# Output areas; plus its status line (HTML widgets) for the failure message.
JS_PANEL_FIGURE = f"""
([path, index]) => {{
  const panel = ({_PANEL})(path);
  const node = panel.content.widgets[index].node;
  const imgs = Array.from(node.querySelectorAll('.jupyter-widgets img'));
  const texts = Array.from(node.querySelectorAll('.jupyter-widgets.widget-output'))
    .map(o => o.innerText.trim()).filter(t => t);
  const status = Array.from(node.querySelectorAll('.jupyter-widgets .widget-html-content'))
    .map(h => h.innerText).join(' ');
  return {{figure: imgs.map(i => i.getAttribute('src') || '').join('|') + '||' + texts.join('|'),
           empty: imgs.length === 0 && texts.length === 0,
           decoded: imgs.every(i => i.complete && i.naturalWidth > 0), n: imgs.length, status: status}};
}}
"""

JS_SCROLL_HEIGHT = f"""
(path) => {{
  const panel = ({_PANEL})(path);
  window.jupyterapp.shell.collapseLeft();
  const scroller = panel.content.node.querySelector('.jp-WindowedPanel-outer') || panel.content.node;
  scroller.scrollTop = 0;
  return Math.max(scroller.scrollHeight, panel.content.node.scrollHeight);
}}
"""


# --------------------------------------------------------------------------------------------------------


@dataclass
class NotebookReport:
    """What the page showed for one notebook; ``problems`` is empty when every check passed."""

    name: str
    problems: list[str] = field(default_factory=list)
    cells: list[dict] = field(default_factory=list)
    slider_moves: list[str] = field(default_factory=list)
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    screenshot: Path | None = None

    def where(self, cell: dict) -> str:
        return f"{self.name}.ipynb cell {cell['index']} ({cell['source']!r})"


class CheckFailed(AssertionError):
    pass


def _poll(page, js: str, arg, done, timeout: float, what: str, interval: float = 0.25):
    """Evaluate ``js(arg)`` until ``done(value)``; raise CheckFailed naming ``what`` on timeout."""
    deadline, value = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        value = page.evaluate(js, arg)
        if done(value):
            return value
        time.sleep(interval)
    raise CheckFailed(f"timed out after {timeout:.0f} s waiting for {what} (last state: {value})")


def run_all_cells(page, name: str, *, open_timeout: float, run_timeout: float) -> float:
    """Wait for the kernel, choose Run > Run All Cells, wait until all is idle; returns seconds to open."""
    start = time.monotonic()
    path = f"{name}.ipynb"
    _poll(page, JS_READY, path, lambda v: v == "ready", open_timeout, f"{path} to open with an idle kernel")
    opened = time.monotonic() - start
    page.wait_for_timeout(300)  # let the menu bar settle after the kernel connects
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    _poll(page, JS_PROGRESS, path, lambda v: v["executed"] > 0 or v["pending"] > 0, 30,
          f"{path}: Run All Cells to start a cell")
    stable = {"n": 0}

    def finished(v) -> bool:
        stable["n"] = stable["n"] + 1 if (v["pending"] == 0 and v["status"] == "idle") else 0
        return stable["n"] >= 4  # idle with nothing pending for about a second

    _poll(page, JS_PROGRESS, path, finished, run_timeout, f"{path}: every cell to finish (kernel idle)")
    return opened


def unrendered(cell: dict) -> bool:
    """True while a figure or widget the kernel produced is not (yet) drawn in the page."""
    return (cell["imgs"] < cell["pngOutputs"] or cell["imgsDecoded"] < cell["imgs"]
            or cell["widgetOutputsRendered"] < cell["widgetOutputsInModel"])


def check_cells(report: NotebookReport, cells: list[dict]) -> None:
    """Errors, unexecuted cells, figures that did not render, widgets shown as text."""
    for cell in cells:
        where = report.where(cell)
        for err in cell["errors"]:
            report.problems.append(f"{where} shows an error: {err}")
        if cell["executionCount"] is None and not cell["errors"]:
            report.problems.append(f"{where} was not executed (run stopped early?)")
        if cell["imgs"] < cell["pngOutputs"] or cell["imgsDecoded"] < cell["imgs"]:
            report.problems.append(f"{where}: {cell['pngOutputs']} figure(s) produced but {cell['imgsDecoded']} "
                                   f"rendered as images")
        if cell["widgetOutputsRendered"] < cell["widgetOutputsInModel"]:
            report.problems.append(f"{where}: {cell['widgetOutputsInModel']} widget(s) produced but only "
                                   f"{cell['widgetOutputsRendered']} rendered as widgets; the output area shows "
                                   f"{cell['outputText']!r}")
        else:
            for bad in ("Error displaying widget", "Loading widget", "Error rendering"):
                if bad.lower() in cell["outputText"].lower():
                    report.problems.append(f"{where}: the widget area says {bad!r}")


def _slider_moves(cell_node, tries: int):
    """(label, read value, move) for up to ``tries`` sliders: an arrow key on the focused handle."""
    handles = cell_node.locator(".jupyter-widgets .widget-slider .noUi-handle")
    for k in range(min(tries, handles.count())):
        handle = handles.nth(k)
        box = handle.locator("xpath=ancestor::div[contains(@class,'widget-slider')]").first
        readout = box.locator(".widget-readout").first

        def move(handle=handle):
            handle.scroll_into_view_if_needed()
            handle.focus()
            at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
            handle.press("ArrowLeft" if at_max else "ArrowRight")

        yield box.locator(".widget-label").first.inner_text(), readout.inner_text, move


def _dropdown_moves(cell_node, tries: int):
    """(label, read value, move) for up to ``tries`` dropdowns: choose the next option."""
    selects = cell_node.locator(".jupyter-widgets .widget-dropdown select")
    for k in range(min(tries, selects.count())):
        select = selects.nth(k)
        box = select.locator("xpath=ancestor::div[contains(@class,'widget-dropdown')]").first

        def move(select=select):
            select.scroll_into_view_if_needed()
            n = select.locator("option").count()
            current = select.evaluate("s => s.selectedIndex")
            select.select_option(index=(current + 1) % n)

        yield box.locator(".widget-label").first.inner_text(), select.input_value, move


def move_control(page, report: NotebookReport, cell: dict, *, timeout: float, tries: int = 3) -> None:
    """Move a panel's sliders (an arrow key), one at a time, until the panel's output changes.

    A panel without sliders gets its dropdowns changed instead. The output is the panel's figures (image
    data) and the text of its Output areas; a move that changes neither within ``timeout`` (for instance
    one the panel rejects with its red status line) counts as a try and the next control is tried, up to
    ``tries``. No change at all is a problem naming the cell and the controls tried.
    """
    path = f"{report.name}.ipynb"
    where = report.where(cell)
    before = page.evaluate(JS_PANEL_FIGURE, [path, cell["index"]])
    if before["empty"]:
        report.problems.append(f"{where}: the widget panel shows no figure or output before a control moves")
        return
    cell_node = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell").nth(cell["index"])
    kind = "slider" if cell["sliders"] else "dropdown"
    moves = _slider_moves(cell_node, tries) if cell["sliders"] else _dropdown_moves(cell_node, tries)
    tried = []
    for label, read, move in moves:
        value_before = read()
        move()
        try:
            after = _poll(page, JS_PANEL_FIGURE, [path, cell["index"]],
                          lambda v: v["figure"] != before["figure"] and v["decoded"] and not v["empty"],
                          timeout, "the panel's output to change")
        except CheckFailed:
            status = page.evaluate(JS_PANEL_FIGURE, [path, cell["index"]])["status"]
            tried.append(f"{label!r} {value_before} -> {read()} (status line: {status.strip()!r})")
            before = page.evaluate(JS_PANEL_FIGURE, [path, cell["index"]])  # a late redraw is not the next's
            continue
        earlier = f" (after no change from {tried})" if tried else ""
        report.slider_moves.append(f"cell {cell['index']}: {kind} {label} {value_before} -> {read()} changed the "
                                   f"panel's output ({before['n']} -> {after['n']} image(s), "
                                   f"{len(before['figure'])} -> {len(after['figure'])} chars of image data and text)"
                                   f"{earlier}")
        return
    report.problems.append(f"{where}: moving a {kind} did not change the panel's output; tried {tried}")


def check_notebook(page, server: LabServer, name: str, screenshot_dir: Path, *, open_timeout: float = 120,
                   run_timeout: float = 240, widget_timeout: float = 30) -> NotebookReport:
    """Open ``name`` in ``page``, run it, check what renders, move sliders, and save a screenshot.

    A page that already shows this server's JupyterLab is reused (the open notebooks are closed, then
    ``name`` is opened from the file browser's command), which saves reloading the whole application;
    otherwise the page navigates to the notebook's URL.
    """
    report = NotebookReport(name)
    start = time.monotonic()
    page.set_viewport_size({"width": 1400, "height": 900})
    path = f"{name}.ipynb"
    try:
        if page.url.startswith(server.url) and page.evaluate("() => !!(window.jupyterapp && "
                                                             "window.jupyterapp.shell)"):
            page.evaluate(JS_REOPEN, path)
        else:
            page.goto(server.notebook_url(name), wait_until="domcontentloaded", timeout=open_timeout * 1000)
        report.phases["open"] = run_all_cells(page, name, open_timeout=open_timeout, run_timeout=run_timeout)
        # widgets and images render asynchronously after the kernel goes idle: give them time to settle
        deadline = time.monotonic() + widget_timeout
        while True:
            cells = page.evaluate(JS_REPORT, path)
            if not any(unrendered(cell) for cell in cells) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        check_cells(report, cells)
        report.cells = cells
        report.phases["run and render"] = time.monotonic() - start - report.phases["open"]
        for cell in cells:
            if (cell["sliders"] or cell["dropdowns"]) and cell["widgetOutputsRendered"]:
                move_control(page, report, cell, timeout=widget_timeout)
        if any(cell["sliders"] or cell["dropdowns"] for cell in cells):
            _poll(page, JS_PROGRESS, path, lambda v: v["status"] == "idle" and v["pending"] == 0, run_timeout,
                  f"{path}: the kernel to go idle after the controls moved")
    except Exception as err:  # noqa: BLE001 - Playwright and CheckFailed alike: name the notebook, keep going
        report.problems.append(f"{name}.ipynb: {type(err).__name__}: {err}")
    finally:
        report.phases["controls"] = time.monotonic() - start - sum(report.phases.values())
        report.screenshot = screenshot(page, name, screenshot_dir, failed=bool(report.problems))
        report.seconds = time.monotonic() - start
    return report


def screenshot(page, name: str, directory: Path, *, failed: bool = False) -> Path | None:
    """Save the whole notebook (the viewport stretched to the notebook's height, capped) as a PNG."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{name}{'.FAILED' if failed else ''}.png"
    try:
        height = page.evaluate(JS_SCROLL_HEIGHT, f"{name}.ipynb")
        page.set_viewport_size({"width": 1400, "height": int(min(max(height + 200, 900), 16000))})
        page.wait_for_timeout(500)
        page.screenshot(path=str(target), full_page=True)
    except Exception:  # noqa: BLE001 - a screenshot must never hide the real failure
        try:
            page.screenshot(path=str(target))
        except Exception:  # noqa: BLE001
            return None
    finally:
        page.set_viewport_size({"width": 1400, "height": 900})
    return target
