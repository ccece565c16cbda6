"""Create a new lesson notebook from the collection's template.

    python tools/new_lesson.py 05_in_context_practice

The stem must be listed in ``rlcore.lesson.LESSONS`` (the lesson plan); its title and argument come from
there. The notebook gets every section the tests require; fill them in, move the experiment into rlcore,
then run ``make outputs`` (or ``python tools/run_notebooks.py --in-place <stem>``) to commit its outputs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rlcore.lesson import LESSONS, REPO, badges  # noqa: E402

COLAB_CELL = f'''# On Colab, install the collection's package first (a no-op locally and on Binder, where it is installed).
try:
    import rlcore
except ImportError:
    %pip install -q "rlcore @ git+https://github.com/{REPO}.git"
    from google.colab import output
    output.enable_custom_widget_manager()  # lets ipywidgets 8 render on Colab'''


def title_cell(stem: str, title: str, summary: str) -> str:
    """The first cell: title, both badges, one-paragraph summary."""
    return f"# {stem[:2]} · {title}\n\n{badges(stem + '.ipynb')}\n\n{summary}"


def solution_cell(body: str) -> nbformat.NotebookNode:
    """A collapsed solution: a markdown cell tagged ``solution`` (``make student`` removes it)."""
    cell = new_markdown_cell(f"<details><summary>Solution</summary>\n\n{body}\n\n</details>")
    cell.metadata["tags"] = ["solution"]
    return cell


def template(stem: str) -> nbformat.NotebookNode:
    entry = next((e for e in LESSONS if e.stem == stem), None)
    if entry is None:
        raise SystemExit(f"{stem!r} is not in rlcore.lesson.LESSONS; add it to the lesson plan first")
    parameters = new_code_cell(
        'quick: bool = False      # True: a small, fast run (the tests use it)\n'
        'seed: int = 0            # seed of every random stream in this lesson\n'
        'metrics_path: str = ""   # write this lesson\'s metrics as JSON here ("" writes nothing)\n'
        '# the experiment\'s knobs go below, each a field of the lesson\'s config in rlcore, written\n'
        '# `name: type = value  # help` so that `papermill --help-notebook` shows them')
    parameters.metadata["tags"] = ["parameters"]
    cells = [
        new_markdown_cell(title_cell(stem, entry.title, f"One paragraph: {entry.argument}.")),
        new_code_cell(COLAB_CELL),
        new_markdown_cell("## The argument\n\nIn plain words, as the discussion puts it (paraphrased), and what "
                          "would show it."),
        parameters,
        new_code_cell("from rlcore import lesson\n\nparams = lesson.setup(quick=quick, seed=seed, "
                      "metrics_path=metrics_path)\n# build the experiment's config from the reader's knobs, then "
                      "shrink budgets for quick mode:\n# config = MyConfig(runs=runs).with_quick(params.quick, "
                      "runs=5)"),
        new_markdown_cell("## Predict, then check\n\nBefore the run: write down a number (or a choice) for each "
                          "question below. The run computes the answers; the cell after it reveals them."),
        new_code_cell("my_prediction_1 = None  # your guess, e.g. the share of runs that ... (a number)"),
        new_markdown_cell("## The experiment\n\nThe derivation first, then the code that runs it."),
        new_code_cell("# call rlcore; plot; no learner or environment is defined in a notebook"),
        new_code_cell("from rlcore.exercises import reveal\n\n# reveal('Question 1 ...', my_prediction_1, "
                      "measured_value)  # computed by the run above, never typed in"),
        new_markdown_cell("## What to take away\n\n- "),
        new_markdown_cell("## Exercises\n\nEach exercise is registered in `rlcore.exercises` (with its reference "
                          "and the mistakes it recognizes). Replace the stub, run the check."),
        new_code_cell("from rlcore.exercises import run_check\n\n\ndef my_function(x):\n"
                      "    raise NotImplementedError  # your code here\n\n\n"
                      "# run_check('exercise_name', my_function)"),
        solution_cell("```python\n# the reference solution, with a sentence on why\n```"),
        new_markdown_cell("## Try this\n\n- Move ... and watch ..."),
        new_code_cell("# a rlcore.widgets.Panel over the experiment's config"),
        new_markdown_cell("## Where the discussion disagrees\n\n- "),
        new_markdown_cell("## Metrics\n\nThe numbers this lesson's claims are about (its test module checks "
                          "them)."),
        new_code_cell("metrics = {}\nlesson.write_metrics(metrics, params)"),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    stem = sys.argv[1].removesuffix(".ipynb")
    path = ROOT / "notebooks" / f"{stem}.ipynb"
    if path.exists():
        raise SystemExit(f"{path} exists already")
    nbformat.write(template(stem), path)
    print(f"wrote {path.relative_to(ROOT)}; add tests/test_nb_{stem}.py with NOTEBOOK = {stem!r}")


if __name__ == "__main__":
    main()
