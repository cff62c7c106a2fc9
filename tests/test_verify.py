"""`nnlab verify` passes on a sound course and names each kind of problem on a broken one."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from classroom import needs_slugs
from click.testing import CliRunner
from conftest import EXERCISES, ROOT, SOLUTIONS

import nnlab.grading
from nnlab import verification
from nnlab.cli import cli


def test_verify_passes_on_the_exercises_that_have_landed() -> None:
    slugs = needs_slugs()
    lines: list[str] = []
    assert verification.verify(lines.append, slugs=slugs, jobs=2) == []
    for slug in slugs:
        assert f"{slug} solution: passed 100.0/100" in lines
        assert f"{slug} stub: failed 0.0/100" in lines


def test_verify_cli_accepts_exercises_and_refuses_unknown_ones() -> None:
    slug = needs_slugs()[0]
    result = CliRunner().invoke(cli, ["verify", slug, "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "every solution earns full marks" in result.stdout
    result = CliRunner().invoke(cli, ["verify", "nonsense"])
    assert result.exit_code == 2 and "unknown exercise" in result.stderr


@pytest.fixture
def broken_course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    """A checkout whose solution is the stub and stub is the solution, and a check with no hint."""
    slug = needs_slugs()[0]
    root = tmp_path / "checkout"
    (root / "exercises").mkdir(parents=True)
    (root / "solutions").mkdir()
    shutil.copyfile(SOLUTIONS / f"{slug}.py", root / "exercises" / f"{slug}.py")
    shutil.copyfile(EXERCISES / f"{slug}.py", root / "solutions" / f"{slug}.py")
    grader = root / "grader"
    shutil.copytree(ROOT / "grader", grader)
    with (grader / f"test_{slug}.py").open("a") as checks:
        checks.write(
            "\n\ndef test_written_without_metadata(learner):\n    pass\n"
            "\n\n@check('no_such_function', hint='')\ndef test_hintless_and_misnamed(learner):\n    pass\n"
        )
    # pytest keeps check modules in sys.modules by name: make it import the changed copy
    monkeypatch.delitem(sys.modules, f"test_{slug}", raising=False)
    monkeypatch.setattr(verification, "source_checkout", lambda: root)
    monkeypatch.setattr(verification, "grader_dir", lambda: grader)
    monkeypatch.setattr(nnlab.grading, "grader_dir", lambda: grader)
    return slug, root


def test_verify_names_every_problem_of_a_broken_course(broken_course: tuple[str, Path]) -> None:
    slug, _ = broken_course
    problems = verification.verify(slugs=[slug, "keras_cnn"], jobs=2)
    text = "\n".join(problems)
    assert f"{slug}: check written_without_metadata has no @check metadata" in text
    assert f"{slug}: check hintless_and_misnamed has no hint" in text
    assert "names function 'no_such_function', which the stub does not define" in text
    assert f"{slug}: the solution does not earn full marks" in text
    assert f"{slug}: the untouched stub passes" in text
    assert "keras_cnn: missing exercises/keras_cnn.py, solutions/keras_cnn.py" in text


def test_with_tensorflow_runs_the_reference_tests_that_exist(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_reference_tensors.py").write_text("def test_ok():\n    pass\n")
    (tmp_path / "tests" / "test_reference_losses.py").write_text(
        "def test_disagrees():\n    assert 1 == 2\n"
    )
    lines: list[str] = []
    problems = verification._reference_tests(
        tmp_path, ["tensors", "losses", "pooling"], lines.append
    )
    assert problems == [
        "references disagree with TensorFlow: tests/test_reference_losses.py::test_disagrees - assert 1 == 2"
    ]
    assert "test_reference_pooling.py: not in this checkout, skipped" in lines


# --- private checks (--checks) ---------------------------------------------------------------

PRIVATE_HEADER = "import numpy as np\n\nfrom nnlab.checks import check, expect_close\n"


def checks_folder(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "private"
    folder.mkdir()
    for name, body in files.items():
        (folder / name).write_text(PRIVATE_HEADER + body)
    return folder


def needs_activations() -> None:
    if "activations" not in needs_slugs():
        pytest.skip("these private checks are for activations")


def test_verify_checks_refuses_a_misnamed_check_file(tmp_path: Path) -> None:
    folder = checks_folder(tmp_path, {"test_activation_extra.py": ""})
    with pytest.raises(verification.BadChecksFolder, match=r"test_activation_extra\.py"):
        verification.private_check_files(folder)
    result = CliRunner().invoke(cli, ["verify", "--checks", str(folder)])
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert "test_activation_extra.py: a check file must be named test_<exercise>.py" in line
    assert "for activations: test_activations.py or test_activations_<anything>.py" in line


def test_verify_checks_refuses_a_folder_without_check_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (tmp_path / "readme-only").mkdir()
    (tmp_path / "readme-only" / "README.md").write_text("checks to come\n")
    for folder in (empty, tmp_path / "readme-only"):
        result = CliRunner().invoke(cli, ["verify", "--checks", str(folder)])
        assert result.exit_code == 2, result.output
        (line,) = result.stderr.strip().splitlines()
        assert f"{folder} holds no check files" in line


def test_private_check_files_are_found_by_exercise(tmp_path: Path) -> None:
    folder = checks_folder(
        tmp_path,
        {"test_keras_model.py": "", "test_keras_model_more.py": "", "test_dense_x.py": ""},
    )
    (folder / "__init__.py").write_text("")
    (folder / "notes.txt").write_text("not python")
    found = verification.private_check_files(folder)
    assert {slug: [p.name for p in paths] for slug, paths in found.items()} == {
        "dense": ["test_dense_x.py"],
        "keras_model": ["test_keras_model.py", "test_keras_model_more.py"],
    }


def test_verify_checks_names_the_file_and_line_of_a_check_file_that_does_not_load(
    tmp_path: Path,
) -> None:
    needs_activations()
    folder = checks_folder(
        tmp_path,
        {
            "test_activations_syntax.py": "\n\ndef test_broken(learner:\n    pass\n",
            "test_activations_import.py": "\nVALUES = np.linspace(0, 1, num_values)\n",
            "test_activations_visibility.py": (
                "\nVISIBILITY = 'secret'\n\n\n@check('sigmoid', hint='shown to nobody')\n"
                "def test_hidden_how(learner):\n    pass\n"
            ),
            "test_activations_weight.py": (
                "\n\n@check('sigmoid', weight=float('nan'), hint='not a number')\n"
                "def test_weightless(learner):\n    pass\n"
            ),
        },
    )
    lines: list[str] = []
    problems = verification.verify(lines.append, check_dirs=[folder], jobs=1)
    syntax, imported = folder / "test_activations_syntax.py", folder / "test_activations_import.py"
    weightless = folder / "test_activations_weight.py"
    secret = folder / "test_activations_visibility.py"
    assert problems == [  # in the order of the files
        f"activations: {imported}: line 5: NameError: name 'num_values' is not defined; "
        "the file does not load",
        f"activations: {syntax}: line 6: SyntaxError: '(' was never closed; the file does not load",
        f"activations: {secret}: VISIBILITY in {secret.name}: visibility must be one of "
        "visible, hidden, after_due_date, after_published, not 'secret'; the file does not load",
        f"activations: {weightless}: line 6: ValueError: a check's weight must be a positive "
        "number, not nan; the file does not load",
        "activations: not graded until its private checks load",
    ]
    assert lines == []  # nothing was graded


WEAK_AND_WRONG = """

@check("relu", weight=1, hint="relu keeps the shape of its input.")
def test_relu_keeps_the_shape(learner):
    # weak: the right shape, whatever the values
    assert np.shape(learner.call("relu", np.ones((2, 3))).value) == (2, 3)


@check("sigmoid", weight=1, hint="")
def test_sigmoid_is_hintless(learner):
    expect_close(learner.call("sigmoid", np.zeros(2)), np.full(2, 0.5))


@check("sigmod", weight=1, hint="a misspelt function")
def test_sigmoid_misspelt(learner):
    expect_close(learner.call("sigmoid", np.zeros(2)), np.full(2, 0.5))


def test_without_metadata(learner):
    pass


@check("sigmoid", weight=1, hint="a wrong expectation: the model answer fails it")
def test_sigmoid_of_zero_is_one(learner):
    expect_close(learner.call("sigmoid", np.zeros(2)), np.ones(2))


@check("sigmoid", weight=1, hint="after a check of another file", after="sigmoid_of_zero_is_one_half")
def test_sigmoid_after_a_check_elsewhere(learner):
    expect_close(learner.call("sigmoid", np.zeros(2)), np.full(2, 0.5))


@check("tanh", weight=1, hint="passes whatever tanh does, even when it raises")
def test_tanh_is_callable(learner):
    learner.call("tanh", np.zeros(2))
"""


def test_verify_checks_holds_private_checks_to_the_rules_of_the_hidden_ones(
    tmp_path: Path,
) -> None:
    needs_activations()
    folder = checks_folder(tmp_path, {"test_activations_weak.py": WEAK_AND_WRONG})
    problems = verification.verify(check_dirs=[folder], jobs=2)
    private = "(in " + str(folder / "test_activations_weak.py") + ")"
    for expected in (
        f"activations: check sigmoid_is_hintless {private} has no hint",
        f"activations: check sigmoid_misspelt {private} names function 'sigmod', which the stub "
        "does not define",
        f"activations: check without_metadata {private} has no @check metadata",
        f"activations: check sigmoid_after_a_check_elsewhere {private} declares "
        "after='sigmoid_of_zero_is_one_half', which is no check in test_activations_weak.py",
    ):
        assert expected in problems
    text = "\n".join(problems)
    assert "sigmoid_of_zero_is_one (private, test_activations_weak.py)" in next(
        p for p in problems if p.startswith("activations: the solution does not earn full marks")
    )
    weak = "passes relu_keeps_the_shape (private, test_activations_weak.py)"
    for answer in (
        "the 'return the first argument' answer",
        "the 'return np.zeros_like(first argument)' answer",
        "the 'return np.ones_like(first argument)' answer",
    ):
        assert f"activations: {answer} {weak}" in text
    assert "the 'return None' answer " + weak not in text
    assert (
        "activations: the untouched stub passes tanh_is_callable (private, test_activations_weak.py)"
        in text
    )
    assert "the 'raise ValueError' answer passes tanh_is_callable (private" in text


def test_verify_checks_accepts_the_example_private_checks() -> None:
    needs_activations()
    lines: list[str] = []
    problems = verification.verify(lines.append, check_dirs=[ROOT / "examples" / "private-checks"])
    assert problems == []
    assert "activations solution: passed 100.0/100" in lines  # only the exercise it checks
    assert not [line for line in lines if line.startswith("tensors")]
