"""The course as a whole: every model answer earns full marks, every untouched stub none."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import EXERCISES, SOLUTIONS, submission_with

from nnlab import catalog
from nnlab.cli import cli
from nnlab.grading import collect_checks

NUMPY_SLUGS = [e.slug for e in catalog.EXERCISES if not e.uses_tensorflow]


def grade_through_cli(folder: Path, slug: str) -> tuple[int, dict]:
    """`nnlab grade SLUG --dir FOLDER --format json`, as a learner or CI would run it."""
    result = CliRunner().invoke(
        cli, ["grade", slug, "--dir", str(folder), "--format", "json", "--no-progress"]
    )
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    (exercise,) = report["exercises"]
    return result.exit_code, exercise


@pytest.mark.parametrize("slug", NUMPY_SLUGS)
def test_solution_earns_full_marks(slug: str, tmp_path: Path) -> None:
    folder = submission_with(tmp_path, {slug: SOLUTIONS / f"{slug}.py"})
    exit_code, result = grade_through_cli(folder, slug)
    failures = [f"{c['name']}: {c['message']}" for c in result["checks"] if c["status"] != "passed"]
    assert result["status"] == "passed", failures
    assert result["score"] == pytest.approx(100.0)
    assert exit_code == 0


@pytest.mark.parametrize("slug", NUMPY_SLUGS)
def test_untouched_stub_earns_nothing(slug: str, tmp_path: Path) -> None:
    folder = submission_with(tmp_path, {slug: EXERCISES / f"{slug}.py"})
    exit_code, result = grade_through_cli(folder, slug)
    assert result["score"] == 0.0
    assert result["status"] == "failed"
    assert exit_code == 1
    # each function's first check says so; the others are blocked by it
    messages = [c["message"] for c in result["checks"] if c["status"] != "blocked"]
    assert all("not implemented yet" in m for m in messages), [
        m for m in messages if "not implemented yet" not in m
    ]
    functions = {c["function"] for c in result["checks"]}
    assert len(messages) == len(functions)


@pytest.mark.parametrize("slug", catalog.slugs())
def test_every_check_has_function_hint_and_weight(slug: str) -> None:
    checks = collect_checks(slug)
    assert len(checks) >= 3
    functions = set(catalog.get(slug).functions)
    for found in checks:
        assert found.info is not None, f"{found.name} has no @check metadata"
        assert found.info.hint, f"{found.name} has no hint"
        assert found.info.function in functions, (
            f"{found.name} names unknown {found.info.function!r}"
        )
    assert {c.info.function for c in checks} == functions, "every contract function is checked"


@pytest.mark.parametrize("slug", catalog.slugs())
def test_stub_and_solution_define_the_same_functions(slug: str) -> None:
    stub = catalog.signatures(slug)
    solution_source = (SOLUTIONS / f"{slug}.py").read_text()
    import ast

    tree = ast.parse(solution_source)
    solution = {
        node.name: tuple(
            a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)
        )
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    }
    for name, parameters in stub.items():
        assert solution.get(name) == parameters, f"{slug}.{name}: signature differs"


def test_hidden_checks_skip_assertion_rewriting_and_instructor_checks_keep_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nnlab import grading

    extra = tmp_path / "checks"
    extra.mkdir()
    (extra / "test_tensors_private.py").write_text(
        "from nnlab.checks import check\n\n"
        "@check('rank', hint='a number has rank 0')\n"
        "def test_rank_of_a_number_by_a_bare_assert(learner):\n"
        "    got = learner.call('rank', 1.0).value\n"
        "    assert got == 5\n"
    )
    folder = submission_with(tmp_path, {"tensors": SOLUTIONS / "tensors.py"})
    report = grading.grade(
        folder, ["tensors"], options=grading.GradingOptions(extra_check_dirs=[extra])
    )
    last = report.exercises[0].checks[-1]
    assert last.status == "failed" and "assert 0 == 5" in last.message  # pytest's own detail

    seen: list[list[str]] = []
    monkeypatch.setattr(grading.pytest, "main", lambda args, plugins: seen.append(args) or 0)
    grading.run_checks(grading.check_files("tensors"), object())
    grading.run_checks(grading.check_files("tensors", [extra]), object())
    assert "--assert=plain" in seen[0] and "--assert=plain" not in seen[1]


def test_plain_checks_skip_pytests_hooks_and_others_run_the_whole_protocol(
    tmp_path: Path,
) -> None:
    from nnlab import grading

    session = grading.CheckSession(catalog.slugs())
    assert session.run(lambda active: all(active._all_plain(s) for s in catalog.slugs()))

    extra = tmp_path / "checks"
    extra.mkdir()
    (extra / "test_tensors_private.py").write_text(
        "import pytest\n"
        "from nnlab.checks import check, fail\n\n"
        "@check('rank', hint='a fixture of pytest')\n"
        "def test_with_tmp_path(learner, tmp_path):\n"
        "    if not tmp_path.is_dir():\n"
        "        fail('no tmp_path')\n\n"
        "@pytest.mark.skipif(True, reason='never here')\n"
        "@check('rank', hint='skipped')\n"
        "def test_skipped_by_a_mark(learner):\n"
        "    fail('this must not run')\n"
    )
    options = grading.GradingOptions(extra_check_dirs=[extra])
    folder = submission_with(tmp_path, {"tensors": SOLUTIONS / "tensors.py"})
    checks = grading.grade(folder, ["tensors"], options=options).exercises[0].checks
    assert [c.status for c in checks[-2:]] == ["passed", "grader_error"]  # not the learner's
    assert checks[-1].message == "the check skipped itself (never here); a check must pass or fail"
    assert all(c.status == "passed" for c in checks[:-2])

    (folder / "tensors.py").write_text("raise RuntimeError('not today')\n")
    exercise = grading.grade(folder, ["tensors"]).exercises[0]
    assert exercise.checks and all(
        c.status == "error" and c.message == "not run: the file could not be loaded"
        for c in exercise.checks
    )


# code that answers a check: a NumPy call, code in backticks, a transposed product, a
# reduction's keyword, an attribute call (x.reshape(...)), an assignment or an index
ANSWER_CODE = re.compile(
    r"np\.\w|`|\.T\b| @ |\baxis=|keepdims|dtype=|\b\w+\.\w+\(|\b[a-z_]\w* [-+*/]?= [a-z_(]|\w\[[^\]]*\]"
)


@pytest.mark.parametrize("slug", catalog.slugs())
def test_no_hint_contains_the_answers_code(slug: str) -> None:
    found = [
        (check.name, level)
        for check in collect_checks(slug)
        for level in (check.info.hints or (check.info.hint,))
        if ANSWER_CODE.search(level)
    ]
    assert not found, found
