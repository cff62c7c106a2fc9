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
    assert f"{slug}: the untouched stub earns" in text
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
