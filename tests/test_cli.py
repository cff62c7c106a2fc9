"""The command line as a learner meets it: CliRunner for behaviour, one real subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import EXERCISES, SOLUTIONS

from nnlab import catalog
from nnlab.cli import cli

SLUG = "activations"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def every_command(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command's words, subcommands of groups (``export gradescope``) included."""
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += every_command(command, (*prefix, name))
    return found


def command_object(words: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for word in words:
        assert isinstance(command, click.Group)
        command = command.commands[word]
    return command


@pytest.mark.parametrize("words", every_command(), ids=" ".join)
def test_every_command_has_help_with_a_summary_and_an_example(words: tuple[str, ...]) -> None:
    code, out, _ = run(*words, "--help")
    assert code == 0
    summary = command_object(words).get_short_help_str(limit=63)  # an 80-column `nnlab -h`
    assert summary and not summary.endswith("..."), f"summary does not fit a line: {summary}"
    assert "Example:" in out


def test_group_has_version_and_short_help_option() -> None:
    code, out, _ = run("--version")
    assert code == 0 and "nnlab, version" in out
    code, out, _ = run("-h")
    assert code == 0 and "grade" in out


def test_list_shows_every_exercise_in_course_order(workspace: Path) -> None:
    code, out, _ = run("list", "--dir", str(workspace))
    assert code == 0
    positions = [out.index(f" {slug} ") for slug in catalog.slugs()]
    assert positions == sorted(positions)
    assert out.count("not started") == len(catalog.slugs())


def test_start_writes_the_stub_and_says_what_to_do_next(workspace: Path) -> None:
    code, out, _ = run("start", SLUG, "--dir", str(workspace))
    assert code == 0
    written = workspace / f"{SLUG}.py"
    assert written.read_text() == (EXERCISES / f"{SLUG}.py").read_text()
    assert f"nnlab grade {SLUG}" in out
    _, listing, _ = run("list", "--dir", str(workspace))
    assert "started" in listing.splitlines()[catalog.slugs().index(SLUG)]


def test_start_refuses_to_overwrite_a_learners_file(workspace: Path) -> None:
    (workspace / f"{SLUG}.py").write_text("my precious work\n")
    code, _, err = run("start", SLUG, "--dir", str(workspace))
    assert code == 2
    assert "already exists" in err and "--force" in err
    assert len(err.strip().splitlines()) == 1
    assert (workspace / f"{SLUG}.py").read_text() == "my precious work\n"


def test_start_force_keeps_a_backup_first_and_never_overwrites_backups(workspace: Path) -> None:
    target = workspace / f"{SLUG}.py"
    target.write_text("version 1\n")
    assert run("start", SLUG, "--dir", str(workspace), "--force")[0] == 0
    target.write_text("version 2\n")
    assert run("start", SLUG, "--dir", str(workspace), "--force")[0] == 0
    assert (workspace / f"{SLUG}.py.bak").read_text() == "version 1\n"
    assert (workspace / f"{SLUG}.py.bak1").read_text() == "version 2\n"
    assert target.read_text() == (EXERCISES / f"{SLUG}.py").read_text()


def test_unknown_exercise_suggests_the_closest_name(workspace: Path) -> None:
    code, _, err = run("start", "activation", "--dir", str(workspace))
    assert code == 2
    assert "unknown exercise 'activation'" in err and "did you mean 'activations'" in err
    code, _, err = run("grade", "activaton", "--dir", str(workspace))
    assert code == 2 and "did you mean 'activations'" in err


def test_missing_folder_is_a_one_line_error(tmp_path: Path) -> None:
    for args in (("list",), ("start", SLUG), ("grade",)):
        code, _, err = run(*args, "--dir", str(tmp_path / "nowhere"))
        assert code == 2
        assert err.strip() == f"nnlab: error: folder not found: {tmp_path / 'nowhere'}"


def test_grade_with_no_exercise_files_says_how_to_start(workspace: Path) -> None:
    code, _, err = run("grade", "--dir", str(workspace))
    assert code == 2 and "nnlab start" in err


def test_grading_a_solution_exits_0_and_records_progress(workspace: Path) -> None:
    shutil.copyfile(SOLUTIONS / f"{SLUG}.py", workspace / f"{SLUG}.py")
    code, out, _ = run("grade", SLUG, "--dir", str(workspace))
    assert code == 0, out
    assert "✓" in out and "✗" not in out and "100/100" in out
    progress = json.loads((workspace / ".nnlab" / "progress.json").read_text())
    assert progress["exercises"][SLUG]["status"] == "passed"
    _, listing, _ = run("list", "--dir", str(workspace))
    assert "passed" in listing.splitlines()[catalog.slugs().index(SLUG)]


def test_grading_a_stub_exits_1_with_hints(workspace: Path) -> None:
    run("start", SLUG, "--dir", str(workspace))
    code, out, _ = run("grade", "--dir", str(workspace))
    assert code == 1
    assert "not implemented yet" in out and "hint:" in out and "0/100" in out


def test_syntax_error_names_file_and_line_and_the_others_are_still_graded(workspace: Path) -> None:
    shutil.copyfile(SOLUTIONS / "tensors.py", workspace / "tensors.py")
    (workspace / f"{SLUG}.py").write_text("import numpy as np\n\ndef sigmoid(z)\n    return z\n")
    code, out, err = run("grade", "--dir", str(workspace), "--format", "json")
    assert code == 1  # the learner's file: points lost, the reason on stderr
    assert err.strip().splitlines() == [
        f"nnlab: error: SyntaxError in {SLUG}.py, line 3: expected ':': def sigmoid(z)"
    ]
    report = json.loads(out)
    by_slug = {e["exercise"]: e for e in report["exercises"]}
    assert by_slug[SLUG]["status"] == "error" and "line 3" in by_slug[SLUG]["message"]
    assert by_slug["tensors"]["status"] == "passed"


def test_json_report_follows_the_grading_contract(workspace: Path) -> None:
    shutil.copyfile(SOLUTIONS / f"{SLUG}.py", workspace / f"{SLUG}.py")
    out_file = workspace / "report.json"
    code, _, _ = run(
        "grade", "--all", "--dir", str(workspace), "--format", "json", "--out", str(out_file)
    )
    assert code == 1  # the other exercises are missing
    report = json.loads(out_file.read_text())
    assert report["schema"] == "nnlab-report/2"
    assert set(report) == {
        "schema",
        "nnlab_version",
        "submission",
        "score",
        "max_score",
        "sandbox",  # the isolation of the grading: full, or reduced and how
        "exercises",
    }
    assert report["sandbox"]["isolation"] in {"full", "reduced"}
    assert [e["exercise"] for e in report["exercises"]] == catalog.slugs()
    assert report["max_score"] == 100.0 * len(catalog.slugs())
    assert report["score"] == 100.0
    for exercise in report["exercises"]:
        assert {"exercise", "file", "status", "score", "max_score", "message", "checks"} <= set(
            exercise
        )
        assert exercise["status"] in {"passed", "partial", "failed", "missing", "error"}
        for check in exercise["checks"]:
            assert {"name", "function", "kind", "status", "score", "max_score", "message"} <= set(
                check
            )
            assert check["status"] in {"passed", "failed", "error", "timeout"}
            assert check["kind"] in {"correctness", "speed"}
        if exercise["status"] == "passed":
            assert sum(c["max_score"] for c in exercise["checks"]) == pytest.approx(100.0, abs=0.05)


def test_hint_lists_every_check_and_shows_one(workspace: Path) -> None:
    from nnlab.grading import collect_checks

    checks = collect_checks(SLUG)
    code, out, _ = run("hint", SLUG, "--dir", str(workspace))
    assert code == 0
    for found in checks:
        assert f"{found.name}: {found.info.hint}" in out
    code, one, _ = run("hint", SLUG, checks[0].name)
    levels = len(checks[0].info.hints)
    shown = "hint:" if levels == 1 else f"hint 1/{levels}:"  # the first level, then more on request
    assert code == 0 and f"{shown} {checks[0].info.hint}" in one
    code, _, err = run("hint", SLUG, "no_such_check")
    assert code == 2 and "no check or function named" in err


def test_real_subprocess_learner_loop(tmp_path: Path) -> None:
    """`python -m nnlab` as a learner runs it: start, grade the stub (exit 1), grade a solution (exit 0)."""

    def nnlab(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "nnlab", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert nnlab("start", SLUG).returncode == 0
    graded = nnlab("grade")
    assert graded.returncode == 1 and "not implemented yet" in graded.stdout
    shutil.copyfile(SOLUTIONS / f"{SLUG}.py", tmp_path / f"{SLUG}.py")
    graded = nnlab("grade", SLUG)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert "Traceback" not in graded.stderr


def test_compiler_warnings_are_reported_with_the_exercise_not_printed(workspace: Path) -> None:
    source = (SOLUTIONS / f"{SLUG}.py").read_text() + "\n\ndef _odd(x):\n    return x is 1\n"
    (workspace / f"{SLUG}.py").write_text(source)
    line = source.splitlines().index("    return x is 1") + 1
    code, out, err = run("grade", SLUG, "--dir", str(workspace), "--format", "json")
    assert code == 0 and "Warning" not in err
    (result,) = json.loads(out)["exercises"]
    assert result["status"] == "passed"
    assert f'{SLUG}.py line {line}: SyntaxWarning: "is" with a literal' in result["message"]


def test_source_too_deep_for_the_compiler_is_an_error_not_a_crash(workspace: Path) -> None:
    (workspace / f"{SLUG}.py").write_text("x = " + "-" * 100_000 + "1\n")
    code, _, err = run("grade", SLUG, "--dir", str(workspace))
    assert code == 1  # the learner's file: points lost, the reason on stderr
    assert err.strip().splitlines() == [f"nnlab: error: {SLUG}.py cannot be compiled: MemoryError"]


def test_errors_in_learner_code_name_its_line_when_the_grader_compiled_it(workspace: Path) -> None:
    # the child runs the grader's compilation of the file: tracebacks must still find it
    (workspace / f"{SLUG}.py").write_text(
        "import numpy as np\n\n\ndef sigmoid(z):\n    raise ValueError('no')\n"
    )
    code, out, _ = run("grade", SLUG, "--dir", str(workspace), "--format", "json")
    assert code == 1
    (result,) = json.loads(out)["exercises"]
    messages = [
        c["message"]
        for c in result["checks"]
        if c["function"] == "sigmoid" and c["status"] != "blocked"
    ]
    assert messages and all("line 5" in message for message in messages), messages
