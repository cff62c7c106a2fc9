"""Every check has a visibility (Gradescope's four values): set per check, per file, or by default."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from classroom import needs_slugs, validate_gradescope, validate_report
from click.testing import CliRunner
from conftest import SOLUTIONS

from nnlab import catalog, report, visibility
from nnlab.checks import check
from nnlab.cli import cli
from nnlab.results import CheckResult, ExerciseResult, Report


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def private_checks(folder: Path, slug: str, module_visibility: str | None) -> Path:
    """Three private checks: one with its own visibility, one failing with a hint, one plain."""
    folder.mkdir()
    function = catalog.get(slug).functions[0]
    header = f"VISIBILITY = {module_visibility!r}\n" if module_visibility else ""
    (folder / f"test_{slug}_private.py").write_text(
        "from nnlab.checks import check, fail\n"
        + header
        + f"\n@check({function!r}, hint='own', visibility='hidden')\n"
        "def test_private_own(learner):\n"
        "    pass\n"
        f"\n@check({function!r}, hint='the secret hint')\n"
        "def test_private_failing(learner):\n"
        "    fail('expected 42, got 41 (a secret input)')\n"
        f"\n@check({function!r}, hint='plain')\n"
        "def test_private_plain(learner):\n"
        "    pass\n"
    )
    return folder


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    slug = needs_slugs()[0]
    folder = tmp_path_factory.mktemp("solved")
    shutil.copyfile(SOLUTIONS / f"{slug}.py", folder / f"{slug}.py")
    return slug, folder


def grade_with_checks(slug: str, folder: Path, checks: Path) -> tuple[int, str, str]:
    """`nnlab grade` of the folder with the private checks, as JSON."""
    return run(
        "grade", slug, "--dir", str(folder), "--no-progress", "--format", "json",
        "--checks", str(checks),
    )  # fmt: skip


def grade_json(slug: str, folder: Path, checks: Path) -> dict:
    code, out, err = grade_with_checks(slug, folder, checks)
    assert code == 1, err  # the private failing check
    data = json.loads(out)
    validate_report(data)
    return data


def test_course_checks_are_visible_and_private_ones_after_published(
    solved: tuple[str, Path], tmp_path: Path
) -> None:
    slug, folder = solved
    data = grade_json(slug, folder, private_checks(tmp_path / "checks", slug, None))
    checks = {c["name"]: c["visibility"] for c in data["exercises"][0]["checks"]}
    private = {name: value for name, value in checks.items() if name.startswith("private_")}
    assert private == {
        "private_own": "hidden",
        "private_failing": "after_published",
        "private_plain": "after_published",
    }
    course = {value for name, value in checks.items() if name not in private}
    assert course == {"visible"}


def test_a_file_sets_the_visibility_of_its_checks_and_a_check_overrides_it(
    solved: tuple[str, Path], tmp_path: Path
) -> None:
    slug, folder = solved
    data = grade_json(slug, folder, private_checks(tmp_path / "checks", slug, "after_due_date"))
    checks = {c["name"]: c["visibility"] for c in data["exercises"][0]["checks"]}
    assert checks["private_own"] == "hidden"
    assert checks["private_failing"] == checks["private_plain"] == "after_due_date"


def test_gradescope_tests_carry_each_check_visibility_and_hide_details_on_request(
    solved: tuple[str, Path], tmp_path: Path
) -> None:
    slug, folder = solved
    checks = private_checks(tmp_path / "checks", slug, None)
    base = ["grade", slug, "--dir", str(folder), "--no-progress", "--checks", str(checks)]
    code, out, _ = run(*base, "--format", "gradescope")
    assert code == 1
    shown = json.loads(out)
    validate_gradescope(shown)
    by_name = {t["name"].split(" › ")[1]: t for t in shown["tests"]}
    assert by_name["private_own"]["visibility"] == "hidden"
    assert by_name["private_failing"]["visibility"] == "after_published"
    assert "the secret hint" in by_name["private_failing"]["output"]

    code, out, _ = run(*base, "--format", "gradescope", "--hide-details")
    assert code == 1
    hidden = json.loads(out)
    validate_gradescope(hidden)
    failing = next(t for t in hidden["tests"] if t["name"].endswith("private_failing"))
    assert "secret" not in failing["output"] and failing["output"]
    assert "the secret hint" in failing["extra_data"]["output"]  # kept for the instructor
    assert "secret" not in json.dumps({k: v for k, v in hidden.items() if k != "tests"})
    assert [t["score"] for t in hidden["tests"]] == [t["score"] for t in shown["tests"]]


def test_hide_details_is_refused_for_other_formats(solved: tuple[str, Path]) -> None:
    slug, folder = solved
    code, _, err = run("grade", slug, "--dir", str(folder), "--format", "json", "--hide-details")
    assert code == 2 and "--hide-details applies to --format gradescope only" in err
    with pytest.raises(ValueError, match="gradescope only"):
        report.render(Report("x"), "csv", hide_details=True)


def test_an_unknown_file_visibility_breaks_that_file_loudly(
    solved: tuple[str, Path], tmp_path: Path
) -> None:
    slug, folder = solved
    checks = private_checks(tmp_path / "checks", slug, "students")
    code, out, _ = grade_with_checks(slug, folder, checks)
    assert code == 3  # the instructor's file, not the learner's: the grading is unsound
    exercise = json.loads(out)["exercises"][0]
    assert exercise["status"] == "grader_error" and exercise["score"] == 0
    assert "VISIBILITY in test_" in exercise["message"] and "'students'" in exercise["message"]


def test_check_refuses_an_unknown_visibility() -> None:
    with pytest.raises(ValueError, match="after_published"):
        check("sigmoid", hint="h", visibility="public")
    assert check("sigmoid", hint="h", visibility="after_due_date")


def test_a_student_sees_visible_checks_and_released_ones_after_publication() -> None:
    assert visibility.shown("visible")
    assert not visibility.shown("after_published") and not visibility.shown("after_due_date")
    assert visibility.shown("after_published", released=True)
    assert not visibility.shown("hidden", released=True)


def test_visibility_survives_a_json_round_trip() -> None:
    checks = [
        CheckResult(f"c{i}", "f", "correctness", "passed", 1.0, visibility=value)
        for i, value in enumerate(visibility.VISIBILITIES)
    ]
    original = Report(
        "kim", [ExerciseResult("tensors", "tensors.py", "graded", checks=checks).finish()]
    )
    again = Report.from_dict(json.loads(json.dumps(original.to_dict())))
    assert [c.visibility for c in again.exercises[0].checks] == list(visibility.VISIBILITIES)
