"""A new learner's first hour, and the rough edges it found: each test pins one of them down."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import ROOT, SOLUTIONS

from nnlab import grading
from nnlab.cli import cli
from nnlab.report import text
from nnlab.results import CheckResult, ExerciseResult, Report

SLUG = "activations"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, prog_name="nnlab")
    return result.exit_code, click.unstyle(result.stdout), result.stderr


def test_a_stub_shows_each_functions_not_implemented_message_once(workspace: Path) -> None:
    assert run("start", SLUG, "--dir", str(workspace))[0] == 0
    code, out, _ = run("grade", SLUG, "--dir", str(workspace))
    assert code == 1
    # one message (and one hint) per function, not one per check: the others are blocked
    assert out.count("sigmoid is not implemented yet") == 1
    assert out.count("softmax is not implemented yet") == 1
    basic = "softmax_matches_reference_on_varied_shapes"
    after = out[out.index(f"! {basic}") :].splitlines()[3:5]
    others = sum(c.info.function == "softmax" for c in grading.collect_checks(SLUG)) - 1
    assert after[0].split()[:5] == ["·", str(others), "more", "checks", "blocked"]
    assert after[1].strip() == f"blocked by {basic} — fix {basic} first"
    assert out.count("hint:") == 6  # sigmoid, tanh, arctan, relu, leaky_relu, softmax
    assert f"Next: write sigmoid in {SLUG}.py, then run `nnlab grade {SLUG}` again." in out


def test_a_wrong_value_gives_one_message_and_hint_and_blocks_the_rest(workspace: Path) -> None:
    answer = (SOLUTIONS / f"{SLUG}.py").read_text().replace("np.tanh(", "np.arctan(", 1)
    (workspace / f"{SLUG}.py").write_text(answer)
    code, out, _ = run("grade", SLUG, "--dir", str(workspace))
    assert code == 1
    block = out[out.index("✗ tanh_") : out.index("✓ arctan")]
    assert "(as above)" not in block
    assert block.count("expected") == 1 and block.count("hint:") == 1
    # the three checks it blocks, in one line of the quiet report
    assert block.count("blocked by tanh_matches_reference_on_varied_shapes — fix") == 1
    assert "· 3 more checks blocked" in block
    assert f"Next: fix tanh in {SLUG}.py" in out


def test_a_file_that_raises_at_import_loses_its_points_and_the_others_are_graded(
    workspace: Path,
) -> None:
    shutil.copyfile(SOLUTIONS / "tensors.py", workspace / "tensors.py")
    (workspace / f"{SLUG}.py").write_text("import numpy as np\nraise RuntimeError('oops')\n")
    code, out, err = run("grade", "--dir", str(workspace))
    assert code == 1  # the learner's lost points (2 is for usage errors), the reason on stderr
    assert err.strip().splitlines() == [
        f"nnlab: error: {SLUG}.py raised while being imported: RuntimeError: oops "
        f"({SLUG}.py, line 2: raise RuntimeError('oops'))"
    ]
    assert "tensors — Tensors" in out and "100/100  passed" in out
    assert f"Next: fix the problem in {SLUG}.py shown above" in out
    assert "Traceback" not in out + err


def test_an_endless_loop_at_import_is_reported_with_what_to_fix(workspace: Path) -> None:
    (workspace / f"{SLUG}.py").write_text("while True:\n    pass\n")
    limits = grading.Limits(load_seconds=1.0, call_seconds=1.0, exercise_seconds=10.0)
    report = grading.grade(workspace, [SLUG], options=grading.GradingOptions(limits=limits))
    result = report.exercises[0]
    assert result.status == "error" and text.not_loaded(result)
    rendered = click.unstyle(text.render(report))
    assert "could not be loaded" in rendered and "endless loop" in rendered
    assert f"Next: fix the problem in {SLUG}.py shown above" in rendered


def test_summary_of_passed_exercises_with_others_missing_says_what_to_start() -> None:
    check = CheckResult("sigmoid_ok", "sigmoid", "correctness", "passed", 1.0, max_points=10000)
    report = Report(submission="w")
    report.exercises = [
        ExerciseResult("tensors", "tensors.py", status="passed", checks=[check]),
        ExerciseResult("activations", "activations.py", status="missing"),
    ]
    summary = click.unstyle(text.summary(report))
    assert "1 of 2 exercises passed" in summary
    assert "Next: `nnlab start activations`" in summary


def test_hint_accepts_a_function_name(workspace: Path) -> None:
    code, out, _ = run("hint", SLUG, "relu", "--dir", str(workspace))
    assert code == 0
    # no grading recorded: the function's first check
    assert out.startswith(f"{SLUG} · relu_matches_reference_on_varied_shapes (relu)\n")
    assert len(out.splitlines()) == 2 and out.splitlines()[1].startswith("  hint: ")


def test_hint_for_an_unknown_name_lists_the_functions_in_one_line(workspace: Path) -> None:
    code, out, err = run("hint", SLUG, "sigmoids", "--dir", str(workspace))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "sigmoid, tanh, arctan, relu, leaky_relu, softmax" in err


def test_bare_nnlab_shows_the_help_and_exits_0() -> None:
    code, out, _ = run()
    assert code == 0 and "nnlab start tensors" in out and "Commands:" in out


def test_usage_errors_are_one_line_with_exit_2(workspace: Path) -> None:
    cases = {
        ("grad",): "Did you mean 'grade'?",
        ("grade", "--format", "xml"): "`nnlab grade --help`",
        ("grade", "--bogus"): "No such option '--bogus'",
        ("start",): "For example: nnlab start activations",
        ("export", "gradescope", "--bad"): "`nnlab export gradescope --help`",
        ("grade", "--all", "tensors", "--dir", str(workspace)): "not both",
    }
    for args, expected in cases.items():
        code, out, err = run(*args)
        assert code == 2, args
        assert out == "" and len(err.strip().splitlines()) == 1, (args, err)
        assert err.startswith("nnlab: error: ") and expected in err, (args, err)


def set_up_commands() -> list[str]:
    """The two commands of docs/getting-started.md (tests/test_docs.py: the README's too)."""
    page = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.*?)\n```", page, re.S)


def test_the_learner_set_up_command_works_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    learn, develop = set_up_commands()
    steps = learn.split(" && ")
    assert steps[0] == "pip install ." and steps[1].startswith("mkdir -p ")
    monkeypatch.chdir(tmp_path)
    nnlab_steps = [step.split()[1:] for step in steps if step.startswith("nnlab ")]
    assert [words[0] for words in nnlab_steps] == ["list", "start", "grade"]
    codes = [run(*words)[0] for words in nnlab_steps]
    assert codes == [0, 0, 1]  # the untouched stub fails, as Getting started says
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert develop == ci


def test_a_file_saved_with_a_byte_order_mark_is_graded(workspace: Path) -> None:
    """Windows editors may save UTF-8 with a BOM; Python runs such files, so nnlab grades them."""
    answer = (SOLUTIONS / f"{SLUG}.py").read_text(encoding="utf-8")
    (workspace / f"{SLUG}.py").write_bytes(b"\xef\xbb\xbf" + answer.encode("utf-8"))
    code, out, err = run("grade", SLUG, "--dir", str(workspace))
    assert (code, err) == (0, ""), out
    assert "100/100" in out


def test_dir_pointing_at_a_file_says_it_is_not_a_folder(tmp_path: Path) -> None:
    (tmp_path / "activations.py").write_text("")
    code, _, err = run("grade", "--dir", str(tmp_path / "activations.py"))
    assert code == 2 and err.startswith("nnlab: error: not a folder: ")


def test_a_passed_exercise_points_to_the_next_one(workspace: Path) -> None:
    shutil.copyfile(SOLUTIONS / f"{SLUG}.py", workspace / f"{SLUG}.py")
    code, out, _ = run("grade", "--dir", str(workspace))
    assert code == 0
    assert "All checks passed. Well done! Next exercise: `nnlab start derivatives`." in out


def test_the_last_exercise_says_the_course_is_done() -> None:
    check = CheckResult("ok", "f", "correctness", "passed", 1.0, max_points=10000)
    report = Report(submission="w")
    report.exercises = [
        ExerciseResult("keras_cnn", "keras_cnn.py", status="passed", checks=[check])
    ]
    assert "That was the last exercise of the course." in text.summary(report)


def test_on_a_terminal_the_exercise_being_graded_is_named_then_wiped(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from nnlab.cli import ProgressLine

    line = ProgressLine()
    line.live = True
    line.waiting(SLUG)
    line.clear()
    err = capsys.readouterr().err
    assert f"{SLUG}: grading..." in err and err.endswith("\r")  # click drops the ANSI code here


def test_a_text_report_written_to_a_file_has_no_colour_codes(workspace: Path) -> None:
    shutil.copyfile(SOLUTIONS / f"{SLUG}.py", workspace / f"{SLUG}.py")
    out_file = workspace / "report.txt"
    result = CliRunner().invoke(
        cli, ["grade", "--dir", str(workspace), "--out", str(out_file)], color=True
    )
    assert result.exit_code == 0
    written = out_file.read_text(encoding="utf-8")
    assert "100/100  passed" in written and "\033[" not in written


def test_an_out_file_that_cannot_be_written_is_a_one_line_error(workspace: Path) -> None:
    shutil.copyfile(SOLUTIONS / f"{SLUG}.py", workspace / f"{SLUG}.py")
    blocker = workspace / "not-a-folder"
    blocker.write_text("")
    out = blocker / "report.json"
    code, _, err = run("grade", "--dir", str(workspace), "--format", "json", "--out", str(out))
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"nnlab: error: could not write {out}: ")


def test_start_in_a_folder_that_cannot_be_written_is_a_one_line_error(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nnlab import workspace as workspace_module

    def refuse(folder_fd: int, name: str, chunks: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(workspace_module, "_write_in", refuse)  # every write into the folder
    code, _, err = run("start", SLUG, "--dir", str(workspace))
    assert code == 2
    assert err.strip() == f"nnlab: error: could not write into {workspace}: Permission denied"


def test_ctrl_c_during_a_grading_records_nothing_and_never_reads_passed(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pytest swallowed the interrupt: the checks run so far shared the 100 points ("passed")."""
    from nnlab.checks import Learner

    shutil.copyfile(SOLUTIONS / f"{SLUG}.py", workspace / f"{SLUG}.py")
    original = Learner.call

    def interrupted_at_tanh(self: Learner, function: str, *args: object, **kwargs: object):
        if function == "tanh":
            raise KeyboardInterrupt
        return original(self, function, *args, **kwargs)

    monkeypatch.setattr(Learner, "call", interrupted_at_tanh)
    with pytest.raises(KeyboardInterrupt):
        grading.grade(workspace, [SLUG])
    code, out, err = run("grade", "--dir", str(workspace))
    assert code == 130
    assert err.strip() == (
        "nnlab: interrupted: this grading was not finished, so nothing was recorded"
    )
    assert "passed" not in out
    assert not (workspace / ".nnlab" / "progress.json").exists()


def test_an_exercise_may_be_named_by_its_file_or_in_capitals(workspace: Path) -> None:
    assert run("start", "Tensors", "--dir", str(workspace))[0] == 0
    assert (workspace / "tensors.py").is_file()
    code, out, _ = run("grade", "tensors.py", "--dir", str(workspace))
    assert code == 1 and "tensors — Tensors" in out
    code, _, err = run("grade", "elsewhere/tensors.py", "--dir", str(workspace))
    assert code == 2 and "did you mean 'tensors'" in err


def test_start_notebook_says_how_to_open_and_grade_it(workspace: Path) -> None:
    code, out, _ = run("start", SLUG, "--notebook", "--dir", str(workspace))
    assert code == 0
    assert f"Next: open {SLUG}.ipynb in Jupyter or VS Code" in out
    assert f"`nnlab grade {SLUG}`" in out


def test_files_nnlab_writes_are_ordinary_files_not_private_ones(tmp_path: Path) -> None:
    import os

    from nnlab.workspace import atomic_write

    target = tmp_path / "tensors.py"
    atomic_write(target, "x = 1\n")  # mkstemp alone would leave it 0600
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    target.chmod(0o640)
    atomic_write(target, "x = 2\n")
    assert target.stat().st_mode & 0o777 == 0o640  # a rewrite keeps the file's mode


def test_list_says_a_file_that_does_not_load_does_not_load(tmp_path: Path) -> None:
    (tmp_path / "tensors.py").write_text("def rank(x)\n    return 0\n")
    runner = CliRunner()
    runner.invoke(cli, ["grade", "tensors", "--dir", str(tmp_path)])
    listed = runner.invoke(cli, ["list", "--dir", str(tmp_path)])
    line = next(line for line in listed.output.splitlines() if "tensors" in line)
    assert "does not load" in line and "0/100" not in line
