"""Each check is shown to fail: deliberately broken answers lose exactly their function's points.

A broken answer is ``tests/broken/<slug>/<mistake>.py``: a whole module (usually the
model answer with one classic mistake) whose ``BROKEN`` tuple names the functions
it gets wrong. Grading it must fail at least one check of each of those functions
and pass every check of the other functions. An optional ``MESSAGE`` string must appear
in the message of a failing check: the mistake is named, not only caught.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
from conftest import BROKEN

from nnlab import catalog
from nnlab.grading import grade

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


@pytest.mark.parametrize("path", broken_answers())
def test_broken_answer_fails_only_its_functions(path: Path, tmp_path: Path) -> None:
    slug = path.parent.name
    broken = declared_broken(path)
    assert broken and set(broken) <= set(catalog.get(slug).functions)
    shutil.copyfile(path, tmp_path / f"{slug}.py")
    result = grade(tmp_path, [slug]).exercises[0]
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
