"""Exact points: whole hundredths shared by the largest-remainder method, the same sums in
every format, and `nnlab merge` of shards byte-identical to one grade-batch of the class."""

from __future__ import annotations

import csv
import io
import json
import shutil
import xml.etree.ElementTree as ET
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import BROKEN, SOLUTIONS

from nnlab import catalog, report
from nnlab.cli import cli
from nnlab.grading import collect_checks
from nnlab.results import CheckResult, ExerciseResult, Report, share

# NumPy exercises whose check weights do not divide 100 points evenly (dense: weights sum to
# 34, optimizers: 38): the shares that floats would round to 899.81 instead of 900
UNEVEN = ("dense", "optimizers")
FORMATS = ("json", "csv", "junit", "gradescope")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def dec(value: object) -> Decimal:
    return Decimal(str(value))


# --- sharing an exercise's points --------------------------------------------------------------


@pytest.mark.parametrize(
    "weights",
    [[1, 1, 1], [3, 5, 7], [2.0, 1.0, 1.0, 1.0, 1.0, 1.0], [1] * 30, [13, 1, 1], [0.5, 0.25], [7]],
)
def test_shares_add_up_exactly_and_stay_within_a_hundredth_of_the_quota(weights: list) -> None:
    shares = share(10000, weights)
    assert sum(shares) == 10000
    whole = sum(Fraction(w) for w in weights)
    for points, weight in zip(shares, weights, strict=True):
        assert abs(points - 10000 * Fraction(weight) / whole) < 1


def test_largest_remainders_get_the_spare_hundredths_and_ties_go_to_the_earlier_check() -> None:
    assert share(10000, [1, 1, 1]) == [3334, 3333, 3333]
    # quotas 2000.3.., 3333.3.., 4666.6..: the largest remainder (4666.6) takes the one left
    assert share(10000, [3, 5, 7]) == [2000, 3333, 4667]
    assert share(10000, []) == []


def test_every_exercise_of_the_course_shares_exactly_100_points() -> None:
    for exercise in catalog.EXERCISES:
        weights = [c.info.weight for c in collect_checks(exercise.slug) if c.info]
        assert weights, exercise.slug
        assert sum(share(10000, weights)) == 10000, exercise.slug


# --- every format adds up ----------------------------------------------------------------------


def thirds_report(name: str = "kim") -> Report:
    """Three exercises whose checks cannot each hold a whole number of hundredths' thirds."""
    statuses = ["passed", "failed", "passed", "error", "passed", "timeout", "passed"]
    thirds = ExerciseResult(
        "tensors",
        "tensors.py",
        "graded",
        checks=[CheckResult(f"c{i}", "f", "correctness", "passed", 1.0) for i in range(3)],
    ).finish()
    sevenths = ExerciseResult(
        "activations",
        "activations.py",
        "graded",
        checks=[
            CheckResult(f"check_{i}", "f", "correctness", status, float(i % 3 + 1))
            for i, status in enumerate(statuses * 2)  # 14 checks: numbers 2.01 ... 2.14
        ],
    ).finish()
    missing = ExerciseResult("losses", "losses.py", "missing", "losses.py was not submitted")
    return Report(name, [thirds, sevenths, missing.finish()])


def test_the_json_points_of_the_checks_add_up_to_every_score() -> None:
    data = json.loads(report.render(thirds_report(), "json"))
    assert data["score"] == 100 + float(thirds_report().exercises[1].score)
    for exercise in data["exercises"]:
        if exercise["checks"]:
            assert sum(dec(c["max_score"]) for c in exercise["checks"]) == 100
            assert sum(dec(c["score"]) for c in exercise["checks"]) == dec(exercise["score"])
    assert sum(dec(e["score"]) for e in data["exercises"]) == dec(data["score"])
    assert data["exercises"][0]["checks"][0]["max_score"] == 33.34  # the spare hundredth


def test_the_csv_total_is_the_sum_of_its_columns() -> None:
    rows = list(csv.reader(io.StringIO(report.render(thirds_report(), "csv"))))
    total, *columns = rows[1][1:]
    assert sum(dec(c) for c in columns) == dec(total)
    assert dec(total) == dec(thirds_report().score)


def test_the_gradescope_tests_add_up_to_the_score_and_numbers_never_collide() -> None:
    data = json.loads(report.render(thirds_report(), "gradescope"))
    tests = data["tests"]
    assert sum(dec(t["score"]) for t in tests) == dec(data["score"])
    assert sum(dec(t["max_score"]) for t in tests) == 300
    numbers = [t["number"] for t in tests]
    assert "2.03" in numbers and "2.10" in numbers and "2.3" not in numbers
    assert len({Decimal(n) for n in numbers}) == len(numbers)  # 2.3 and 2.30 would be equal
    assert [Decimal(n) for n in numbers] == sorted(Decimal(n) for n in numbers)


def test_the_junit_cases_carry_points_that_add_up_to_their_suite() -> None:
    root = ET.fromstring(report.render(thirds_report(), "junit"))
    for suite in root.findall("testsuite"):
        props = {p.get("name"): p.get("value") for p in suite.findall("properties/property")}
        cases = suite.findall("testcase")
        points = [
            {p.get("name"): dec(p.get("value")) for p in case.findall("properties/property")}
            for case in cases
        ]
        assert sum(p["score"] for p in points) == dec(props["score"])
        assert sum(p["max_score"] for p in points) == dec(props["max_score"]) == 100


def test_a_report_read_back_is_the_same_report_to_the_byte() -> None:
    for format_name in FORMATS:
        original = report.render_batch([thirds_report("a"), thirds_report("b")], format_name)
        data = json.loads(report.render_batch([thirds_report("a"), thirds_report("b")], "json"))
        again = report.render_batch([Report.from_dict(r) for r in data], format_name)
        assert again == original, format_name


# --- merge of shards == one grade-batch --------------------------------------------------------


def uneven_class(root: Path) -> None:
    """Model answers, a broken answer, a missing file, a syntax error, an empty folder."""
    dense, optimizers = UNEVEN
    layout = {
        "ada": {dense: SOLUTIONS / "dense.py", optimizers: SOLUTIONS / "optimizers.py"},
        "ben": {dense: BROKEN / "dense" / "grad_bias_mean.py"},  # optimizers missing
        "cleo": {
            dense: SOLUTIONS / "dense.py",
            optimizers: BROKEN / "optimizers" / "rmsprop_rho_swapped.py",
        },
        "dan": {optimizers: SOLUTIONS / "optimizers.py"},
        "eve": {},
        "fay": {dense: SOLUTIONS / "dense.py", optimizers: SOLUTIONS / "optimizers.py"},
    }
    for name, files in layout.items():
        (root / name).mkdir(parents=True)
        for slug, source in files.items():
            shutil.copyfile(source, root / name / f"{slug}.py")
    (root / "gus").mkdir()
    (root / "gus" / "dense.py").write_text("def forward(:\n")


@pytest.fixture(scope="module")
def uneven(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("uneven") / "class"
    uneven_class(root)
    return root


def test_merged_shards_are_byte_identical_to_one_grade_batch(uneven: Path, tmp_path: Path) -> None:
    whole = tmp_path / "whole.json"
    code, _, err = run(
        "grade-batch", str(uneven), "--jobs", "2", "--format", "json", "--out", str(whole)
    )
    assert code == 1, err
    records = json.loads(whole.read_text())
    by_name = {r["submission"]: r for r in records}
    # full marks are exactly 200 (not 199.99...): the uneven shares add up
    assert by_name["ada"]["score"] == by_name["fay"]["score"] == 200
    assert 0 < by_name["ben"]["score"] < 100 and by_name["eve"]["score"] == 0
    shards = []
    for k in (1, 2, 3):
        target = tmp_path / f"shard-{k}.json"
        code, _, err = run(
            "grade-batch",
            str(uneven),
            "--shard",
            f"{k}/3",
            "--format",
            "json",
            "--out",
            str(target),
        )
        assert code in (0, 1), err
        shards.append(str(target))
    assert sum(len(json.loads(Path(s).read_text())) for s in shards) == len(records)
    assert min(len(json.loads(Path(s).read_text())) for s in shards) < len(records)
    for format_name in FORMATS:
        merged = tmp_path / f"merged.{format_name}"
        code, _, err = run(
            "merge", *reversed(shards), "--format", format_name, "--out", str(merged)
        )
        assert code == 0, err
        one = tmp_path / f"one.{format_name}"
        if format_name == "json":
            one = whole
        else:
            code, _, err = run(
                "grade-batch", str(uneven), "--format", format_name, "--out", str(one)
            )
            assert code == 1, err
        assert merged.read_bytes() == one.read_bytes(), format_name
