"""Binder, beyond the pins (tests/test_packaging.py): every Binder link opens a notebook that exists, and the
environment repo2docker builds has what a reader's JupyterLab needs.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import nbformat
import pytest

from rlcore.lesson import BRANCH, REPO

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
BINDER_LINK = re.compile(r"https://mybinder\.org/v2/gh/([^/\s)]+/[^/\s)]+)/([^?\s)]+)\?urlpath=lab/tree/([^\s)&#`'\"]+)")


def pins(path: Path) -> dict[str, str]:
    lines = [ln.split("#")[0].strip() for ln in path.read_text().splitlines()]
    return {name.lower(): version for name, version in (ln.split("==") for ln in lines if ln)}


def binder_links(text: str) -> list[tuple[str, str, str]]:
    """(owner/name, branch, path) of every Binder link in ``text``."""
    return BINDER_LINK.findall(text)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_each_notebook_has_a_binder_badge_that_opens_itself(name):
    title = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4).cells[0].source
    assert binder_links(title) == [(REPO, BRANCH, f"notebooks/{name}.ipynb")]


def test_every_binder_link_in_the_readme_opens_an_existing_file():
    links = binder_links((ROOT / "README.md").read_text())
    assert links, "the README has no Binder link"
    for repo, branch, path in links:
        assert (repo, branch) == (REPO, BRANCH), f"README Binder link to {repo}@{branch}"
        assert (ROOT / path).exists(), f"README Binder link opens {path}, which does not exist"


def test_binder_link_pattern_on_known_strings():
    good = f"https://mybinder.org/v2/gh/{REPO}/{BRANCH}?urlpath=lab/tree/notebooks/00_start_here.ipynb"
    assert binder_links(f"[x]({good})") == [(REPO, BRANCH, "notebooks/00_start_here.ipynb")]
    assert binder_links("https://mybinder.org/v2/gh/a/b/main") == []  # no urlpath: not a per-notebook link


def test_binder_environment_has_jupyterlab_widgets_and_the_package_dependencies():
    binder = pins(ROOT / "binder" / "requirements.txt")
    assert {"jupyterlab", "ipykernel", "ipywidgets"} <= set(binder)
    # postBuild installs rlcore with --no-deps, so every dependency it declares must already be pinned
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {re.split(r"[<>=!~\[; ]", dep)[0].lower() for dep in declared}
    assert names <= set(binder), f"not pinned for Binder: {names - set(binder)}"
    browser_only = set(pins(ROOT / "requirements-browser.txt"))
    assert not browser_only & set(binder), "the browser-test tools do not belong in the Binder image"


def test_postbuild_is_an_executable_script():
    post = ROOT / "binder" / "postBuild"
    assert os.access(post, os.X_OK), "repo2docker runs binder/postBuild; keep it executable (chmod +x)"
    assert post.read_text().startswith("#!")
