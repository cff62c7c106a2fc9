"""Notebooks: the stub `nnlab start --notebook` writes, and notebooks graded like .py files."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from conftest import EXERCISES, SOLUTIONS

from nnlab import catalog, jupyter, notebook
from nnlab.cli import cli
from nnlab.grading import grade

SLUG = "activations"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def solution_notebook(slug: str) -> dict:
    """The stub notebook with the model answer in its cells (as a learner would fill it in)."""
    text = notebook.build_notebook(catalog.get(slug), (SOLUTIONS / f"{slug}.py").read_text())
    return json.loads(text)


def write_notebook(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data, indent=1))
    return path


def other_slug() -> str:
    """Another NumPy exercise with a model answer, to show it is still graded."""
    for exercise in catalog.EXERCISES:
        if exercise.slug != SLUG and not exercise.uses_tensorflow:
            if (SOLUTIONS / f"{exercise.slug}.py").is_file():
                return exercise.slug
    pytest.skip("no second exercise with a model answer yet")


def comparable(report_dict: dict) -> list[dict]:
    exercises = report_dict["exercises"]
    return [{k: v for k, v in e.items() if k != "file"} for e in exercises]


def cell_source(cell: dict) -> str:
    source = cell["source"]
    return "".join(source) if isinstance(source, list) else source


# --- the stub notebook -----------------------------------------------------------------------


@pytest.mark.parametrize("slug", catalog.slugs())
def test_every_exercise_has_a_valid_notebook_stub_with_one_cell_per_function(
    slug: str, tmp_path: Path
) -> None:
    exercise = catalog.get(slug)
    text = notebook.stub_notebook(exercise)
    parsed = nbformat.reads(text, as_version=4)
    nbformat.validate(parsed)
    assert parsed.nbformat == 4
    assert parsed.metadata.kernelspec.name == "python3"
    assert parsed.metadata.language_info.name == "python"
    assert parsed.metadata.nnlab.exercise == slug
    assert len({cell.id for cell in parsed.cells}) == len(parsed.cells)

    stub = EXERCISES / f"{slug}.py"
    module_doc = ast.get_docstring(ast.parse(stub.read_text())) or ""
    assert module_doc.split("\n")[0] in parsed.cells[0].source

    graded = {}
    for cell in parsed.cells:
        info = cell.metadata.get("nnlab", {})
        assert info.get("exercise") == slug
        if info.get("role") == "function":
            tree = ast.parse(cell.source)
            names = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
            assert names == [info["function"]]
            assert ast.get_docstring(tree.body[0]), f"{names[0]} lost its docstring"
            graded[info["function"]] = cell
        if info.get("role") in ("try", "grade", "plot"):
            assert cell.source.startswith(notebook.SKIP_MARKER)
    assert list(graded) == list(exercise.functions)

    (tmp_path / f"{slug}.ipynb").write_text(text)
    module = notebook.module_source((tmp_path / f"{slug}.ipynb").read_text())
    compile(module, f"{slug}.py", "exec")
    assert catalog.signatures(slug) == _signatures(module)


def _signatures(source: str) -> dict[str, tuple[str, ...]]:
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            args = node.args
            found[node.name] = tuple(
                a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)
            )
    return found


def test_start_notebook_writes_the_stub_and_never_overwrites(workspace: Path) -> None:
    code, out, _ = run("start", SLUG, "--notebook", "--dir", str(workspace))
    assert code == 0 and f"{SLUG}.ipynb" in out
    written = workspace / f"{SLUG}.ipynb"
    assert written.read_text() == notebook.stub_notebook(catalog.get(SLUG))
    written.write_text("my work")
    code, _, err = run("start", SLUG, "--notebook", "--dir", str(workspace))
    assert code == 2 and "already exists" in err
    assert written.read_text() == "my work"


def test_try_cells_run_the_docstring_examples() -> None:
    doc = ">>> z = np.array([1.0])\n>>> f(0.0)\n0.5\n>>> f(z)\narray([0.73])\n"
    cell = notebook.try_cell_source("f", doc)
    assert cell.splitlines() == [
        f"{notebook.SKIP_MARKER} (try f here; this cell is not graded)",
        "z = np.array([1.0])",
        "print(f(0.0))  # expected: 0.5",
        "f(z)  # expected: array([0.73])",
    ]
    assert notebook.try_cell_source("g", "No example.").endswith("# g(...)")


# --- grading a notebook ----------------------------------------------------------------------


def test_stub_notebook_grades_like_the_stub_and_names_cells(tmp_path: Path) -> None:
    as_script, as_notebook = tmp_path / "py", tmp_path / "nb"
    as_script.mkdir()
    as_notebook.mkdir()
    shutil.copyfile(EXERCISES / f"{SLUG}.py", as_script / f"{SLUG}.py")
    data = json.loads(notebook.stub_notebook(catalog.get(SLUG)))
    cells = data["cells"]
    write_notebook(as_notebook / f"{SLUG}.ipynb", data)
    from_script = grade(as_script, [SLUG]).exercises[0]
    from_notebook = grade(as_notebook, [SLUG]).exercises[0]
    assert from_notebook.file == f"{SLUG}.ipynb"
    assert [(c.name, c.status, c.score) for c in from_notebook.checks] == [
        (c.name, c.status, c.score) for c in from_script.checks
    ]
    message = from_notebook.checks[0].message
    assert "not implemented yet" in message
    # '(code cell 3, "def sigmoid(z):", line 9)': counted among code cells, as Jupyter shows them
    found = re.search(r'\(code cell (\d+), "([^"]*)", line (\d+)\)', message)
    assert found, message
    code_cells = [c for c in cells if c["cell_type"] == "code"]
    cell = cell_source(code_cells[int(found.group(1)) - 1])
    assert cell.strip().splitlines()[0] == found.group(2) == "def sigmoid(z):"
    assert "raise NotImplementedError" in cell.split("\n")[int(found.group(3)) - 1]


@pytest.mark.parametrize(
    "slug", [e.slug for e in catalog.EXERCISES if not e.uses_tensorflow]
)  # the whole NumPy course can be done in notebooks
def test_notebook_of_a_solution_earns_the_same_report_as_the_script(
    tmp_path: Path, slug: str
) -> None:
    as_script, as_notebook = tmp_path / "py", tmp_path / "nb"
    as_script.mkdir()
    as_notebook.mkdir()
    shutil.copyfile(SOLUTIONS / f"{slug}.py", as_script / f"{slug}.py")
    write_notebook(as_notebook / f"{slug}.ipynb", solution_notebook(slug))
    from_script = grade(as_script, [slug]).to_dict()
    from_notebook = grade(as_notebook, [slug]).to_dict()
    assert from_notebook["exercises"][0]["file"] == f"{slug}.ipynb"
    assert from_notebook["exercises"][0]["status"] == "passed"
    assert comparable(from_notebook) == comparable(from_script)


@pytest.mark.tensorflow
def test_a_keras_exercise_is_graded_from_its_notebook_too(tmp_path: Path) -> None:
    write_notebook(tmp_path / "keras_cnn.ipynb", solution_notebook("keras_cnn"))
    result = grade(tmp_path, ["keras_cnn"]).exercises[0]
    assert result.file == "keras_cnn.ipynb"
    assert result.status == "passed", [c.message for c in result.checks if c.status != "passed"]


def test_magics_shell_lines_and_outputs_are_ignored_and_helper_cells_kept(tmp_path: Path) -> None:
    data = solution_notebook(SLUG)
    cells = data["cells"]
    first_function = next(
        i for i, c in enumerate(cells) if c["metadata"]["nnlab"].get("role") == "function"
    )
    name = cells[first_function]["metadata"]["nnlab"]["function"]
    # The learner's answer calls a helper defined in a cell of their own.
    original = cell_source(cells[first_function]).replace(f"def {name}(", f"def _original_{name}(")
    parameters = ", ".join(catalog.signatures(SLUG)[name])
    cells[first_function]["source"] = (
        f"%time x = 1\n!echo shell\n{original}\n\n"
        f"def {name}({parameters}):\n    return _helper({parameters})\n"
    )
    cells[first_function]["outputs"] = [
        {"output_type": "stream", "name": "stdout", "text": ["garbage that is not Python\n"]}
    ]
    cells[first_function]["execution_count"] = 3
    helper = nbformat.v4.new_code_cell(
        f"files = !ls\n%matplotlib inline\ndef _helper({parameters}):\n"
        f"    return _original_{name}({parameters})\nnp_mean_help = None\nlen?\n"
    )
    bash = nbformat.v4.new_code_cell("%%bash\necho this is not Python &&& (\n")
    scratch = nbformat.v4.new_code_cell(f"{notebook.SKIP_MARKER}\nraise SystemExit('never graded')")
    cells[first_function:first_function] = [dict(helper), dict(bash), dict(scratch)]
    write_notebook(tmp_path / f"{SLUG}.ipynb", data)
    result = grade(tmp_path, [SLUG]).exercises[0]
    assert result.status == "passed", [c.message for c in result.checks if c.status != "passed"]


def test_cell_magics_with_a_python_body_keep_it() -> None:
    assert notebook.python_only("%%time\ndef f():\n    return 1") == "pass\ndef f():\n    return 1"
    assert notebook.python_only("%%capture out\nx = 1") == "pass\nx = 1"
    assert notebook.python_only("%%bash\nls -la\npwd") == "pass\n\n"


def test_only_ipython_syntax_is_dropped_and_lines_keep_their_numbers() -> None:
    source = "\n".join(
        [
            "import numpy as np",
            "%matplotlib inline",
            "files = !ls",
            "np.sum?",
            's = """',
            "%d items are kept inside a string",
            '"""',
            "total = (1",
            "         % 2)",
            "for i in range(2):",
            "    !echo $i",
            "ratio = 5 % 3  # a comment?",
        ]
    )
    result = notebook.python_only(source).split("\n")
    assert result == [
        "import numpy as np",
        "pass",
        "pass",
        "pass",
        's = """',
        "%d items are kept inside a string",
        '"""',
        "total = (1",
        "         % 2)",
        "for i in range(2):",
        "    pass",
        "ratio = 5 % 3  # a comment?",
    ]
    compile("\n".join(result), "cell", "exec")


def test_syntax_error_in_a_notebook_names_the_cell_and_its_line(workspace: Path) -> None:
    data = solution_notebook(SLUG)
    cells = data["cells"]
    index = next(i for i, c in enumerate(cells) if c["metadata"]["nnlab"].get("role") == "function")
    cells[index]["source"] = "x = 1\ndef broken(:\n    pass\n"
    write_notebook(workspace / f"{SLUG}.ipynb", data)
    code, _, err = run("grade", SLUG, "--dir", str(workspace))
    assert code == 1  # the learner's file: points lost, the reason on stderr
    position = sum(1 for c in cells[: index + 1] if c["cell_type"] == "code")
    assert err.strip().splitlines() == [
        f'nnlab: error: SyntaxError in {SLUG}.ipynb, code cell {position}, "x = 1", line 2: '
        "invalid syntax: def broken(:"
    ]


def test_an_import_error_in_a_notebook_says_which_cell(workspace: Path) -> None:
    data = solution_notebook(SLUG)
    cells = data["cells"]
    index = next(i for i, c in enumerate(cells) if c["metadata"]["nnlab"].get("role") == "setup")
    cells[index]["source"] = cell_source(cells[index]) + "\nprint(undefined_name)\n"
    write_notebook(workspace / f"{SLUG}.ipynb", data)
    result = grade(workspace, [SLUG]).exercises[0]
    assert result.status == "error"
    line = len(cell_source(cells[index]).split("\n")) - 1
    # counted among code cells, as Jupyter users see them, and named by the cell's first line
    position = sum(1 for c in cells[: index + 1] if c["cell_type"] == "code")
    first = cell_source(cells[index]).strip().splitlines()[0]
    where = f'{SLUG}.ipynb, code cell {position}, "{first}", line {line}'
    assert where in result.message, result.message
    assert position < index + 1  # markdown cells come first: the old count was off
    assert f"{SLUG}.py" not in result.message
    assert notebook.SKIP_MARKER in result.message  # how to keep trial calls out of grading


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "the file is empty"),
        ("{not json", "not valid JSON (line 1, column 2)"),
        ("[1, 2]", "not an object"),
        ('{"nbformat": 5, "cells": []}', "nbformat 5 is not supported"),
        ('{"cells": []}', "no 'nbformat' version"),
        ('{"nbformat": 4, "metadata": {}}', "no list of 'cells'"),
        ('{"nbformat": 4, "cells": [{"source": "x = 1"}]}', "cell 1 has no 'cell_type'"),
        ('{"nbformat": 4, "cells": [{"cell_type": "code", "source": 3}]}', "source of cell 1"),
        (
            '{"nbformat": 4, "metadata": {"kernelspec": {"language": "R"}}, "cells": []}',
            "its language is r, not Python",
        ),
    ],
)
def test_invalid_notebooks_get_a_one_line_reason(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "x.ipynb"
    path.write_text(content)
    with pytest.raises(ValueError, match="invalid notebook") as raised:
        notebook.module_source(path.read_text())
    assert isinstance(raised.value, notebook.NotebookError)
    assert reason in str(raised.value)
    assert "\n" not in str(raised.value)


def test_invalid_notebook_exits_1_with_one_line_and_the_others_are_graded(workspace: Path) -> None:
    other = other_slug()
    shutil.copyfile(SOLUTIONS / f"{other}.py", workspace / f"{other}.py")
    (workspace / f"{SLUG}.ipynb").write_text('{"cells": [')
    code, out, err = run("grade", "--dir", str(workspace), "--format", "json")
    assert code == 1  # the learner's file: points lost, the reason on stderr
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"nnlab: error: {SLUG}.ipynb: invalid notebook: not valid JSON")
    by_slug = {e["exercise"]: e for e in json.loads(out)["exercises"]}
    assert by_slug[SLUG]["status"] == "error" and "invalid notebook" in by_slug[SLUG]["message"]
    assert by_slug[other]["status"] == "passed"


def test_when_both_files_exist_the_report_says_which_was_graded(workspace: Path) -> None:
    shutil.copyfile(SOLUTIONS / f"{SLUG}.py", workspace / f"{SLUG}.py")
    write_notebook(
        workspace / f"{SLUG}.ipynb", json.loads(notebook.stub_notebook(catalog.get(SLUG)))
    )
    note = f"both {SLUG}.py and {SLUG}.ipynb exist; graded {SLUG}.py"
    code, out, _ = run("grade", SLUG, "--dir", str(workspace))
    assert code == 0 and note in out
    code, out, _ = run("grade", SLUG, "--dir", str(workspace), "--format", "json")
    assert json.loads(out)["exercises"][0]["message"] == note


# --- from inside a notebook ------------------------------------------------------------------


def test_nnlab_grade_returns_a_report_rendered_as_html_and_text(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nnlab
    from nnlab.report import text

    write_notebook(
        workspace / f"{SLUG}.ipynb", json.loads(notebook.stub_notebook(catalog.get(SLUG)))
    )
    monkeypatch.chdir(workspace)
    shown = nnlab.grade(SLUG)
    assert shown.score == 0 and not shown.passed
    html = shown._repr_html_()
    for check in shown.report.exercises[0].checks:
        assert check.name in html
    assert "not implemented yet" in html and "0/100" in html
    # hints on request, as in the terminal: the magic that reveals one, not the hint itself
    assert f"hint: %nnlab hint {SLUG} " in html
    assert not any(c.hint and c.hint in html for c in shown.report.exercises[0].checks)
    plain = repr(shown)
    assert "\x1b[" not in plain
    import click

    assert plain == click.unstyle(text.render(shown.report, verbose=False, commands=True))
    progress = json.loads((workspace / ".nnlab" / "progress.json").read_text())
    assert progress["exercises"][SLUG]["score"] == 0


def test_html_report_escapes_what_the_learners_code_said() -> None:
    from nnlab.report import html
    from nnlab.results import CheckResult, ExerciseResult, Report

    check = CheckResult("c", "sigmoid", "correctness", "error", 1.0, "<script>alert(1)</script>")
    report = Report("w", [ExerciseResult(SLUG, f"{SLUG}.py", checks=[check]).finish()])
    rendered = html.render(report)
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered


def test_html_report_shows_a_repeated_failure_once_like_the_text_report() -> None:
    from nnlab.report import html
    from nnlab.results import CheckResult, ExerciseResult, Report

    same = "sigmoid is not implemented yet"
    checks = [
        CheckResult("first", "sigmoid", "correctness", "error", 1.0, same, hint="write it"),
        CheckResult("second", "sigmoid", "correctness", "error", 1.0, same, hint="write it"),
        CheckResult("third", "sigmoid", "correctness", "failed", 1.0, "other: 0.5 != 0.7"),
    ]
    report = Report("w", [ExerciseResult(SLUG, f"{SLUG}.py", checks=checks).finish()])
    rendered = html.render(report)
    assert rendered.count(same) == 1 and rendered.count("write it") == 1
    assert "second  (as above)" in rendered and "first  (as above)" not in rendered
    assert "other: 0.5 != 0.7" in rendered


def test_nnlab_grade_inside_the_grading_child_does_nothing(tmp_path: Path) -> None:
    """A graded cell that calls nnlab.grade must not start a grading inside the grading."""
    data = solution_notebook(SLUG)
    data["cells"].append(dict(nbformat.v4.new_code_cell(f'import nnlab\nnnlab.grade("{SLUG}")')))
    write_notebook(tmp_path / f"{SLUG}.ipynb", data)
    result = grade(tmp_path, [SLUG]).exercises[0]
    assert result.status == "passed", result.message


def test_magic_grades_from_an_ipython_shell(workspace: Path) -> None:
    interactive = pytest.importorskip("IPython.core.interactiveshell")
    shutil.copyfile(SOLUTIONS / f"{SLUG}.py", workspace / f"{SLUG}.py")
    shell = interactive.InteractiveShell.instance()
    try:
        shell.run_line_magic("load_ext", "nnlab")
        shown = shell.run_line_magic("nnlab", f"grade {SLUG} --dir {workspace}")
    finally:
        interactive.InteractiveShell.clear_instance()
    assert shown.passed and "100/100" in shown._repr_html_()


def test_magic_passes_other_options_to_the_cli(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copyfile(SOLUTIONS / f"{SLUG}.py", workspace / f"{SLUG}.py")
    jupyter.nnlab_magic(f"grade {SLUG} --dir {workspace} --format json --no-progress")
    assert json.loads(capsys.readouterr().out)["score"] == 100.0
    jupyter.nnlab_magic(f"grade {SLUG} --dir {workspace} --format xml")
    assert "'xml' is not one of" in capsys.readouterr().err


def test_importing_nnlab_and_its_cli_stays_cheap() -> None:
    probe = (
        "import sys, nnlab, nnlab.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('nbformat', 'matplotlib', 'IPython', 'pytest', 'jsonschema')))"
    )
    output = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


def filled_in(slug: str) -> dict:
    """The stub notebook with each function cell replaced by the model answer's function."""
    data = json.loads(notebook.stub_notebook(catalog.get(slug)))
    solution = (SOLUTIONS / f"{slug}.py").read_text()
    tree = ast.parse(solution)
    answers = {
        node.name: ast.get_source_segment(solution, node)
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
    }
    helpers = [
        ast.get_source_segment(solution, node)
        for node in tree.body
        if not (isinstance(node, ast.FunctionDef) and node.name in answers)
        and not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
    ]
    for cell in data["cells"]:
        info = cell["metadata"]["nnlab"]
        if info["role"] == "function":
            cell["source"] = answers[info["function"]]
        elif info["role"] == "setup":
            cell["source"] = "\n".join(helpers)
            helpers = []
    extra = [name for name in answers if name not in catalog.get(slug).functions]
    data["cells"].insert(3, dict(nbformat.v4.new_code_cell("\n\n".join(answers[n] for n in extra))))
    return data


def test_a_filled_in_notebook_runs_top_to_bottom_in_ipython_and_grades_itself(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What Jupyter does with the notebook: run every cell in order, show the grading cell's result."""
    interactive = pytest.importorskip("IPython.core.interactiveshell")
    data = filled_in(SLUG)
    write_notebook(workspace / f"{SLUG}.ipynb", data)
    monkeypatch.chdir(workspace)
    shell = interactive.InteractiveShell.instance()
    results = []
    try:
        for cell in data["cells"]:
            if cell["cell_type"] == "code":
                outcome = shell.run_cell(cell_source(cell), silent=False)
                assert outcome.success, (cell["id"], outcome.error_in_exec)
                results.append((cell["metadata"].get("nnlab", {}).get("role"), outcome.result))
    finally:
        interactive.InteractiveShell.clear_instance()
    shown = dict(results)["grade"]
    assert isinstance(shown, jupyter.NotebookReport) and shown.passed
    assert shown.report.exercises[0].file == f"{SLUG}.ipynb"


def test_an_old_nbformat_3_notebook_is_read_too(tmp_path: Path) -> None:
    old = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {},
        "worksheets": [
            {
                "cells": [
                    {"cell_type": "markdown", "source": "notes", "metadata": {}},
                    {
                        "cell_type": "code",
                        "input": "x = 1\n%time y = 2",
                        "language": "python",
                        "outputs": [],
                        "metadata": {},
                    },
                ]
            }
        ],
    }
    path = write_notebook(tmp_path / "old.ipynb", old)
    assert notebook.module_source(path.read_text()) == "# %% [cell 2]\nx = 1\npass\n"
