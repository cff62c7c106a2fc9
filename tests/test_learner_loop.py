"""The learner's loop (issue 19): quiet reports, one function at a time, hints in steps."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import SOLUTIONS

from nnlab import grading, hints, workspace
from nnlab.checks import CheckInfo, check
from nnlab.cli import cli
from nnlab.report import text
from nnlab.results import CheckResult, ExerciseResult

SLUG = "activations"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, prog_name="nnlab")
    return result.exit_code, click.unstyle(result.stdout), result.stderr


def with_tanh_wrong(workspace: Path) -> None:
    answer = (SOLUTIONS / f"{SLUG}.py").read_text().replace("np.tanh(", "np.arctan(", 1)
    (workspace / f"{SLUG}.py").write_text(answer)


# --- quiet reports ------------------------------------------------------------------------------


def test_a_function_whose_checks_pass_is_one_line_and_failures_are_in_full(
    workspace: Path,
) -> None:
    with_tanh_wrong(workspace)
    code, out, _ = run("grade", SLUG, "--dir", str(workspace))
    assert code == 1
    report = grading.grade(workspace, [SLUG]).exercises[0]
    sigmoid = [c for c in report.checks if c.function == "sigmoid"]
    worth = text.points(sum(c.max_points for c in sigmoid) / 100)
    lines = out.splitlines()
    assert any(line.split() == ["✓", "sigmoid", f"{worth}/{worth}"] for line in lines)
    for one in sigmoid:
        assert one.name not in out  # passing checks are not listed
    for one in (c for c in report.checks if c.status not in ("passed", "blocked")):
        assert f"✗ {one.name}" in out
    blocked = [c for c in report.checks if c.status == "blocked"]
    assert f"· {len(blocked)} more checks blocked" in out  # one line for the checks blocked
    # under a failure, the command that gives a hint, never the hint itself
    assert f"hint: nnlab hint {SLUG} tanh_matches_reference_on_varied_shapes" in out
    for one in report.checks:
        assert not one.hint or one.hint not in out


def test_verbose_lists_every_check(workspace: Path) -> None:
    with_tanh_wrong(workspace)
    code, out, _ = run("grade", SLUG, "-v", "--dir", str(workspace))
    assert code == 1
    for found in grading.collect_checks(SLUG):
        assert found.name in out


def test_grading_one_function_runs_its_checks_for_the_points_they_are_worth(
    workspace: Path,
) -> None:
    with_tanh_wrong(workspace)
    whole = grading.grade(workspace, [SLUG]).exercises[0]
    code, out, _ = run("grade", SLUG, "softmax", "--dir", str(workspace))
    assert code == 0
    softmax = [c for c in whole.checks if c.function == "softmax"]
    worth = text.points(sum(c.max_points for c in softmax) / 100)
    assert f"{worth}/{worth}  passed" in out
    assert f"softmax: {worth}/{worth} (not recorded)" in out
    assert not (workspace / ".nnlab" / "progress.json").exists()  # a part is not a score
    code, out, _ = run("grade", SLUG, "tanh", "--dir", str(workspace))
    tanh = [c for c in whole.checks if c.function == "tanh"]
    assert code == 1 and f"0/{text.points(sum(c.max_points for c in tanh) / 100)}" in out
    assert "sigmoid" not in out


def test_a_mistyped_function_is_an_unknown_exercise(workspace: Path) -> None:
    code, out, err = run("grade", SLUG, "sigmoids", "--dir", str(workspace))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1


# --- hints in steps -----------------------------------------------------------------------------


def test_check_takes_one_hint_or_up_to_three_levels() -> None:
    def info_of(hint: object) -> CheckInfo:
        mark = check("f", hint=hint)  # type: ignore[arg-type]
        return mark.kwargs["info"]

    one = info_of("  the formula  ")
    assert one.hint == "the formula" and one.hints == ("the formula",)
    three = info_of(("concept", "place", "nearly the answer"))
    assert three.hint == "concept"  # existing readers see level 1
    assert three.hints == ("concept", "place", "nearly the answer")
    for wrong in ((), ("a", "b", "c", "d"), ("a", ""), ("a", 3)):
        with pytest.raises(ValueError, match="1 to 3"):
            info_of(wrong)


def collected(name: str, function: str, levels: tuple[str, ...]) -> grading.CollectedCheck:
    info = CheckInfo(function, hint=levels[0], hints=levels)
    return grading.CollectedCheck(name, info, Path("test_x.py"))


CHECKS = [
    collected("sigmoid_basic", "sigmoid", ("S1", "S2", "S3")),
    collected("sigmoid_stable", "sigmoid", ("T1", "T2")),
    collected("relu_basic", "relu", ("R1",)),
]


def test_a_function_name_means_its_check_that_failed_last() -> None:
    assert hints.choose(SLUG, CHECKS, "sigmoid", []).name == "sigmoid_basic"
    assert hints.choose(SLUG, CHECKS, "sigmoid", ["sigmoid_stable"]).name == "sigmoid_stable"
    assert hints.choose(SLUG, CHECKS, "test_relu_basic", []).name == "relu_basic"
    assert hints.choose(SLUG, CHECKS, None, ["relu_basic"]).name == "relu_basic"
    assert hints.choose(SLUG, CHECKS, None, []) is None
    with pytest.raises(hints.HintError, match="sigmoid, relu"):
        hints.choose(SLUG, CHECKS, "tanh", [])


@pytest.fixture
def our_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grading, "collect_checks", lambda slug, extra_dirs=(): CHECKS)


def test_hint_reveals_one_more_level_each_time_and_remembers(
    workspace: Path, our_checks: None
) -> None:
    (workspace / f"{SLUG}.py").write_text("")
    first = run("hint", SLUG, "sigmoid_basic", "--dir", str(workspace))[1]
    assert "hint 1/3: S1" in first and "S2" not in first and "level 2 of 3 next" in first
    second = run("hint", SLUG, "sigmoid_basic", "--dir", str(workspace))[1]
    assert "hint 1/3: S1" in second and "hint 2/3: S2" in second and "S3" not in second
    saved = json.loads((workspace / ".nnlab" / "progress.json").read_text())
    assert saved["exercises"][SLUG]["hints"] == {"sigmoid_basic": 2}
    assert workspace.joinpath(".nnlab").is_dir()
    assert "T1" not in second  # another check's levels stay hidden
    every = run("hint", SLUG, "sigmoid_stable", "--all", "--dir", str(workspace))[1]
    assert "hint 1/2: T1" in every and "hint 2/2: T2" in every
    assert workspace_hints(workspace) == {"sigmoid_basic": 2, "sigmoid_stable": 2}
    last = run("hint", SLUG, "sigmoid_stable", "--dir", str(workspace))[1]
    assert "T2" in last and "every level" in last


PRIVATE_CHECK = """
from nnlab.checks import check


@check("sigmoid", weight=1, hint=("Our course's own words, level one.", "Level two."))
def test_sigmoid_of_zero_is_one_half(learner):
    assert learner.call("sigmoid", 0.0).value == 0.5
"""


def test_hint_finds_the_extra_checks_of_checks(workspace: Path, tmp_path: Path) -> None:
    private = tmp_path / "private"
    private.mkdir()
    (private / f"test_{SLUG}_ours.py").write_text(PRIVATE_CHECK)
    (workspace / f"{SLUG}.py").write_text("")
    name = "sigmoid_of_zero_is_one_half"
    code, out, err = run("hint", SLUG, name, "--checks", str(private), "--dir", str(workspace))
    assert code == 0 and "hint 1/2: Our course's own words, level one." in out, out + err
    code, _, err = run("hint", SLUG, name, "--dir", str(workspace))  # unknown without them
    assert code == 2 and name in err


def workspace_hints(folder: Path) -> dict[str, int]:
    return workspace.revealed_hints(folder)[SLUG]


def test_hint_records_nothing_through_a_symlinked_folder(
    workspace: Path, tmp_path: Path, our_checks: None
) -> None:
    (workspace / f"{SLUG}.py").write_text("")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (workspace / ".nnlab").symlink_to(elsewhere)
    code, out, err = run("hint", SLUG, "relu", "--dir", str(workspace))
    assert code == 0 and "hint: R1" in out
    assert "could not record" in err and not any(elsewhere.iterdir())


def test_the_report_shows_revealed_levels_again_and_the_command_for_more() -> None:
    failing = CheckResult(
        "sigmoid_basic",
        "sigmoid",
        "correctness",
        "failed",
        1.0,
        message="sigmoid(z) is wrong",
        hint="S1",
        max_points=5000,
        hints=("S1", "S2", "S3"),
    )
    passing = CheckResult("relu_basic", "relu", "correctness", "passed", 1.0, max_points=5000)
    result = ExerciseResult(SLUG, f"{SLUG}.py", status="partial", checks=[failing, passing])
    fresh = click.unstyle(text.exercise_block(result, verbose=False, commands=True))
    assert f"hint: nnlab hint {SLUG} sigmoid_basic" in fresh and "S1" not in fresh
    assert "✓ relu" in fresh and fresh.rstrip().endswith("50/50") and "relu_basic" not in fresh
    asked = click.unstyle(
        text.exercise_block(result, verbose=False, commands=True, revealed={"sigmoid_basic": 2})
    )
    assert "hint 1/3: S1" in asked and "hint 2/3: S2" in asked and "S3" not in asked
    assert f"more: nnlab hint {SLUG} sigmoid_basic" in asked
    # the other formats keep level 1 as today
    assert "hint: S1" in click.unstyle(text.exercise_block(result))


def test_grading_keeps_every_level_of_a_check(tmp_path: Path) -> None:
    checks = tmp_path / "checks"
    checks.mkdir()
    (checks / f"test_{SLUG}_levels.py").write_text(
        "from nnlab.checks import check, expect_close\n\n"
        "@check('relu', hint=('concept', 'place', 'almost'))\n"
        "def test_relu_is_never_right(learner):\n"
        "    expect_close(learner.call('relu', 1.0), 2.0)\n"
    )
    work = tmp_path / "work"
    work.mkdir()
    (work / f"{SLUG}.py").write_text((SOLUTIONS / f"{SLUG}.py").read_text())
    options = grading.GradingOptions(extra_check_dirs=[checks])
    result = grading.grade(work, [SLUG], options=options).exercises[0]
    ours = next(c for c in result.checks if c.name == "relu_is_never_right")
    assert ours.status == "failed" and ours.hint == "concept"
    assert ours.hints == ("concept", "place", "almost")
    assert ours.to_dict()["hint"] == "concept"
    found = next(c for c in grading.collect_checks(SLUG, [checks]) if c.name == ours.name)
    assert found.info is not None
    assert found.info.hints == ("concept", "place", "almost")


# --- the failing case, reproducible --------------------------------------------------------------


def run_script(script: Path, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The repro script as a learner runs it: a plain Python, no nnlab on the path."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, "-I", str(script)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_repro_writes_a_script_that_repeats_the_failing_call(
    workspace: Path, tmp_path: Path
) -> None:
    # wrong only for |z| >= 20: the saturation check fails on its own (not blocked)
    answer = (SOLUTIONS / f"{SLUG}.py").read_text()
    answer = answer.replace(
        "return np.tanh(np.asarray(z, dtype=float))",
        "z = np.asarray(z, dtype=float)\n    return np.where(np.abs(z) >= 20, np.arctan(z), np.tanh(z))",
    )
    (workspace / f"{SLUG}.py").write_text(answer)
    code, out, _ = run("grade", SLUG, "--dir", str(workspace))
    check = "tanh_saturates_at_plus_minus_one_for_large_inputs"
    assert f"repro: nnlab repro {SLUG} {check}" in out
    code, out, err = run("repro", SLUG, check, "--dir", str(workspace))
    assert code == 0, err
    script = workspace / ".nnlab" / "repro" / f"{check}.py"
    assert f"Wrote {script}" in out
    assert (workspace / ".nnlab" / "repro" / f"{check}.z.npy").is_file()
    shown = run_script(script, tmp_path)  # from anywhere: it finds the course folder itself
    assert shown.returncode == 0, shown.stderr
    assert "first difference at index [0]: expected -1.0, got -1.5697963" in shown.stdout
    assert "(6 of 6 values differ)" in shown.stdout
    (workspace / f"{SLUG}.py").write_text((SOLUTIONS / f"{SLUG}.py").read_text())
    assert "the same now" in run_script(script, tmp_path).stdout


def test_repro_of_a_call_that_raises_raises_the_same_in_the_script(
    workspace: Path, tmp_path: Path
) -> None:
    answer = (SOLUTIONS / f"{SLUG}.py").read_text()
    answer = answer.replace("def relu(z):\n", "def relu(z):\n    z.shape  # fails for numbers\n", 1)
    (workspace / f"{SLUG}.py").write_text(answer)
    code, out, err = run("repro", SLUG, "relu", "--dir", str(workspace))
    assert code == 0, err
    check = out.split(":")[0]
    shown = run_script(workspace / ".nnlab" / "repro" / f"{check}.py", tmp_path)
    assert shown.returncode == 1 and "AttributeError" in shown.stderr


def test_repro_when_everything_passes_says_so(workspace: Path) -> None:
    (workspace / f"{SLUG}.py").write_text((SOLUTIONS / f"{SLUG}.py").read_text())
    code, out, _ = run("repro", SLUG, "--dir", str(workspace))
    assert code == 0 and "nothing to reproduce" in out
    assert not (workspace / ".nnlab" / "repro").exists()


def test_repro_without_the_file_is_a_usage_error(workspace: Path) -> None:
    code, out, err = run("repro", SLUG, "--dir", str(workspace))
    assert code == 2 and out == "" and f"nnlab start {SLUG}" in err


# --- stubs and files ------------------------------------------------------------------------------


def test_every_stub_says_at_its_top_that_it_stands_alone() -> None:
    from nnlab import catalog

    for exercise in catalog.EXERCISES:
        top = exercise.stub_path.read_text(encoding="utf-8").splitlines()[:3]
        assert top[0].startswith("# This file must stand alone"), exercise.slug
        assert "fails when graded" in " ".join(top), exercise.slug


def test_importing_another_exercises_file_says_each_file_stands_alone(workspace: Path) -> None:
    (workspace / f"{SLUG}.py").write_text((SOLUTIONS / f"{SLUG}.py").read_text())
    answer = (SOLUTIONS / "derivatives.py").read_text()
    (workspace / "derivatives.py").write_text("from activations import sigmoid\n" + answer)
    code, _, err = run("grade", "derivatives", "--dir", str(workspace))
    assert code == 1
    assert "ModuleNotFoundError: No module named 'activations'" in err
    assert "Each exercise file must stand alone" in err and "copy what you need" in err
    assert len(err.strip().splitlines()) == 1


def test_start_refuses_when_the_other_form_exists(workspace: Path) -> None:
    assert run("start", SLUG, "--notebook", "--dir", str(workspace))[0] == 0
    code, out, err = run("start", SLUG, "--dir", str(workspace))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert f"{SLUG}.ipynb already exists" in err and "--force" in err
    assert not (workspace / f"{SLUG}.py").exists()
    assert run("start", SLUG, "--force", "--dir", str(workspace))[0] == 0
    assert (workspace / f"{SLUG}.py").is_file() and (workspace / f"{SLUG}.ipynb").is_file()
    (workspace / f"{SLUG}.ipynb").unlink()
    code, _, err = run("start", SLUG, "--notebook", "--dir", str(workspace))
    assert code == 2 and f"{SLUG}.py already exists and it would still be graded" in err


# --- nnlab watch ----------------------------------------------------------------------------------


class Output:
    """A subprocess's stdout, read line by line in a thread, waited on with a bound."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.text = ""
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self.thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            with self.changed:
                self.text += line
                self.changed.notify_all()

    def wait_for(self, needle: str, after: int = 0, seconds: float = 120) -> int:
        """The position just past ``needle`` found after ``after``; fails after ``seconds``."""
        with self.changed:
            found = self.changed.wait_for(lambda: needle in self.text[after:], timeout=seconds)
        assert found, f"{needle!r} did not come within {seconds} s:\n{self.text}"
        return self.text.index(needle, after) + len(needle)


def test_watch_grades_again_after_a_save_and_ctrl_c_ends_it_with_0(workspace: Path) -> None:
    with_tanh_wrong(workspace)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "nnlab", "watch", SLUG, "--dir", str(workspace)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        output = Output(process)
        first = output.wait_for("save it to grade again")
        assert "86/100  partial" in output.text and "✓ sigmoid" in output.text
        (workspace / f"{SLUG}.py").write_text((SOLUTIONS / f"{SLUG}.py").read_text())
        output.wait_for("100/100  passed", after=first)
        output.wait_for("save it to grade again", after=first)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        output.thread.join(timeout=10)
        assert "Stopped watching." in output.text and "Traceback" not in output.text
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    saved = json.loads((workspace / ".nnlab" / "progress.json").read_text())
    assert saved["exercises"][SLUG]["status"] == "passed"


def test_watch_regrades_the_exercise_whose_file_was_saved(workspace: Path) -> None:
    from nnlab import watching

    for slug in ("tensors", SLUG):
        (workspace / f"{slug}.py").write_text("")
    os.utime(workspace / "tensors.py", (1, 1))  # activations.py was saved last
    graded: list[str] = []
    saves = [
        {(1, str(workspace / ".nnlab" / "progress.json"))},
        {(2, str(workspace / "tensors.py"))},
        {(2, str(workspace / "notes.py"))},
    ]
    watching.watch(workspace, None, graded.append, changes=lambda folder: saves)
    assert graded == [SLUG, "tensors"]
    graded.clear()
    watching.watch(workspace, SLUG, graded.append, changes=lambda folder: saves)
    assert graded == [SLUG]  # a named exercise: other files' saves are not its business


# --- the whole loop -------------------------------------------------------------------------------


def test_the_whole_loop_as_a_learner_goes_through_it(workspace: Path, tmp_path: Path) -> None:
    """start, grade (no hint text, one line per passing function), hint twice (two levels),
    repro (the script runs and prints the mismatch), fix, grade 100/100."""
    tanh = next(
        c
        for c in grading.collect_checks(SLUG)
        if c.name == "tanh_matches_reference_on_varied_shapes"
    )
    assert tanh.info is not None
    levels = tanh.info.hints
    assert len(levels) == 3
    assert run("start", SLUG, "--dir", str(workspace))[0] == 0
    stub = (workspace / f"{SLUG}.py").read_text()
    assert stub.startswith("# This file must stand alone")
    answer = (SOLUTIONS / f"{SLUG}.py").read_text()
    wrong = answer.replace("np.tanh(", "np.arctan(", 1)
    (workspace / f"{SLUG}.py").write_text(wrong)

    code, out, _ = run("grade", SLUG, "--dir", str(workspace))
    assert code == 1
    for function in ("sigmoid", "arctan", "relu", "leaky_relu", "softmax"):
        assert sum(1 for line in out.splitlines() if line.split()[:2] == ["✓", function]) == 1
    assert not any(level in out for level in levels)
    report = grading.grade(workspace, [SLUG]).exercises[0]
    assert not any(c.hint and c.hint in out for c in report.checks)
    assert f"hint: nnlab hint {SLUG} " in out and f"repro: nnlab repro {SLUG} " in out

    first = run("hint", SLUG, "tanh", "--dir", str(workspace))[1]
    assert "hint 1/3: " + levels[0] in first and levels[1] not in first
    second = run("hint", SLUG, "tanh", "--dir", str(workspace))[1]
    assert "hint 2/3: " + levels[1] in second and levels[2] not in second

    code, out, err = run("repro", SLUG, "tanh", "--dir", str(workspace))
    assert code == 0, err
    script = Path(out.split("Run it: python ")[1].strip())
    shown = run_script(script if script.is_absolute() else workspace / script, tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "expected" in shown.stdout and "first difference" in shown.stdout

    (workspace / f"{SLUG}.py").write_text(answer)
    code, out, _ = run("grade", SLUG, "--dir", str(workspace))
    assert code == 0 and "100/100  passed" in out
    assert len([line for line in out.splitlines() if line.startswith("  ✓ ")]) == 6


def test_gradescope_shows_level_1_unless_no_hints(workspace: Path, tmp_path: Path) -> None:
    import zipfile

    with_tanh_wrong(workspace)
    hint = next(c for c in grading.collect_checks(SLUG) if c.info and c.info.function == "tanh")
    assert hint.info is not None
    level_1, level_2 = hint.info.hints[:2]

    def outputs(*options: str) -> str:
        code, out, err = run(
            "grade", SLUG, "--format", "gradescope", *options, "--dir", str(workspace)
        )
        assert code == 1, err
        return "\n".join(test["output"] for test in json.loads(out)["tests"])

    shown = outputs()
    assert f"Hint: {level_1}" in shown and level_2 not in shown  # as before: level 1
    hidden = outputs("--no-hints")
    assert "Hint:" not in hidden and "tanh(z) is wrong" in hidden
    code, _, err = run("grade", SLUG, "--no-hints", "--dir", str(workspace))
    assert code == 2 and "--no-hints applies to --format gradescope only" in err
    target = tmp_path / "autograder.zip"
    code, _, err = run(
        "export", "gradescope", SLUG, "--from-index", "--no-hints", "--out", str(target)
    )
    assert code == 0, err
    with zipfile.ZipFile(target) as archive:
        assert f"grade {SLUG} --dir" in (script := archive.read("run_autograder").decode())
        assert "--no-hints" in script


@pytest.mark.tensorflow
def test_repro_of_a_keras_exercise_prints_the_learners_model(
    workspace: Path, tmp_path: Path
) -> None:
    answer = (SOLUTIONS / "keras_model.py").read_text()
    assert 'loss="binary_crossentropy"' in answer
    (workspace / "keras_model.py").write_text(
        answer.replace('loss="binary_crossentropy"', 'loss="mse"')
    )
    code, out, err = run("repro", "keras_model", "build_model", "--dir", str(workspace))
    assert code == 0, err
    script = workspace / ".nnlab" / "repro" / "build_model.py"
    assert f"Run it: python {script}" in out
    shown = run_script(script, tmp_path, timeout=300)
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert "build_model(4) returned Sequential" in shown.stdout
    assert "Dense" in shown.stdout and "output (None, 1)" in shown.stdout
    assert "loss: mse" in shown.stdout and "metrics:" in shown.stdout


# --- a first sign of life ---------------------------------------------------------------------------


@pytest.mark.parametrize("live", [False, True])
def test_a_keras_grading_says_at_once_that_tensorflow_is_being_imported(
    live: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from nnlab.cli import ProgressLine

    monkeypatch.setattr(grading, "template_running", lambda exercise: False)
    line = ProgressLine(watching=True)
    line.live = live
    line.waiting("keras_model")
    line.show("keras_model", "your train_model: epoch 3/8  loss 0.5")
    err = capsys.readouterr().err
    assert "keras_model: importing TensorFlow (first grade only)..." in err
    assert "keras_model: your train_model: epoch 3/8" in err
    if live:  # a terminal: one line, redrawn in place
        assert "\n" not in err and err.count("\r") == 2
    else:  # a CI log: one line per step
        assert len(err.splitlines()) == 2
    monkeypatch.setattr(grading, "template_running", lambda exercise: True)
    line.waiting("keras_model")  # warm: nothing to wait for but the checks
    assert "TensorFlow" not in capsys.readouterr().err
    line.waiting("activations")  # a NumPy exercise is done within a second or two
    assert ("grading..." in capsys.readouterr().err) == live
