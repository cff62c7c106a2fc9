"""Do-nothing answers: every contract function of an exercise doing the same trivial thing.

A check that such an answer passes measures nothing of what the code computes, so every one
of them must score 0 on every exercise (`nnlab verify` grades them, and the project's tests).
The answers are generated from the contract's signatures (:func:`nnlab.catalog.signatures`):
one module per exercise and strategy, in which EVERY public function has the stub's
signature (its parameters and defaults) and the strategy's one-line body.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from nnlab import catalog


@dataclass(frozen=True)
class Strategy:
    name: str  # a folder-safe name
    label: str  # how verify names the answer: "the 'return None' answer"
    body: str  # one statement; {first} is the first parameter's name
    keras_only: bool = False

    def statement(self, function: str, first: str) -> str:
        return self.body.format(first=first, function=function)


STRATEGIES: tuple[Strategy, ...] = (
    Strategy("zero", "return 0.0", "return 0.0"),
    Strategy("none", "return None", "return None"),
    Strategy("first-argument", "return the first argument", "return {first}"),
    Strategy("zeros-like", "return np.zeros_like(first argument)", "return np.zeros_like({first})"),
    Strategy("ones-like", "return np.ones_like(first argument)", "return np.ones_like({first})"),
    Strategy("shape", "return the first argument's shape", "return np.shape({first})"),
    Strategy("not-implemented", "raise NotImplementedError", "raise NotImplementedError"),
    Strategy("value-error", "raise ValueError", 'raise ValueError("invalid input")'),
    # the documented type, with nothing in it: an empty uncompiled model, a History that
    # never saw fit, a Figure with no axes
    Strategy("empty-object", "return an empty object of the documented type", "", keras_only=True),
)

_EMPTY_KERAS = {
    "build": "return keras.Sequential()",
    "train": "return keras.callbacks.History()",
    "plot": "return matplotlib.figure.Figure()",
}


def _empty_object(function: str) -> str:
    for prefix, statement in _EMPTY_KERAS.items():
        if function.startswith(prefix):
            return statement
    return "return None"


def _parameters(slug: str) -> dict[str, str]:
    """Function name -> its parameter list as the stub writes it (defaults included)."""
    tree = ast.parse(catalog.get(slug).stub_path.read_text(encoding="utf-8"))
    written = {
        node.name: ast.unparse(node.args) for node in tree.body if isinstance(node, ast.FunctionDef)
    }
    return {function: written[function] for function in catalog.signatures(slug)}


def strategies_for(exercise: catalog.Exercise) -> list[Strategy]:
    return [s for s in STRATEGIES if exercise.uses_tensorflow or not s.keras_only]


def source(slug: str, strategy: Strategy) -> str:
    """The module of ``slug`` whose every function follows ``strategy``."""
    exercise = catalog.get(slug)
    lines = [f'"""{slug}: every function does this: {strategy.label}."""', "", "import numpy as np"]
    if exercise.uses_tensorflow:
        lines += ["import keras", "import matplotlib.figure"]
    for function, signature in _parameters(slug).items():
        parameters = catalog.signatures(slug)[function]
        first = parameters[0] if parameters else "None"
        if strategy.keras_only:
            statement = _empty_object(function)
        else:
            statement = strategy.statement(function, first)
        lines += ["", "", f"def {function}({signature}):", f"    {statement}"]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Answer:
    folder: Path
    strategy: Strategy
    slugs: tuple[str, ...]


def write_corpus(
    root: Path, slugs: Sequence[str] = (), *, prefix: str = "trivial-"
) -> list[Answer]:
    """One folder per strategy under ``root``, holding the answer to each exercise of ``slugs``
    (default: all) that the strategy applies to; returns the folders written."""
    chosen = [catalog.get(slug) for slug in slugs] if slugs else list(catalog.EXERCISES)
    answers = []
    for strategy in STRATEGIES:
        exercises = [e for e in chosen if strategy in strategies_for(e)]
        if not exercises:
            continue
        folder = Path(root) / f"{prefix}{strategy.name}"
        folder.mkdir(parents=True, exist_ok=True)
        for exercise in exercises:
            (folder / f"{exercise.slug}.py").write_text(
                source(exercise.slug, strategy), encoding="utf-8"
            )
        answers.append(Answer(folder, strategy, tuple(e.slug for e in exercises)))
    return answers


def passed_checks(report: object, slugs: Sequence[str]) -> Iterator[tuple[str, str, float]]:
    """(exercise, check, points) for every check of ``slugs`` that ``report`` passes, and
    (exercise, "", score) for an exercise that scores points without a passed check."""
    for result in report.exercises:  # type: ignore[attr-defined]
        if result.exercise not in slugs:
            continue
        named = False
        for one in result.checks:
            if one.status == "passed":
                named = True
                yield result.exercise, one.name, one.score
        if result.score and not named:
            yield result.exercise, "", result.score
