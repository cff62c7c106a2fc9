"""`nnlab verify --mutants`: the mutation operators, their determinism, the probe, and a
survivor of a weak private check reported with its diff."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pytest
from classroom import needs_slugs
from click.testing import CliRunner
from conftest import SOLUTIONS

from nnlab import catalog, mutation, mutation_analysis, probe_inputs
from nnlab.cli import cli

# every operator has something to change here; the raise and its f-string must stay as they are
SOURCE = '''\
"""A made-up answer to `activations` (sigmoid is a contract function, _helper is not)."""

import numpy as np


def _helper(a):
    return a.T


def sigmoid(z, axis=-1):
    """Nothing in the docstring changes: 0 1 + -."""
    z = np.asarray(z, dtype=float)
    total = 0
    total += 1
    if z.ndim < 2:
        raise ValueError(f"need {2 + 1} axes, not {z.ndim}")
    s = np.sum(z[1:3], axis=0, keepdims=True) * 0.5
    m = z.max(axis=(0, 1)) / 2
    print(s)
    return _helper(np.transpose(z)) @ m, s > 0
'''


def made_up() -> list[mutation.Mutant]:
    return mutation.mutants("activations", SOURCE)


def test_every_operator_makes_valid_different_code() -> None:
    found = made_up()
    assert {m.operator for m in found} == set(mutation.NUMPY_OPERATORS)
    original = ast.dump(ast.parse(SOURCE))
    dumps = set()
    for mutant in found:
        dumped = ast.dump(ast.parse(mutant.source))  # valid Python
        assert dumped != original, mutant.description
        dumps.add(dumped)
        changed = [line for line in mutant.diff.splitlines() if line[:1] in "+-"]
        assert changed[:2] == [
            "--- solutions/activations.py",
            "+++ solutions/activations.py (mutant)",
        ]
        assert len(changed) >= 4, mutant.diff  # at least one line out, one in
    assert len(dumps) == len(found)  # one mutant per distinct program


def test_each_operator_makes_the_change_it_names() -> None:
    described = {(m.operator, f"line {m.line}: {m.change}") for m in made_up()}
    for expected in (
        ("operator", "line 14: `+=` -> `-=`"),
        ("operator", "line 17: `*` -> `/`"),
        ("operator", "line 20: `@` -> `*`"),
        ("comparison", "line 15: `<` -> `<=`"),
        ("comparison", "line 15: `<` -> `>`"),
        ("constant", "line 17: `0.5` -> `0.6`"),
        ("constant", "line 13: `0` -> `1`"),
        ("constant", "line 18: `2` -> `3`"),
        ("axis", "line 17: `0` -> `-1`"),
        ("axis", "line 17: `True` -> `False`"),
        ("axis", "line 18: `(0, 1)` -> `(0,)`"),
        ("sibling", "line 17: `sum` -> `mean`"),
        ("sibling", "line 18: `max` -> `min`"),
        ("slice", "line 17: `1` -> `1 + 1`"),
        ("slice", "line 17: `3` -> `3 - 1`"),
        ("statement", "line 14: `total += 1` removed"),
        ("statement", "line 19: `print(s)` removed"),
        ("transpose", "line 20: `np.transpose(z)` -> `z`"),
        ("transpose", "line 7: `a.T` -> `a`"),
    ):
        assert expected in described
    # nothing in the raise statement, the docstring or the defaults
    assert not [d for _, d in described if d.startswith(("line 11:", "line 16:", "line 10:"))]
    (dropped,) = [m for m in made_up() if m.change == "`a.T` -> `a`"]
    assert dropped.description == "line 7, column 12: `a.T` -> `a`"


KERAS_SOURCE = '''\
"""A made-up answer to `keras_model`."""

import keras
from keras import layers


def build_model(input_dim):
    model = keras.Sequential([keras.Input(shape=(input_dim,)), layers.Dense(8, activation="relu")])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001), metrics=["accuracy"])
    return model


def train_model(model, x_train, y_train, x_val, y_val, epochs=20, batch_size=32):
    return model.fit(
        x_train,
        y_train,
        batch_size=batch_size,
        validation_data=(x_val, y_val),
        verbose=0,
    )
'''


def test_the_keras_subset_aims_at_the_contracts_mistakes() -> None:
    found = mutation.mutants("keras_model", KERAS_SOURCE)
    assert {m.operator for m in found} <= set(mutation.KERAS_OPERATORS)
    described = {(m.operator, f"line {m.line}: {m.change}") for m in found}
    for expected in (
        ("name", 'line 8: `"relu"` -> `"linear"`'),
        ("name", 'line 9: `"accuracy"` -> `"mae"`'),
        ("argument", 'line 8: `activation="relu"` left out'),
        ("argument", "line 18: `validation_data=(x_val, y_val)` left out"),
        ("argument", "line 19: `verbose=0` left out"),
        ("element", 'line 8: `layers.Dense(8, activation="relu")` left out of the list'),
        ("element", 'line 9: `"accuracy"` left out of the list'),
        ("swap", "line 15: `x_train` -> `x_val`"),
        ("swap", "line 18: `y_val` -> `y_train`"),
        ("constant", "line 9: `0.001` -> `0.101`"),  # a learning rate, inside a capitalised call
        (
            "statement",
            'line 9: `model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.001), metrics=["accuracy"])` removed',
        ),
    ):
        assert expected in described, expected
    # the architecture is the learner's choice: no unit count is nudged, no NumPy operator runs
    assert not [m for m in found if m.change == "`8` -> `9`"]
    assert not {"axis", "sibling", "slice", "transpose"} & {m.operator for m in found}
    for mutant in found:
        ast.parse(mutant.source)  # each one valid Python
    # a keyword cut with its comma: from the middle, at the end, the only one
    by_change = {m.change: m.source for m in found}
    assert (
        "        y_train,\n        validation_data="
        in by_change["`batch_size=batch_size` left out"]
    )
    assert "validation_data=(x_val, y_val),\n    )" in by_change["`verbose=0` left out"]
    assert "layers.Dense(8)])" in by_change['`activation="relu"` left out']
    assert "metrics=[])" in by_change['`"accuracy"` left out of the list']
    # the NumPy exercises keep their own operators
    assert not [m for m in made_up() if m.operator in ("name", "argument", "swap", "element")]


def test_a_mutant_knows_its_function_and_what_it_reaches() -> None:
    (dropped,) = [m for m in made_up() if m.change == "`a.T` -> `a`"]
    assert (dropped.where, dropped.function, dropped.reaches) == (
        "_helper",
        "sigmoid",
        ("sigmoid",),
    )
    assert "-    return a.T\n+    return a\n" in dropped.diff
    assert {m.function for m in made_up()} == {"sigmoid"}
    # a helper no contract function runs is not mutated
    lonely = SOURCE + "\n\ndef _unused(x):\n    return x + 1\n"
    assert not [m for m in mutation.mutants("activations", lonely) if m.where == "_unused"]


def test_mutants_and_samples_are_deterministic_for_a_seed() -> None:
    text = (SOLUTIONS / "conv_backward.py").read_text()
    first, second = mutation.mutants("conv_backward", text), mutation.mutants("conv_backward", text)
    assert first == second
    assert [m.number for m in first] == list(range(1, len(first) + 1))
    picked = mutation.sample(first, 10, seed=3)
    assert picked == mutation.sample(second, 10, seed=3)
    assert len(picked) == 10 and picked == sorted(picked, key=lambda m: m.number)
    assert picked != mutation.sample(first, 10, seed=4)
    assert mutation.sample(first, None, seed=3) == first


def test_the_probe_is_deterministic_and_calls_every_contract_function() -> None:
    for slug in probe_inputs.MAKERS:
        functions = list(catalog.signatures(slug))
        probe = probe_inputs.calls(slug, functions, seed=1)
        assert set(probe) == set(functions), slug
        again = probe_inputs.calls(slug, functions, seed=1)
        assert all(probe_inputs.same(probe[f], again[f]) for f in functions)
    assert not probe_inputs.same(
        probe_inputs.calls("activations", ["sigmoid"], seed=1),
        probe_inputs.calls("activations", ["sigmoid"], seed=2),
    )
    assert not [
        e.slug
        for e in catalog.EXERCISES
        if not e.uses_tensorflow and e.slug not in probe_inputs.MAKERS
    ]


def test_the_model_answers_answer_the_probe_in_the_sandbox() -> None:
    for slug in needs_slugs():
        if slug not in probe_inputs.MAKERS:
            continue
        functions = list(catalog.signatures(slug))
        probe = probe_inputs.calls(slug, functions)
        replies = mutation_analysis._run(
            slug, (SOLUTIONS / f"{slug}.py").read_text(), probe, functions
        )
        assert isinstance(replies, dict), replies
        for function in functions:  # most calls return; a few are wrong on purpose
            returned = [kind for kind, _ in replies[function] if kind == "value"]
            assert len(returned) >= len(replies[function]) / 2, (slug, function, replies[function])


def test_same_compares_type_shape_dtype_and_values() -> None:
    same = probe_inputs.same
    a = np.array([1.0, 2.0])
    assert same({"w": a, "b": (1, 2.0)}, {"w": a.copy(), "b": (1, 2.0)})
    assert not same(a, a.astype(np.float32))
    assert not same(a, a.reshape(2, 1))
    assert not same(a, a + 1e-6)
    assert not same((1, 2), [1, 2])
    assert same(np.array([np.nan]), np.array([np.nan]))
    assert probe_inputs.difference({"w": a}, {"w": a + 0.5}) == 0.5


WEAK = """
import numpy as np

from nnlab.checks import check


@check("sigmoid", weight=1, hint="sigmoid keeps the shape of its input.")
def test_sigmoid_keeps_the_shape(learner):
    # deliberately weak: the right shape, whatever the values
    assert np.shape(learner.call("sigmoid", np.zeros((2, 3))).value) == (2, 3)
"""


def test_a_weak_private_check_misses_mutants_and_the_report_names_them(tmp_path: Path) -> None:
    if "activations" not in needs_slugs():
        pytest.skip("the weak check is for activations")
    folder = tmp_path / "private"
    folder.mkdir()
    (folder / "test_activations_weak.py").write_text(WEAK)
    result = CliRunner().invoke(
        cli, ["verify", "--mutants", "--checks", str(folder), "--jobs", "2", "--max", "8"]
    )
    assert result.exit_code == 1, result.output  # far below the target
    out = result.stdout
    line = next(line for line in out.splitlines() if line.startswith("activations:"))
    assert "(a sample of 8 of 12)" in line  # only sigmoid's mutants: the function checked
    assert "  sigmoid: 8 generated, 1 equivalent, " in out  # every mutant is sigmoid's
    assert "  your checks for sigmoid miss " in out
    # a sign flipped in 1 + e: the values change, the shape does not; the course's checks see it
    assert "`+` -> `-`" in out and "the course's checks kill it" in out
    assert "-    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))" in out
    assert "(1 - e)" in out
    # z >= 0 or z > 0: the same values (0.5 at 0 either way); set aside, not a survivor
    assert "set aside as equivalent" in out and "`>=` -> `>`" in out.split("set aside")[1]
    assert "✗ below the 95% kill rate" in out


def test_max_without_mutants_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["verify", "--max", "3"])
    assert result.exit_code == 2 and "--max needs --mutants" in result.stderr


@pytest.mark.tensorflow
def test_the_keras_probe_sets_aside_a_default_and_tells_a_mistake_apart() -> None:
    text = (SOLUTIONS / "keras_model.py").read_text()
    by_change = {m.change: m for m in mutation.mutants("keras_model", text)}
    default = by_change["`learning_rate=0.001` left out"]  # RMSprop's default is 0.001
    wrong = by_change['`"sigmoid"` -> `"softmax"`']  # softmax over one unit: always 1.0
    exercise = mutation_analysis.ExerciseAnalysis(
        "keras_model",
        outcomes=[mutation_analysis.Outcome(default), mutation_analysis.Outcome(wrong)],
    )
    mutation_analysis._probe([exercise], seed=0, progress=lambda line: None)
    assert [o.status for o in exercise.outcomes] == ["equivalent", "surviving"]
    assert exercise.outcomes[1].note == "the probe tells it apart: call 1 of build_model"
    # the probe describes what the trusted helpers see, as plain data, the same way each time
    probe = probe_inputs.keras_calls("keras_model", ["train_model"], seed=0)
    again = probe_inputs.keras_calls("keras_model", ["train_model"], seed=0)
    assert probe_inputs.same(probe, again)
    assert not probe_inputs.same(probe, probe_inputs.keras_calls("keras_model", ["train_model"], 1))
    (call, *_) = probe["train_model"]
    assert call["kind"] == "train" and call["network"][0] == "reference_model"
    assert all(isinstance(array, np.ndarray) for array in call["args"])


def test_the_json_report_holds_the_figures_and_each_mutant(tmp_path: Path) -> None:
    if "tensors" not in needs_slugs():
        pytest.skip("the sample is of tensors")
    out = tmp_path / "mutants.json"
    args = ["verify", "--mutants", "tensors", "--max", "4", "--jobs", "2", "--json", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 1), result.output
    data = json.loads(out.read_text())
    assert data["schema"] == "nnlab-mutants/1" and data["seed"] == 0
    (exercise,) = data["exercises"]
    assert exercise["exercise"] == "tensors" and exercise["sampled"] == 4
    counts = exercise["counts"]
    assert counts["generated"] == 4 == len(exercise["mutants"])
    assert sum(counts[s] for s in mutation_analysis.STATUSES) == 4
    for mutant in exercise["mutants"]:
        assert mutant["status"] in mutation_analysis.STATUSES
        assert mutant["diff"].startswith("--- solutions/tensors.py")
        assert (mutant["status"] == "killed") == bool(mutant["killed_by"])
    line = next(line for line in result.stdout.splitlines() if line.startswith("tensors:"))
    assert line.startswith(f"tensors: {counts['generated']} generated, {counts['equivalent']} ")
    # an earlier report is replaced; a file that is not one is refused (exit status 2)
    assert CliRunner().invoke(cli, args).exit_code in (0, 1)
    other = tmp_path / "notes.json"
    other.write_text('{"mine": 1}')
    refused = CliRunner().invoke(cli, [*args[:-1], str(other)])
    assert refused.exit_code == 2 and "not replacing it" in refused.stderr
    assert other.read_text() == '{"mine": 1}'
    assert CliRunner().invoke(cli, ["verify", "--json", str(out)]).exit_code == 2


def test_each_harmless_entry_names_a_mutant_of_the_model_answers() -> None:
    root = SOLUTIONS.parent
    known = mutation_analysis.harmless_mutants(root)
    assert len(known) >= 10
    named = set()
    for slug in {key[0] for key in known}:
        text = (SOLUTIONS / f"{slug}.py").read_text()
        named |= {mutation_analysis.harmless_key(m, text) for m in mutation.mutants(slug, text)}
    assert set(known) <= named, sorted(set(known) - named)  # none left behind by an edit
    assert all(len(reason) > 30 for reason in known.values())


def unexplained_survivors(slugs: list[str], count: int) -> list[str]:
    """Grade and probe a sample of ``count`` mutants of each exercise (seed 0): the survivors
    that solutions/harmless_mutants.toml does not name, each with its diff."""
    analysis = mutation_analysis.analyse(slugs, jobs=2, count=count, seed=0)
    assert [e.slug for e in analysis.exercises] == slugs
    for exercise in analysis.exercises:
        assert not exercise.problem, exercise.problem
        assert len(exercise.outcomes) == min(count, exercise.available)
    assert sum(e.counts()["killed"] for e in analysis.exercises) >= count // 2 * len(slugs)
    return [
        f"{o.mutant.name} ({o.mutant.description}):\n{o.mutant.diff}"
        for e in analysis.exercises
        for o in e.outcomes
        if o.status in ("surviving", "not graded") and not o.harmless
    ]


def test_the_course_checks_kill_every_sampled_mutant_but_the_harmless() -> None:
    """The course's checks held to their strength: a sample of every NumPy exercise's
    mutants (8 each, seed 0), graded and probed; a survivor not listed as harmless (a
    weakened check, or a new gap) fails this test with its diff."""
    slugs = [e.slug for e in catalog.EXERCISES if not e.uses_tensorflow]
    unexplained = unexplained_survivors(slugs, 8)
    assert not unexplained, "\n".join(unexplained)


@pytest.mark.tensorflow
def test_the_keras_checks_kill_every_sampled_mutant() -> None:
    """The same for the Keras exercises, with fewer mutants (each grading trains)."""
    slugs = [e.slug for e in catalog.EXERCISES if e.uses_tensorflow]
    unexplained = unexplained_survivors(slugs, 4)
    assert not unexplained, "\n".join(unexplained)
