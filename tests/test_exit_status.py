"""Exit statuses CI can act on: 0 every check passed, 1 points lost, 2 usage or input error,
3 the grading itself is unsound (one stderr line per problem); and the shipped workflows
fail on 2 and 3, never on 1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import EXERCISES, SOLUTIONS
from test_examples import load, run_steps, shims  # noqa: F401 (shims is a fixture)

from nnlab import batch, catalog, report
from nnlab.cli import cli
from nnlab.results import Report

SLUG = "activations"
FUNCTION = catalog.get(SLUG).functions[0]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("nnlab: error: ")]


def private_checks(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"test_{SLUG}_private.py").write_text(
        "from nnlab.checks import check, fail\n\n"
        f"@check({FUNCTION!r}, hint='an instructor check')\n"
        "def test_instructor_check(learner):\n" + body
    )
    return folder


def student(root: Path, name: str, source: Path | None) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    if source is not None:
        shutil.copyfile(source, folder / f"{SLUG}.py")
    return folder


# --- nnlab grade -------------------------------------------------------------------------------


def test_grade_exits_0_1_2_for_passed_lost_points_and_usage(tmp_path: Path) -> None:
    solved = student(tmp_path, "solved", SOLUTIONS / f"{SLUG}.py")
    stub = student(tmp_path, "stub", EXERCISES / f"{SLUG}.py")
    assert run("grade", SLUG, "--dir", str(solved), "--no-progress")[0] == 0
    assert run("grade", SLUG, "--dir", str(stub), "--no-progress")[0] == 1
    code, _, err = run("grade", "no_such_exercise", "--dir", str(solved))
    assert code == 2 and len(errors(err)) == 1
    code, _, err = run("grade", SLUG, "--dir", str(tmp_path / "nowhere"))
    assert code == 2 and errors(err) == [f"nnlab: error: folder not found: {tmp_path / 'nowhere'}"]


def test_a_check_that_raises_is_a_check_error_not_the_learners_lost_points(tmp_path: Path) -> None:
    solved = student(tmp_path, "solved", SOLUTIONS / f"{SLUG}.py")
    checks = private_checks(tmp_path / "checks", "    return {}['no such key']\n")
    code, out, err = run(
        "grade", SLUG, "--dir", str(solved), "--no-progress", "--format", "json",
        "--checks", str(checks),
    )  # fmt: skip
    assert code == 3, err
    assert errors(err) == [
        f"nnlab: error: {SLUG} › instructor_check: the check itself failed (KeyError: "
        "'no such key'); please report this to the course authors (1 submission: solved)"
    ]
    (exercise,) = json.loads(out)["exercises"]
    verdicts = {c["name"]: c["status"] for c in exercise["checks"]}
    assert verdicts.pop("instructor_check") == "grader_error"
    assert set(verdicts.values()) == {"passed"}  # the learner's own checks are intact
    assert exercise["status"] == "partial"  # 0 points for the broken check, and exit 3 says why


def test_a_check_that_skips_itself_is_a_check_error_too(tmp_path: Path) -> None:
    solved = student(tmp_path, "solved", SOLUTIONS / f"{SLUG}.py")
    checks = private_checks(
        tmp_path / "checks", "    import pytest\n    pytest.skip('no GPU here')\n"
    )
    code, out, err = run(
        "grade", SLUG, "--dir", str(solved), "--no-progress", "--format", "json",
        "--checks", str(checks),
    )  # fmt: skip
    assert code == 3
    assert errors(err) == [
        f"nnlab: error: {SLUG} › instructor_check: the check skipped itself (no GPU here); "
        "a check must pass or fail (1 submission: solved)"
    ]
    (exercise,) = json.loads(out)["exercises"]
    assert exercise["checks"][-1]["status"] == "grader_error"


def test_a_grading_that_fails_is_status_3_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nnlab import grading

    solved = student(tmp_path, "solved", SOLUTIONS / f"{SLUG}.py")

    def broken_grade(*_: Any, **__: Any) -> None:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(grading, "grade", broken_grade)
    code, out, err = run("grade", SLUG, "--dir", str(solved), "--no-progress")
    assert code == 3 and "Traceback" not in out + err
    assert errors(err) == [
        "nnlab: error: the grading failed (OSError: [Errno 24] Too many open files); "
        "nothing was recorded"
    ]


def test_a_check_that_fails_the_learner_is_lost_points_not_an_error(tmp_path: Path) -> None:
    solved = student(tmp_path, "solved", SOLUTIONS / f"{SLUG}.py")
    checks = private_checks(tmp_path / "checks", "    fail('wrong on purpose')\n")
    code, _, err = run(
        "grade", SLUG, "--dir", str(solved), "--no-progress", "--checks", str(checks)
    )
    assert code == 1 and errors(err) == []


def test_an_instructor_check_file_that_does_not_load_is_status_3(tmp_path: Path) -> None:
    solved = student(tmp_path, "solved", SOLUTIONS / f"{SLUG}.py")
    checks = tmp_path / "checks"
    checks.mkdir()
    (checks / f"test_{SLUG}_private.py").write_text("def broken(:\n")
    code, _, err = run(
        "grade", SLUG, "--dir", str(solved), "--no-progress", "--checks", str(checks)
    )
    assert code == 3
    (line,) = errors(err)
    assert f"the checks in test_{SLUG}_private.py could not be loaded" in line


def test_a_writer_that_fails_is_status_3_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    solved = student(tmp_path, "solved", SOLUTIONS / f"{SLUG}.py")

    def broken_writer(*_: Any, **__: Any) -> str:
        raise RuntimeError("disk full of bugs")

    monkeypatch.setitem(report.WRITERS, "json", broken_writer)
    target = tmp_path / "report.json"
    code, _, err = run(
        "grade", SLUG, "--dir", str(solved), "--no-progress", "--format", "json",
        "--out", str(target),
    )  # fmt: skip
    assert code == 3
    assert errors(err) == [
        "nnlab: error: the json writer failed (RuntimeError: disk full of bugs); "
        "no report was written"
    ]
    assert not target.exists()


# --- nnlab grade-batch and merge ---------------------------------------------------------------


def small_class(root: Path) -> Path:
    student(root, "ada", SOLUTIONS / f"{SLUG}.py")
    student(root, "ben", EXERCISES / f"{SLUG}.py")
    return root


def test_grade_batch_exits_0_when_all_pass_and_1_when_a_student_lost_points(
    tmp_path: Path,
) -> None:
    root = small_class(tmp_path / "class")
    code, _, err = run("grade-batch", str(root), SLUG, "--jobs", "1")
    assert code == 1 and errors(err) == []
    shutil.rmtree(root / "ben")
    code, out, err = run("grade-batch", str(root), SLUG, "--jobs", "1")
    assert code == 0 and errors(err) == [], err
    assert out.splitlines() == ["submission,total,activations", "ada,100,100"]


def test_grade_batch_grades_only_the_exercises_named(tmp_path: Path) -> None:
    root = small_class(tmp_path / "class")
    shutil.copyfile(SOLUTIONS / "tensors.py", root / "ada" / "tensors.py")
    code, out, err = run("grade-batch", str(root), "activations", "tensors", "--format", "json")
    assert code == 1, err
    for record in json.loads(out):
        assert [e["exercise"] for e in record["exercises"]] == ["tensors", "activations"]
        assert record["max_score"] == 200  # out of their sum, not the course's
    assert {r["submission"]: r["score"] for r in json.loads(out)} == {"ada": 200, "ben": 0}
    code, _, err = run("grade-batch", str(root), "tensor")
    assert code == 2 and "did you mean 'tensors'" in errors(err)[0]


def _crashing_grading(folder: str, name: str, *args: Any, **kwargs: Any) -> tuple[str, Any]:
    if name == "ben":
        return ("crash", "RuntimeError: the grader broke on ben")
    return batch._real_grade_one(folder, name, *args, **kwargs)


def test_a_submission_that_crashes_the_grader_is_status_3_and_merge_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = small_class(tmp_path / "class")
    monkeypatch.setattr(batch, "_real_grade_one", batch._grade_one, raising=False)
    monkeypatch.setattr(batch, "_grade_one", _crashing_grading)
    shard = tmp_path / "shard.json"
    code, _, err = run("grade-batch", str(root), SLUG, "--format", "json", "--out", str(shard))
    assert code == 3
    assert errors(err) == [
        f"nnlab: error: {SLUG}: grading this submission failed: RuntimeError: the grader "
        "broke on ben (1 submission: ben)"
    ]
    records = {r["submission"]: r for r in json.loads(shard.read_text())}
    assert records["ada"]["score"] == 100  # the others are graded as ever
    assert records["ben"]["exercises"][0]["status"] == "grader_error"
    code, out, err = run("merge", str(shard), "--format", "csv")
    assert code == 3 and len(errors(err)) == 1 and "ben" in errors(err)[0]
    assert out.splitlines()[1:] == ["ada,100,100", "ben,0,0"]


def test_a_batch_writer_that_fails_is_status_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = small_class(tmp_path / "class")

    def broken_writer(*_: Any, **__: Any) -> str:
        raise ValueError("cannot write a row")

    monkeypatch.setitem(report.BATCH_WRITERS, "csv", broken_writer)
    target = tmp_path / "grades.csv"
    code, _, err = run("grade-batch", str(root), SLUG, "--out", str(target))
    assert code == 3 and not target.exists()
    assert errors(err) == [
        "nnlab: error: the csv writer failed (ValueError: cannot write a row); "
        "no report was written"
    ]


def test_empty_submissions_are_warned_about_and_an_all_empty_class_is_status_3(
    tmp_path: Path,
) -> None:
    root = tmp_path / "class"
    student(root, "ada", SOLUTIONS / f"{SLUG}.py")
    student(root, "ben", None)
    (student(root, "cleo", None) / ".git").mkdir()
    code, _, err = run("grade-batch", str(root), SLUG)
    assert code == 1, err
    warnings = [line for line in err.splitlines() if line.startswith("nnlab: warning: ")]
    assert warnings == [
        f"nnlab: warning: submission {root / 'ben'} is empty",
        f"nnlab: warning: submission {root / 'cleo'} holds only a .git folder (a repository "
        "committed inside another arrives without its files: add the files themselves)",
    ]
    # a shard holding only the empty folders of a class that is not empty: lost points, not 3
    count, k = next(
        (n, k)
        for n in range(2, 9)
        for k in range(1, n + 1)
        if k in {batch.shard_of(name, n) for name in ("ben", "cleo")}
        and batch.shard_of("ada", n) != k
    )
    code, _, err = run("grade-batch", str(root), SLUG, "--shard", f"{k}/{count}")
    assert code == 1 and errors(err) == [], err
    shutil.rmtree(root / "ada")
    code, _, err = run("grade-batch", str(root), SLUG)
    assert code == 3
    assert errors(err) == [
        f"nnlab: error: every submission under {root} is empty: none holds a file of the "
        f"graded exercises ({SLUG}); is this the right folder?"
    ]


# --- the shipped workflows ---------------------------------------------------------------------


@pytest.mark.parametrize(("status", "fails"), [(0, False), (1, False), (2, True), (3, True)])
def test_the_student_workflow_fails_on_2_and_3_only(
    tmp_path: Path, status: int, fails: bool
) -> None:
    """`nnlab` replaced by a stand-in that writes a report and exits with ``status``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (tmp_path / "report.json").write_text(report.render(Report("kim", []), "json"))
    fake = bin_dir / "nnlab"
    fake.write_text(
        f'#!/bin/sh\ncp "{tmp_path / "report.json"}" nnlab-report.json\nexit {status}\n'
    )
    fake.chmod(0o755)
    python = bin_dir / "python"
    python.symlink_to(shutil.which("python3") or "/usr/bin/python3")
    repository = tmp_path / "repo"
    repository.mkdir()
    workflow = load("classroom.yml")
    if fails:
        with pytest.raises(AssertionError, match="failed"):
            run_steps(workflow, "run-autograding-tests", repository, bin_dir, {})
    else:
        outputs = run_steps(workflow, "run-autograding-tests", repository, bin_dir, {})
        assert outputs["points"] == "0"


def test_the_class_workflow_fails_when_a_private_check_file_does_not_load(
    tmp_path: Path,
    shims: Path,  # noqa: F811
) -> None:
    workflow = load("grade-class.yml")
    repository = tmp_path / "instructor-repo"
    student(repository / workflow["env"]["SUBMISSIONS"], "ada", SOLUTIONS / f"{SLUG}.py")
    (repository / "private-checks").mkdir()
    (repository / "private-checks" / f"test_{SLUG}_private.py").write_text("import nowhere_x\n")
    values = {"matrix.shard": "1", "strategy.job-total": "1"}
    with pytest.raises(AssertionError, match="could not be loaded"):
        run_steps(workflow, "grade", repository, shims, values)
