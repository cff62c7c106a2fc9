"""The course as a whole: every model answer earns full marks, every untouched stub none."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXERCISES, SOLUTIONS, submission_with

from nnlab import catalog
from nnlab.grading import collect_checks, grade

NUMPY_SLUGS = [e.slug for e in catalog.EXERCISES if not e.uses_tensorflow]


@pytest.mark.parametrize("slug", NUMPY_SLUGS)
def test_solution_earns_full_marks(slug: str, tmp_path: Path) -> None:
    folder = submission_with(tmp_path, {slug: SOLUTIONS / f"{slug}.py"})
    result = grade(folder, [slug]).exercises[0]
    failures = [f"{c.name}: {c.message}" for c in result.checks if c.status != "passed"]
    assert result.status == "passed", failures
    assert result.score == pytest.approx(100.0)


@pytest.mark.parametrize("slug", NUMPY_SLUGS)
def test_untouched_stub_earns_nothing(slug: str, tmp_path: Path) -> None:
    folder = submission_with(tmp_path, {slug: EXERCISES / f"{slug}.py"})
    result = grade(folder, [slug]).exercises[0]
    assert result.score == 0.0
    assert result.status == "failed"
    assert all("not implemented yet" in c.message for c in result.checks), [
        c.message for c in result.checks if "not implemented yet" not in c.message
    ]


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
