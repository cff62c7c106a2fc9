"""Do-nothing answers (nnlab.trivial) score 0 on every exercise: no check rewards code that
computes nothing.

The whole corpus of each kind is graded in one grade-batch, as `nnlab verify` grades it.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nnlab import batch, catalog, trivial

NUMPY_SLUGS = [e.slug for e in catalog.EXERCISES if not e.uses_tensorflow]
KERAS_SLUGS = [e.slug for e in catalog.EXERCISES if e.uses_tensorflow]


def load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(f"trivial_{path.parent.name}_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the corpus ------------------------------------------------------------------------------


def test_every_answer_defines_every_contract_function_with_the_stubs_signature(
    tmp_path: Path,
) -> None:
    answers = trivial.write_corpus(tmp_path)
    assert {answer.strategy.name for answer in answers} == {s.name for s in trivial.STRATEGIES}
    for answer in answers:
        expected = NUMPY_SLUGS + KERAS_SLUGS if not answer.strategy.keras_only else KERAS_SLUGS
        assert sorted(answer.slugs) == sorted(expected)
        for slug in answer.slugs:
            tree = ast.parse((answer.folder / f"{slug}.py").read_text())
            stub = ast.parse(catalog.get(slug).stub_path.read_text())
            written = {
                n.name: ast.dump(n.args) for n in tree.body if isinstance(n, ast.FunctionDef)
            }
            wanted = {n.name: ast.dump(n.args) for n in stub.body if isinstance(n, ast.FunctionDef)}
            assert list(written) == list(catalog.signatures(slug)), (answer.folder.name, slug)
            assert written == {name: wanted[name] for name in written}


def test_each_numpy_answer_does_what_its_name_says(tmp_path: Path) -> None:
    answers = {a.strategy.name: a for a in trivial.write_corpus(tmp_path, ["activations"])}
    z = np.array([[-1.0, 0.5], [2.0, 3.0]])

    def sigmoid_of(strategy: str) -> Any:
        return load(answers[strategy].folder / "activations.py").sigmoid

    assert sigmoid_of("zero")(z) == 0.0
    assert sigmoid_of("none")(z) is None
    assert sigmoid_of("first-argument")(z) is z
    np.testing.assert_array_equal(sigmoid_of("zeros-like")(z), np.zeros((2, 2)))
    np.testing.assert_array_equal(sigmoid_of("ones-like")(z), np.ones((2, 2)))
    assert sigmoid_of("shape")(z) == (2, 2)
    with pytest.raises(NotImplementedError):
        sigmoid_of("not-implemented")(z)
    with pytest.raises(ValueError):
        sigmoid_of("value-error")(z)
    softmax = load(answers["first-argument"].folder / "activations.py").softmax
    assert softmax(z) is z and softmax(z, axis=0) is z  # the stub's default kept


# --- graded ----------------------------------------------------------------------------------


def grade_corpus(root: Path, slugs: list[str]) -> list[str]:
    """Grade every do-nothing answer to ``slugs`` in one grade-batch; return what scored."""
    answers = trivial.write_corpus(root, slugs)
    result = batch.grade_folders(
        [answer.folder for answer in answers], batch.BatchOptions(jobs=2, slugs=slugs)
    )
    assert result.crashed == []
    by_folder = {answer.folder.name: answer for answer in answers}
    assert sorted(report.submission for report in result.reports) == sorted(by_folder)
    scored = []
    for report in result.reports:
        answer = by_folder[report.submission]
        for exercise in report.exercises:
            if exercise.exercise in answer.slugs:
                # graded: a corpus answer that did not load would prove nothing
                assert exercise.status in ("failed", "partial"), (report.submission, exercise)
        scored += [
            f"{slug}: the {answer.strategy.label!r} answer passes {check or '(no check)'}"
            f" ({points:.2f} points)"
            for slug, check, points in trivial.passed_checks(report, answer.slugs)
        ]
    return scored


def test_do_nothing_answers_score_zero_on_every_numpy_exercise(tmp_path: Path) -> None:
    scored = grade_corpus(tmp_path, NUMPY_SLUGS)
    assert scored == [], "\n".join(scored)


@pytest.mark.tensorflow
def test_do_nothing_answers_score_zero_on_every_keras_exercise(tmp_path: Path) -> None:
    scored = grade_corpus(tmp_path, KERAS_SLUGS)
    assert scored == [], "\n".join(scored)
