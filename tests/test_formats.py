"""One in-memory report, many formats: JSON, CSV, JUnit XML, Gradescope results.json; and merge."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from classroom import make_class, needs_slugs, validate_gradescope, validate_report
from click.testing import CliRunner

from nnlab import catalog, report
from nnlab.cli import cli
from nnlab.results import CheckResult, ExerciseResult, Report


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def made_up_report(name: str = "alice") -> Report:
    """A report built by hand: the writers only read it, nothing is graded."""
    passed = CheckResult("values_match", "sigmoid", "correctness", "passed", 2.0)
    failed = CheckResult(
        "stable_for_large_inputs",
        "sigmoid",
        "correctness",
        "failed",
        1.0,
        message="sigmoid(-1000.0) overflowed\nexpected 0.0, got nan",
        hint="Use the form that never calls exp on a large positive number.",
    )
    slow = CheckResult(
        "fast_enough", "relu", "speed", "timeout", 1.0, message="relu did not finish within 10 s"
    )
    strange = CheckResult(
        "odd_output",
        "relu",
        "correctness",
        "error",
        1.0,
        message="ValueError: bad \x00 byte \x1b[31m",
    )
    activations = ExerciseResult(
        "activations", "activations.py", "graded", checks=[passed, failed, slow, strange]
    ).finish()
    tensors = ExerciseResult(
        "tensors", "tensors.py", "error", "SyntaxError in tensors.py, line 3: invalid syntax"
    ).finish()
    losses = ExerciseResult(
        "losses", "losses.py", "missing", "losses.py was not submitted"
    ).finish()
    return Report(name, [tensors, activations, losses])


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    slugs = needs_slugs()
    root = tmp_path_factory.mktemp("class")
    make_class(root, slugs)
    code, out, _ = run("grade-batch", str(root), "--format", "json")
    assert code == 1
    return root, json.loads(out)


# --- every writer on a made-up report --------------------------------------------------------


def test_every_registered_writer_renders_without_grading() -> None:
    made_up = made_up_report()
    for name in report.WRITERS:
        assert report.render(made_up, name)
    for name in report.BATCH_WRITERS:
        assert report.render_batch([made_up, made_up_report("bob")], name)


def test_json_follows_the_schema_kept_in_the_repository() -> None:
    data = json.loads(report.render(made_up_report(), "json"))
    validate_report(data)
    batch = json.loads(report.render_batch([made_up_report(), made_up_report("bob")], "json"))
    validate_report(batch, batch=True)


def test_csv_row_is_submission_total_then_every_exercise() -> None:
    rows = list(csv.reader(io.StringIO(report.render(made_up_report(), "csv"))))
    present = ["tensors", "activations", "losses"]
    assert rows[0] == ["submission", "total", *[s for s in catalog.slugs() if s in present]]
    made_up = made_up_report()
    assert rows[1][0] == "alice"
    assert float(rows[1][1]) == pytest.approx(made_up.score, abs=0.01)
    assert float(rows[1][3]) == pytest.approx(made_up.exercises[1].score, abs=0.01)
    assert rows[1][2] == "0" and rows[1][4] == "0"


def test_csv_keeps_names_that_look_like_formulas_inert() -> None:
    text = report.render_batch([made_up_report("=HYPERLINK(1)"), made_up_report("@x")], "csv")
    names = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert names == ["'=HYPERLINK(1)", "'@x"]


def test_junit_has_a_suite_per_exercise_and_a_case_per_check() -> None:
    made_up = made_up_report()
    root = ET.fromstring(report.render(made_up, "junit"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["tensors", "activations", "losses"]
    activations = suites[1]
    cases = activations.findall("testcase")
    assert [c.get("name") for c in cases] == [c.name for c in made_up.exercises[1].checks]
    assert cases[0].find("failure") is None and cases[0].find("error") is None
    failure = cases[1].find("failure")
    assert failure is not None
    assert failure.get("message") == "sigmoid(-1000.0) overflowed"
    assert "expected 0.0, got nan" in failure.text and "hint: Use the form" in failure.text
    assert cases[2].find("error") is not None and cases[3].find("error") is not None
    assert "\x00" not in ET.tostring(root, encoding="unicode")
    assert (activations.get("tests"), activations.get("failures"), activations.get("errors")) == (
        "4",
        "1",
        "2",
    )
    assert suites[0].find("testcase/error").get("message").startswith("SyntaxError")
    assert suites[2].find("testcase/failure").get("message") == "losses.py was not submitted"
    assert root.get("tests") == "6" and root.get("failures") == "2" and root.get("errors") == "3"


def test_junit_batch_names_suites_by_submission() -> None:
    root = ET.fromstring(report.render_batch([made_up_report(), made_up_report("bob")], "junit"))
    names = [s.get("name") for s in root.findall("testsuite")]
    assert names[:3] == ["alice/tensors", "alice/activations", "alice/losses"]
    assert names[3:] == ["bob/tensors", "bob/activations", "bob/losses"]


def test_gradescope_results_follow_the_documented_format() -> None:
    made_up = made_up_report()
    data = json.loads(report.render(made_up, "gradescope"))
    validate_gradescope(data)
    assert data["score"] == pytest.approx(made_up.score, abs=0.01)
    tests = data["tests"]
    assert sum(t["score"] for t in tests) == pytest.approx(data["score"], abs=0.05)
    assert sum(t["max_score"] for t in tests) == pytest.approx(made_up.max_score, abs=0.05)
    assert {t["status"] for t in tests} == {"passed", "failed"}
    stable = next(t for t in tests if t["name"].endswith("stable_for_large_inputs"))
    assert stable["status"] == "failed" and "Hint: Use the form" in stable["output"]
    assert any(t["name"] == "losses: not submitted" for t in tests)
    assert any(t["name"].endswith("(speed)") for t in tests)


# --- real gradings through the CLI -----------------------------------------------------------


@pytest.mark.parametrize("format_name", ["junit", "gradescope", "json", "csv"])
def test_grade_writes_every_machine_format_for_one_folder(tmp_path: Path, format_name: str) -> None:
    slugs = needs_slugs()
    root = tmp_path / "class"
    make_class(root, slugs)
    target = tmp_path / f"report.{format_name}"
    code, _, _ = run(
        "grade",
        "--all",
        "--dir",
        str(root / "alice"),
        "--no-progress",
        "--format",
        format_name,
        "--out",
        str(target),
    )
    assert code == 1  # the exercises not written yet are missing
    text = target.read_text()
    if format_name == "junit":
        suites = ET.fromstring(text).findall("testsuite")
        assert [s.get("name") for s in suites] == catalog.slugs()
    elif format_name == "gradescope":
        validate_gradescope(json.loads(text))
    elif format_name == "json":
        validate_report(json.loads(text))
    else:
        assert text.splitlines()[0] == "submission,total," + ",".join(catalog.slugs())


# --- merge -----------------------------------------------------------------------------------


def test_merged_shards_equal_the_whole_class(
    graded: tuple[Path, list[dict]], tmp_path: Path
) -> None:
    root, whole = graded
    files = []
    for k in (1, 2):
        target = tmp_path / f"shard-{k}.json"
        code, _, _ = run(
            "grade-batch", str(root), "--shard", f"{k}/2", "--format", "json", "--out", str(target)
        )
        assert code in (0, 1)
        files.append(str(target))
    code, out, _ = run("merge", *reversed(files), "--format", "json")
    assert code == 0
    assert json.loads(out) == whole
    code, out, _ = run("merge", *files, "--format", "csv")
    assert code == 0
    expected = report.render_batch([Report.from_dict(r) for r in whole], "csv")
    assert out == expected
    assert [line.split(",")[0] for line in out.splitlines()[1:]] == [r["submission"] for r in whole]


def test_merge_accepts_single_reports_too(tmp_path: Path) -> None:
    for name in ("bob", "alice"):
        (tmp_path / f"{name}.json").write_text(report.render(made_up_report(name), "json"))
    code, out, _ = run(
        "merge", str(tmp_path / "bob.json"), str(tmp_path / "alice.json"), "--format", "json"
    )
    assert code == 0
    assert [r["submission"] for r in json.loads(out)] == ["alice", "bob"]


def _one_line_error(args: list[str], *fragments: str) -> None:
    code, out, err = run("merge", *args)
    assert code == 2 and out == ""
    assert err.startswith("nnlab: error: ") and len(err.strip().splitlines()) == 1
    for fragment in fragments:
        assert fragment in err


def test_merge_rejects_duplicates_versions_and_other_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    first.write_text(report.render_batch([made_up_report("alice"), made_up_report("bob")], "json"))
    second.write_text(report.render_batch([made_up_report("bob")], "json"))
    _one_line_error([str(first), str(second)], "duplicate submission 'bob'", "a.json", "b.json")
    older = json.loads(second.read_text())
    older[0]["submission"] = "carol"
    older[0]["nnlab_version"] = "0.0.1"
    second.write_text(json.dumps(older))
    _one_line_error([str(first), str(second)], "mismatched versions", "0.0.1")
    second.write_text('{"score": 3}')
    _one_line_error([str(first), str(second)], "not an nnlab JSON report")
    second.write_text("submission,total\n")
    _one_line_error([str(first), str(second)], "not JSON")
