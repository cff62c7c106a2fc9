"""The term's tools: `nnlab report` feedback pages and class summary, Canvas gradebook, late penalties."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from classroom import make_class, needs_slugs
from click.testing import CliRunner
from conftest import BROKEN, ROOT

from nnlab.batch import failed_report
from nnlab.cli import cli
from nnlab.results import GRADER_ERROR, CheckResult, ExerciseResult, Report
from nnlab.term import feedback, gradebook, summary


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The classroom (alice solved, bob stubs, carol syntax error, dave empty, erin crashes at
    import) plus frank, whose first exercise has a one-line bug; graded into class.json."""
    slugs = needs_slugs()
    base = tmp_path_factory.mktemp("term")
    root = base / "submissions"
    make_class(root, slugs)
    (root / "frank").mkdir()
    bug = sorted((BROKEN / slugs[0]).glob("*.py"))[0]
    shutil.copyfile(bug, root / "frank" / f"{slugs[0]}.py")
    target = base / "class.json"
    _, _, err = run("grade-batch", str(root), "--format", "json", "--out", str(target))
    assert target.is_file(), err
    return root, target


def check(name: str, status: str, visibility: str = "visible", **extra: str) -> CheckResult:
    return CheckResult(name, "sigmoid", "correctness", status, 1.0, visibility=visibility, **extra)


def mixed_report(name: str = "kim") -> Report:
    checks = [
        check("shown_pass", "passed"),
        check("shown_fail", "failed", message="expected 1, got 2", hint="look at the sign"),
        check("secret_fail", "failed", "hidden", message="SECRET input 7", hint="SECRET hint"),
        check("later_pass", "passed", "after_published"),
        check("due_fail", "failed", "after_due_date", message="DUE message"),
    ]
    return Report(
        name, [ExerciseResult("activations", "activations.py", "graded", checks=checks).finish()]
    )


# --- feedback pages --------------------------------------------------------------------------


def test_feedback_shows_the_real_score_and_only_the_visible_checks() -> None:
    page = feedback.page(mixed_report())
    assert "shown_fail" in page and "expected 1, got 2" in page and "look at the sign" in page
    for withheld in ("secret_fail", "SECRET", "later_pass", "due_fail", "DUE message"):
        assert withheld not in page
    assert "40/100" in page  # shown_pass and later_pass: 2 of 5 equal weights
    assert "3 more checks not shown here" in page and "20/60 points" in page
    assert "Total: 40/100" in page


def test_released_feedback_adds_the_after_checks_but_never_the_hidden_ones() -> None:
    page = feedback.page(mixed_report(), released=True)
    assert "later_pass" in page and "due_fail" in page and "DUE message" in page
    assert "secret_fail" not in page and "SECRET" not in page
    assert "1 more check not shown here" in page


def test_feedback_escapes_everything_from_the_grading() -> None:
    report = mixed_report("<script>alert(1)</script>")
    report.exercises[0].checks[1].message = "<img src=x onerror=alert(2)>"
    page = feedback.page(report)
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x" in page


def test_feedback_file_names_are_safe_and_distinct() -> None:
    names = feedback.file_names(["kim", "Kim", "../etc/passwd", "a b", "", "kim-2"])
    assert len(set(n.lower() for n in names.values())) == len(names)
    for name in names.values():
        assert "/" not in name and " " not in name and name.endswith(".html")
        assert not name.startswith(".")


# --- the class summary -----------------------------------------------------------------------


def test_check_rates_put_the_checks_most_students_fail_first() -> None:
    reports = []
    for index in range(4):
        statuses = ["passed", "passed" if index else "failed", "failed" if index < 3 else "passed"]
        checks = [
            check(f"c{i}", status, message="" if status == "passed" else f"wrong {i}")
            for i, status in enumerate(statuses)
        ]
        reports.append(
            Report(
                f"s{index}",
                [ExerciseResult("activations", "a.py", "graded", checks=checks).finish()],
            )
        )
    not_run = check("c0", "error", message="not run: the file could not be loaded")
    reports.append(Report("s9", [ExerciseResult("activations", "a.py", "error", checks=[not_run])]))
    rates = summary.check_rates(reports)
    assert [(r.check, r.passed, r.ran) for r in rates] == [("c2", 1, 4), ("c1", 3, 4), ("c0", 4, 4)]
    assert rates[0].usual_failure == "wrong 2"


def test_troubles_name_crashed_timed_out_and_unloadable_submissions() -> None:
    crashed = failed_report(
        "ann", ["tensors", "activations"], "grading this submission crashed (worker exit status -9)"
    )
    overran = failed_report(
        "ben", ["tensors", "activations"], "grading this submission did not finish within 60 s"
    )
    slow = Report(
        "cat",
        [
            ExerciseResult(
                "activations",
                "activations.py",
                "graded",
                checks=[check("c0", "timeout", message="sigmoid did not finish within 10 s")],
            ).finish(),
            ExerciseResult("tensors", "tensors.py", "error", "SyntaxError in tensors.py, line 3"),
        ],
    )
    raised = check("c1", GRADER_ERROR, message="the check itself failed (KeyError: 'x')")
    broken_check = Report(
        "dee", [ExerciseResult("activations", "a.py", "graded", checks=[raised]).finish()]
    )
    found = [
        (t.submission, t.exercise, t.what)
        for t in summary.troubles([crashed, overran, slow, broken_check, mixed_report()])
    ]
    assert found == [
        ("ann", "every exercise", "crashed"),
        ("ben", "every exercise", "timed out"),
        ("cat", "activations", "timed out"),
        ("cat", "tensors", "could not be loaded"),
        ("dee", "activations", "grader error"),
    ]
    assert summary.check_rates([broken_check]) == []  # the check's bug is not a lost point


def test_histogram_is_a_png_and_matplotlib_loads_only_when_drawing() -> None:
    picture = summary.histogram_png([0.0, 50.0, 100.0, 100.0], 100.0)
    assert picture.startswith(b"\x89PNG\r\n\x1a\n")
    code = "import sys, nnlab.cli, nnlab.term.summary; print('matplotlib' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.stdout.strip() == "False", done.stderr


def test_report_writes_a_feedback_page_per_student_and_a_class_summary(
    graded_class: tuple[Path, Path], tmp_path: Path
) -> None:
    _, class_json = graded_class
    out = tmp_path / "out"
    code, stdout, err = run("report", str(class_json), "--out", str(out))
    assert code == 0, err
    assert "6 feedback pages" in stdout
    pages = sorted(p.name for p in (out / "feedback").iterdir())
    assert pages == [f"{n}.html" for n in ("alice", "bob", "carol", "dave", "erin", "frank")]
    assert (out / "scores.png").read_bytes().startswith(b"\x89PNG")
    index = (out / "index.html").read_text()
    assert '<img src="scores.png"' in index
    crashed = index[index.index("crashed, timed out") :]
    assert (
        "erin" in crashed and "carol" in crashed and "alice" not in crashed.split("<h2>Students")[0]
    )
    # the check frank's bug fails ranks above the checks every working answer passes
    checks = index[index.index("most students fail first") : index.index("crashed, timed out")]
    frank = json.loads(class_json.read_text())
    failed = {
        c["name"]
        for r in frank
        if r["submission"] == "frank"
        for e in r["exercises"]
        for c in e["checks"]
        if c["status"] != "passed"
    }
    assert failed, "the broken answer should fail a check"
    rows = checks.split("<tr>")[2:]
    assert any(name in rows[0] for name in failed)
    assert "alice" in (out / "feedback" / "alice.html").read_text()


def test_report_refuses_options_of_the_other_format(
    graded_class: tuple[Path, Path], tmp_path: Path
) -> None:
    _, class_json = graded_class
    code, _, err = run(
        "report", str(class_json), "--out", str(tmp_path / "o"), "--roster", str(class_json)
    )
    assert code == 2 and "--roster applies to --format canvas only" in err
    code, _, err = run("report", str(class_json))
    assert code == 2 and "--out FOLDER is required" in err
    code, _, err = run("report", str(class_json), "--format", "canvas")
    assert code == 2 and "needs --roster" in err
    not_json = tmp_path / "x.json"
    not_json.write_text("[1]")
    code, _, err = run("report", str(not_json), "--out", str(tmp_path / "o"))
    assert code == 2 and "not an nnlab JSON report" in err
    not_json.write_text("[]")
    code, _, err = run("report", str(not_json), "--out", str(tmp_path / "o"))
    assert code == 2 and "no submissions in" in err


# --- gradebook -------------------------------------------------------------------------------


def write_roster(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "folder"])
        writer.writerows(rows)
    return path


def full_roster(path: Path) -> Path:
    names = ["alice", "bob", "carol", "dave", "erin", "frank"]
    rows = [[n.title(), str(100 + i), f"s{i}", n, "A", n] for i, n in enumerate(names)]
    return write_roster(path, [*rows, ["Gina", "200", "", "", "B", "gina"]])


def test_canvas_csv_has_canvas_columns_points_possible_and_roster_ids(
    graded_class: tuple[Path, Path], tmp_path: Path
) -> None:
    _, class_json = graded_class
    roster = full_roster(tmp_path / "roster.csv")
    out = tmp_path / "canvas.csv"
    code, _, err = run(
        "report", str(class_json), "--format", "canvas", "--roster", str(roster),
        "--assignment", "Neural networks (4242)", "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "Neural networks (4242)",
    ]
    reports = {r["submission"]: r for r in json.loads(class_json.read_text())}
    assert rows[1][0] == "Points Possible" and float(rows[1][5]) == reports["alice"]["max_score"]
    by_id = {row[1]: row for row in rows[2:]}
    assert float(by_id["100"][5]) == pytest.approx(reports["alice"]["score"])
    assert float(by_id["105"][5]) == pytest.approx(reports["frank"]["score"])
    assert by_id["200"][5] == ""  # gina submitted nothing: left blank, and said so
    assert "gina: no submission" in err


def test_canvas_refuses_a_submission_missing_from_the_roster(
    graded_class: tuple[Path, Path], tmp_path: Path
) -> None:
    _, class_json = graded_class
    roster = write_roster(tmp_path / "roster.csv", [["Alice", "1", "", "", "", "alice"]])
    code, _, err = run("report", str(class_json), "--format", "canvas", "--roster", str(roster))
    assert code == 2 and "not in the roster" in err and "bob" in err


def test_roster_rows_need_an_id_and_distinct_folders(tmp_path: Path) -> None:
    no_id = write_roster(tmp_path / "a.csv", [["Alice", "", "", "", "A", "alice"]])
    with pytest.raises(gradebook.GradebookError, match="line 2: folder 'alice' has no ID"):
        gradebook.read_roster(no_id)
    twice = write_roster(
        tmp_path / "b.csv", [["A", "1", "", "", "", "x"], ["B", "2", "", "", "", "x"]]
    )
    with pytest.raises(gradebook.GradebookError, match="line 3: folder 'x' is already on line 2"):
        gradebook.read_roster(twice)
    (tmp_path / "c.csv").write_text("name,id\nAlice,1\n")
    with pytest.raises(gradebook.GradebookError, match="no 'folder' or 'submission' column"):
        gradebook.read_roster(tmp_path / "c.csv")


def test_late_penalty_takes_a_share_per_started_day_down_to_zero() -> None:
    policy = gradebook.LatePolicy.parse("2026-12-01T23:59+00:00", "10%/day")
    due = policy.due
    assert policy.factor(due) == 1.0
    assert policy.factor(due - timedelta(days=3)) == 1.0
    assert policy.factor(due + timedelta(seconds=1)) == pytest.approx(0.9)
    assert policy.factor(due + timedelta(days=1)) == pytest.approx(0.9)
    assert policy.factor(due + timedelta(days=1, seconds=1)) == pytest.approx(0.8)
    assert policy.factor(due + timedelta(days=30)) == 0.0
    hourly = gradebook.LatePolicy.parse("2026-12-01T23:59Z", "2.5%/hour")
    assert hourly.factor(hourly.due + timedelta(minutes=90)) == pytest.approx(0.95)
    for bad in ("10", "10%", "ten%/day", "0%/day", "150%/day", "10%/week"):
        with pytest.raises(gradebook.GradebookError, match="--late-penalty"):
            gradebook.LatePolicy.parse("2026-12-01T23:59", bad)
    with pytest.raises(gradebook.GradebookError, match="--due"):
        gradebook.LatePolicy.parse("next friday", "10%/day")


def test_canvas_applies_late_penalties_from_a_times_file(
    graded_class: tuple[Path, Path], tmp_path: Path
) -> None:
    _, class_json = graded_class
    roster = full_roster(tmp_path / "roster.csv")
    times = tmp_path / "times.csv"
    times.write_text(
        "folder,submitted\nalice,2026-12-03T12:00+00:00\nbob,2026-12-01T00:00+00:00\n"
        "carol,2026-12-01T00:00+00:00\ndave,2026-12-01T00:00+00:00\n"
        "erin,2026-12-01T00:00+00:00\nfrank,2026-12-01T00:00+00:00\n"
    )
    args = ["report", str(class_json), "--format", "canvas", "--roster", str(roster)]
    late = ["--due", "2026-12-01T23:59+00:00", "--late-penalty", "10%/day"]
    code, out, err = run(*args, *late, "--times", str(times))
    assert code == 0, err
    alice = json.loads(class_json.read_text())[0]
    assert alice["submission"] == "alice"
    row = next(r for r in csv.reader(io.StringIO(out)) if r[1] == "100")
    # 1 day 12 h 1 min after the due date: 2 started days
    assert float(row[5]) == pytest.approx(round(alice["score"] * 0.8, 2))
    assert "alice: 2 days late, -20%" in err
    code, _, err = run(*args, *late)
    assert code == 2 and "--times FILE or --git-times ROOT" in err
    code, _, err = run(*args, "--due", "2026-12-01T23:59")
    assert code == 2 and "go together" in err
    times.write_text("folder,submitted\nalice,2026-12-03T12:00+00:00\n")
    code, _, err = run(*args, *late, "--times", str(times))
    assert code == 2 and "no submission time for bob" in err


def test_git_times_are_each_folder_last_commit(tmp_path: Path) -> None:
    root = tmp_path / "class"
    for name, day in (("kim", 2), ("lee", 5)):
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "tensors.py").write_text("x = 1\n")
        stamp = f"2026-12-0{day}T10:00:00+00:00"
        env = {
            **os.environ,
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
            "GIT_AUTHOR_NAME": "s",
            "GIT_AUTHOR_EMAIL": "s@example.invalid",
            "GIT_COMMITTER_NAME": "s",
            "GIT_COMMITTER_EMAIL": "s@example.invalid",
        }
        for command in (["init", "-q"], ["add", "."], ["commit", "-qm", "work"]):
            subprocess.run(["git", "-C", str(folder), *command], check=True, env=env)
    (root / "nogit").mkdir()
    times = gradebook.git_times(root, ["kim", "lee", "nogit", "absent"])
    assert times == {
        "kim": datetime(2026, 12, 2, 10, tzinfo=timezone.utc),
        "lee": datetime(2026, 12, 5, 10, tzinfo=timezone.utc),
    }
