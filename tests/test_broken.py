"""Each check is shown to fail: deliberately broken answers lose exactly their function's points.

A broken answer is ``tests/broken/<slug>/<mistake>.py``: a whole module (usually the
model answer with one classic mistake) whose ``BROKEN`` tuple names the functions
it gets wrong. Grading it must fail at least one check of each of those functions
and pass every check of the other functions. An optional ``MESSAGE`` string must appear
in the message of a failing check: the mistake is named, not only caught. And one mistake
gives one message: of each function's failing checks, at most one is not ``blocked``.
"""

from __future__ import annotations

import ast
import functools
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import BROKEN

from nnlab import catalog
from nnlab.grading import grade
from nnlab.results import ExerciseResult

TENSORFLOW_SLUGS = {e.slug for e in catalog.EXERCISES if e.uses_tensorflow}


def broken_answers() -> list[pytest.param]:
    params = []
    for path in sorted(BROKEN.glob("*/*.py")):
        slug = path.parent.name
        marks = [pytest.mark.tensorflow] if slug in TENSORFLOW_SLUGS else []
        params.append(pytest.param(path, id=f"{slug}/{path.stem}", marks=marks))
    return params


def declared(path: Path, name: str) -> object:
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == name for t in node.targets):
            return ast.literal_eval(node.value)
    return None


def declared_broken(path: Path) -> tuple[str, ...]:
    broken = declared(path, "BROKEN")
    if broken is None:
        raise AssertionError(f"{path} has no BROKEN = (...) declaration")
    return tuple(broken)  # type: ignore[arg-type]


@functools.cache
def graded(path: Path) -> ExerciseResult:
    """The grading of one broken answer, shared by the tests below."""
    slug = path.parent.name
    with tempfile.TemporaryDirectory() as folder:
        shutil.copyfile(path, Path(folder) / f"{slug}.py")
        return grade(Path(folder), [slug]).exercises[0]


@pytest.mark.parametrize("path", broken_answers())
def test_broken_answer_fails_only_its_functions(path: Path) -> None:
    slug = path.parent.name
    broken = declared_broken(path)
    assert broken and set(broken) <= set(catalog.get(slug).functions)
    result = graded(path)
    assert result.status not in ("error", "missing"), result.message
    for function in catalog.get(slug).functions:
        verdicts = {
            c.name: c.status
            for c in result.checks
            if c.function == function and c.kind == "correctness"
        }
        if function in broken:
            assert any(status != "passed" for status in verdicts.values()), (
                f"{function}: nothing caught the mistake"
            )
        else:
            failing = {n: s for n, s in verdicts.items() if s != "passed"}
            assert not failing, f"{function} should pass but {failing}"
    message = declared(path, "MESSAGE")
    if message is not None:
        said = [c.message for c in result.checks if c.status != "passed"]
        assert any(str(message) in text for text in said), said


# Broken answers with two independent faults in one function, each caught by its own check.
TWO_FAULTS: dict[str, str] = {
    "dense/no_value_error": "neither the shapes nor the activation's name are checked: two "
    "checks a learner writes apart, each refused by its own check",
}


@pytest.mark.parametrize("path", broken_answers())
def test_one_mistake_gives_one_message_per_function(path: Path) -> None:
    result = graded(path)
    allowed = 2 if f"{path.parent.name}/{path.stem}" in TWO_FAULTS else 1
    for function in catalog.get(path.parent.name).functions:
        own = [
            c.name
            for c in result.checks
            if c.function == function and c.status not in ("passed", "blocked")
        ]
        assert len(own) <= allowed, f"{function}: {len(own)} failures of their own: {own}"


def test_there_are_at_least_two_broken_answers_per_function() -> None:
    counts: dict[tuple[str, str], int] = {}
    for path in BROKEN.glob("*/*.py"):
        for function in declared_broken(path):
            counts[(path.parent.name, function)] = counts.get((path.parent.name, function), 0) + 1
    short = [
        f"{e.slug}.{f}"
        for e in catalog.EXERCISES
        if not e.uses_tensorflow
        for f in e.functions
        if counts.get((e.slug, f), 0) < 2
    ]
    assert not short, f"fewer than two broken answers for: {short}"
