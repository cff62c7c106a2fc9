"""Attacks on the grading process itself: the files it reads, the text it shows, the
reports it writes.

``tests/attacks/parent/`` holds hostile submission folders (links, special files, huge
sources and notebooks, a `.nnlab` that points elsewhere), each built by its ``build``
and graded by `nnlab grade` and grade-batch here; ``tests/attacks/lone_surrogate.py``
and ``terminal_repaint.py`` are learner modules (graded in ``tests/test_attacks.py``
too) whose text must reach every writer harmless.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import stat
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import SOLUTIONS

from nnlab import batch, grading, report, workspace
from nnlab.cli import cli
from nnlab.grading import GradingOptions, Limits
from nnlab.report import WriterFailed, html
from nnlab.results import CheckResult, ExerciseResult, Report

CORPUS = Path(__file__).resolve().parent / "attacks"
PARENT = CORPUS / "parent"
CHECKS = CORPUS / "checks"
LIMITS = Limits(load_seconds=4.0, call_seconds=2.0, exercise_seconds=15.0, memory_bytes=384 * 2**20)
SECRET = "root:$6$the-grader's-secret-line"
ATTACKS = sorted(path.stem for path in PARENT.glob("*.py"))
UNSAFE = ["\x1b", "\r", "\x9b", "\u202e"] + [chr(code) for code in (0xD800, 0xDCFF, 0xDFFF)]


def attack(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"parent_attack_{name}", PARENT / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def expected(name: str) -> dict[str, Any]:
    return attack(name).EXPECT


class Scene:
    """A class folder holding the hostile ``submission`` and an honest ``classmate``, beside
    a ``secret`` no grading may read and a folder ``elsewhere`` no grading may write into."""

    def __init__(self, root: Path, name: str) -> None:
        self.root = root
        self.honest = (SOLUTIONS / "activations.py").read_text()
        self.submission = root / "class" / "submission"
        self.classmate = root / "class" / "classmate"
        self.secret = root / "secret" / "shadow"
        self.elsewhere = root / "elsewhere"
        for folder in (self.submission, self.classmate, self.secret.parent, self.elsewhere):
            folder.mkdir(parents=True)
        (self.classmate / "activations.py").write_text(self.honest)
        self.secret.write_text(f"{SECRET}\ndef sigmoid(:\n")
        attack(name).build(self)
        self.before = self.snapshot()

    def snapshot(self) -> dict[str, tuple[bytes, int]]:
        """Every file outside the hostile folder, with its bytes and mode."""
        found = {}
        for path in sorted(self.root.rglob("*")):
            if path.is_relative_to(self.submission) or path.is_symlink() or not path.is_file():
                continue
            found[str(path)] = (path.read_bytes(), stat.S_IMODE(path.stat().st_mode))
        return found


def render_everything(reports: list[Report]) -> dict[str, str]:
    """Every writer's output for ``reports`` (one report: the single-report writers too)."""
    out = {f"batch {name}": report.render_batch(reports, name) for name in report.BATCH_WRITERS}
    if len(reports) == 1:
        out |= {name: report.render(reports[0], name) for name in report.WRITERS}
        out["html"] = html.render(reports[0])
    return out


def assert_written_and_readable(outputs: dict[str, str]) -> None:
    """Each output is valid UTF-8 and parses in its own format."""
    for name, text in outputs.items():
        text.encode("utf-8")  # raises on a lone surrogate
        if name.endswith(("json", "gradescope")):
            json.loads(text)
        if name.endswith("junit"):
            ET.fromstring(text.encode("utf-8"))


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def no_template(monkeypatch: pytest.MonkeyPatch) -> None:
    # most of these gradings start no child at all: no template to start for them
    monkeypatch.setenv("NNLAB_TEMPLATE", "0")


# --- files are what they say -------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in ATTACKS if "exercise" in expected(n)])
def test_a_hostile_file_is_refused_with_its_reason_by_nnlab_grade(
    name: str, tmp_path: Path
) -> None:
    wanted = expected(name)
    scene = Scene(tmp_path, name)
    slug = wanted["exercise"]
    result = grading.grade(scene.submission, [slug], options=GradingOptions(limits=LIMITS))
    (exercise,) = result.exercises
    assert exercise.status == wanted["status"], exercise.message
    assert wanted["message"] in exercise.message, exercise.message
    assert exercise.score == 0.0
    for text in render_everything([result]).values():
        assert SECRET not in text
    assert scene.snapshot() == scene.before
    code, out, err = run_cli("grade", slug, "--dir", str(scene.submission))
    assert code == 1, out + err  # the learner's file: points lost (GRADING.md)
    assert err.count("\n") == 1 and wanted["message"] in err, err
    assert SECRET not in out + err


@pytest.mark.parametrize("name", ["symlink_to_classmate", "symlink_to_secret", "special_file"])
def test_a_hostile_file_gets_the_same_verdict_in_grade_batch(name: str, tmp_path: Path) -> None:
    wanted = expected(name)
    scene = Scene(tmp_path, name)
    slug = wanted["exercise"]
    options = batch.BatchOptions(jobs=1, slugs=[slug])
    result = batch.grade_folders([scene.submission, scene.classmate], options)
    reports = {r.submission: r for r in result.reports}
    (hostile,) = reports["submission"].exercises
    assert hostile.status == wanted["status"] and wanted["message"] in hostile.message
    assert hostile.score == 0.0
    if slug == "activations":  # the classmate it pointed at keeps its own grade
        assert reports["classmate"].exercises[0].status == "passed"
    for text in render_everything(result.reports).values():
        assert SECRET not in text
    assert result.crashed == []
    assert scene.snapshot() == scene.before


@pytest.mark.parametrize("name", [n for n in ATTACKS if "exit" in expected(n)])
def test_a_hostile_folder_or_state_is_refused_with_exit_status_2(name: str, tmp_path: Path) -> None:
    wanted = expected(name)
    scene = Scene(tmp_path, name)
    command = ["start", "activations", "--force"] if name.startswith("start_") else ["grade"]
    code, out, err = run_cli(*command, "--dir", str(scene.submission))
    assert code == wanted["exit"], out + err
    assert err.count("\n") == 1 and wanted["message"] in err, err
    assert SECRET not in out + err
    assert scene.snapshot() == scene.before, "a file outside the submission changed"
    assert list(scene.elsewhere.iterdir()) in ([], [scene.elsewhere / "activations.py"])
    assert not list(scene.submission.glob("*.bak*"))


def test_a_folder_of_a_class_that_is_a_link_is_an_error_in_grade_batch(tmp_path: Path) -> None:
    scene = Scene(tmp_path, "symlinked_folder")
    options = batch.BatchOptions(jobs=1, slugs=["activations"])
    result = batch.grade_folders([scene.submission], options)
    (exercise,) = result.reports[0].exercises
    assert exercise.status == "error" and "is a symbolic link (to " in exercise.message
    assert exercise.score == 0.0 and result.crashed == []


def test_progress_is_never_written_through_a_link_made_after_the_check(tmp_path: Path) -> None:
    """The check at the start (exit status 2) has a twin at the write itself: a `.nnlab`
    turned into a link while the grading ran is refused there too."""
    scene = Scene(tmp_path, "symlink_to_secret")
    folder = workspace.require_folder(scene.submission)
    (folder / ".nnlab").symlink_to(scene.elsewhere)
    graded = Report("x", [ExerciseResult("activations", "activations.py", status="failed")])
    with pytest.raises(OSError, match="symbolic link"):
        workspace.record_report(folder, graded)
    (folder / ".nnlab").unlink()
    (folder / ".nnlab").mkdir()
    (folder / ".nnlab" / "progress.json").symlink_to(scene.secret)
    assert workspace.load_progress(folder) == {}  # never read through the link
    workspace.record_report(folder, graded)  # replaces the link, never writes through it
    assert not (folder / ".nnlab" / "progress.json").is_symlink()
    assert scene.snapshot() == scene.before


def test_start_force_backs_up_past_a_link_named_like_a_backup(tmp_path: Path) -> None:
    """A `.bak` link (even one pointing nowhere yet) is kept, never replaced or written."""
    folder = tmp_path / "work"
    folder.mkdir()
    planted = tmp_path / "elsewhere" / "planted"
    (folder / "activations.py").write_text("# my work\n")
    (folder / "activations.py.bak").symlink_to(planted)
    _, backup = workspace.start(folder, "activations", force=True)
    assert backup == folder / "activations.py.bak1"
    assert backup.read_text() == "# my work\n"
    assert (folder / "activations.py.bak").is_symlink() and not planted.exists()


def test_an_out_file_that_is_a_link_is_replaced_not_written_through(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.write_text(SECRET)
    link = tmp_path / "report.json"
    link.symlink_to(target)
    workspace.atomic_write(link, "{}")
    assert target.read_text() == SECRET
    assert not link.is_symlink() and link.read_text() == "{}"


def test_a_huge_source_is_never_compiled_by_the_grader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled: list[int] = []
    original = grading.compile_source

    def spy(source: str, file_name: str) -> grading.Compiled:
        compiled.append(len(source))
        return original(source, file_name)

    monkeypatch.setattr(grading, "compile_source", spy)
    scene = Scene(tmp_path, "huge_source")
    result = grading.grade(scene.submission, ["activations"], options=GradingOptions(limits=LIMITS))
    assert result.exercises[0].status == "error"
    assert compiled == []
    # and compile_source refuses on its own what no file read would give it
    assert "is not graded" in (original("x = 1\n" * 200_000, "big.py").problem or "")


# --- text is sanitised where it enters ---------------------------------------------------------


def grade_learner_module(name: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Report:
    """Grade ``tests/attacks/<name>.py`` appended to the honest module, with the corpus checks."""
    monkeypatch.setattr(
        grading, "check_files", lambda slug, extra=(): [CHECKS / "test_activations_attacks.py"]
    )
    folder.mkdir(parents=True, exist_ok=True)
    source = (CORPUS / "honest.py").read_text() + "\n" + (CORPUS / f"{name}.py").read_text()
    (folder / "activations.py").write_text(source)
    return grading.grade(folder, ["activations"], options=GradingOptions(limits=LIMITS))


def everything_said(graded: Report) -> str:
    return "\n".join(
        [e.message for e in graded.exercises]
        + [c.message for e in graded.exercises for c in e.checks]
    )


@pytest.mark.parametrize("name", ["lone_surrogate", "terminal_repaint"])
def test_the_childs_text_arrives_inert(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    graded = grade_learner_module(name, tmp_path / "work", monkeypatch)
    said = everything_said(graded)
    assert "attack_sigmoid_values" in [c.name for c in graded.exercises[0].checks]
    for character in UNSAFE:
        assert character not in said, f"{character!r} reached the grader: {said!r}"
    assert ("\\x1b[2J" in said) == (name == "terminal_repaint")
    assert ("\ufffd" in said) == (name == "lone_surrogate")


def test_every_writer_writes_a_class_with_lone_surrogates_and_odd_folder_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The JSON and Gradescope writers crashed after the whole class was graded (no file for
    anybody); folder names that are not UTF-8 or hold control characters are written too."""
    monkeypatch.setattr(
        grading, "check_files", lambda slug, extra=(): [CHECKS / "test_activations_attacks.py"]
    )
    root = tmp_path / "class"
    honest = (CORPUS / "honest.py").read_text()
    names = {
        os.fsdecode(b"caf\xe9-latin1"): "lone_surrogate",
        "paint\x1b[2J\nline": "terminal_repaint",
        "honest": None,
    }
    for folder_name, attack_name in names.items():
        folder = root / folder_name
        folder.mkdir(parents=True)
        extra = (CORPUS / f"{attack_name}.py").read_text() if attack_name else ""
        (folder / "activations.py").write_text(honest + "\n" + extra)
    stream = io.StringIO()
    progress = batch.BatchProgress(3, stream=stream, live=False)
    options = batch.BatchOptions(jobs=1, slugs=["activations"], on_done=progress.update)
    result = batch.grade_batch(root, options)
    assert len(result.reports) == 3 and result.crashed == []
    outputs = render_everything(result.reports)
    assert_written_and_readable(outputs)
    assert len(json.loads(outputs["batch json"])) == 3
    assert len(json.loads(outputs["batch gradescope"])) == 3
    assert len(list(csv.reader(io.StringIO(outputs["batch csv"])))) == 4
    for character in ("\x1b", "\r"):
        assert character not in stream.getvalue()


def test_writers_survive_raw_lone_surrogates_on_their_own() -> None:
    """Whatever reaches a writer (a report merged from a file, a new way in), it writes."""
    check = CheckResult("values", "sigmoid", "correctness", "error", 1.0, "bad \ud800", "\udfff")
    exercise = ExerciseResult("activations", "activations.py", "partial", "\udcff", [check])
    graded = Report("caf\udce9", [exercise.finish()])
    outputs = {name: writer(graded) for name, writer in report.WRITERS.items()}
    outputs |= {f"batch {name}": w([graded]) for name, w in report.BATCH_WRITERS.items()}
    outputs["html"] = html.render(graded)
    assert_written_and_readable(outputs)


def test_the_terminal_report_cannot_be_repainted() -> None:
    paint = "\x1b[2J\x1b[H\rTotal: 100/100\x9b2J"
    check = CheckResult("values", "sigmoid", "correctness", "error", 1.0, paint, paint)
    exercise = ExerciseResult("activations", "activations.py", "error", paint, [check])
    graded = Report("me", [exercise.finish()])
    shown = report.render(graded, "text") + report.text.exercise_block(graded.exercises[0])
    for sequence in ("\x1b[2J", "\x1b[H", "\r", "\x9b"):
        assert sequence not in shown
    assert "\\x1b[2J\\x1b[H\\rTotal: 100/100\\x9b2J" in shown


# --- a writer's failure is named and costs no one else ---------------------------------------


def failing_for(name: str, writer: Any) -> Any:
    def write(reports: Any) -> str:
        if any(r.submission == name for r in reports):
            raise RuntimeError(f"cannot write {name}")
        return writer(reports)

    return write


def three_reports() -> list[Report]:
    return [
        Report(name, [ExerciseResult("activations", "activations.py", "missing")])
        for name in ("alice", "bob", "mallory")
    ]


@pytest.mark.parametrize("writer", sorted(report.BATCH_WRITERS))
def test_a_writer_failure_names_the_writer_and_keeps_the_other_students(
    writer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        report.BATCH_WRITERS, writer, failing_for("mallory", report.BATCH_WRITERS[writer])
    )
    with pytest.raises(WriterFailed) as failure:
        report.render_batch(three_reports(), writer)
    assert failure.value.writer == writer and failure.value.left_out == ["mallory"]
    assert f"the {writer} writer failed for mallory" in str(failure.value)
    assert "alice" in failure.value.output and "bob" in failure.value.output
    assert "mallory" not in failure.value.output


def test_grade_batch_writes_the_others_and_exits_3_when_a_writer_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        report.BATCH_WRITERS, "json", failing_for("mallory", report.BATCH_WRITERS["json"])
    )
    monkeypatch.setattr(
        batch, "grade_folders", lambda folders, options: batch.BatchResult(three_reports())
    )
    for name in ("alice", "bob", "mallory"):  # not empty: grading them is mocked anyway
        (tmp_path / "class" / name).mkdir(parents=True)
        (tmp_path / "class" / name / "activations.py").write_text("")
    out = tmp_path / "grades.json"
    code, _, err = run_cli(
        "grade-batch", str(tmp_path / "class"), "--format", "json", "--out", str(out)
    )
    assert code == 3
    assert [line for line in err.splitlines() if "error" in line] == [
        "nnlab: error: the json writer failed for mallory (RuntimeError: cannot write "
        "mallory); the others were written"
    ]
    assert [r["submission"] for r in json.loads(out.read_text())] == ["alice", "bob"]


def test_a_writer_that_fails_on_odd_text_writes_the_report_cleaned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def picky(reports: Any) -> str:
        for one in reports:
            if any("\x1b" in e.message for e in one.exercises):
                raise ValueError("cannot hold an escape")
        return "ok"

    monkeypatch.setitem(report.BATCH_WRITERS, "csv", picky)
    graded = Report("x", [ExerciseResult("activations", "activations.py", "error", "\x1b[2J")])
    assert report.render_batch([graded], "csv") == "ok"


def test_attack_files_are_all_used() -> None:
    used = {n for n in ATTACKS if "exercise" in expected(n) or "exit" in expected(n)}
    assert used == set(ATTACKS)
