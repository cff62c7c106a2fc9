"""One cause, one message: a check that fails after its `after` checks failed is `blocked`.

Graded through the real path (`nnlab.grading.grade` with an instructor's check file beside
the hidden checks), then written by every report writer.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from classroom import validate_report

from nnlab import report
from nnlab.grading import GradingOptions, grade
from nnlab.report import html
from nnlab.results import Report

ORDERED = """
import numpy as np
from nnlab.checks import check, expect_equal

@check("rank", hint="basic hint")
def test_order_basic(learner):
    expect_equal(learner.call("rank", np.zeros((2, 3))), 2)

@check("rank", hint="later hint")
def test_order_later(learner):
    expect_equal(learner.call("rank", np.zeros((4,))), 1)

@check("rank", after="test_order_later", hint="chained hint")
def test_order_chained(learner):
    expect_equal(learner.call("rank", np.zeros((6,))), 1)

@check("rank", after=(), hint="independent hint")
def test_order_independent(learner):
    expect_equal(learner.call("rank", np.zeros(())), 0)

@check("rank", hint="passes anyway")
def test_order_passes_whatever_rank_returns(learner):
    learner.call("rank", np.zeros((5, 5)))
"""

WRONG_EVERYWHERE = "def rank(x):\n    return 7\n"
WRONG_FOR_VECTORS = (
    "import numpy as np\n\ndef rank(x):\n    return 9 if np.ndim(x) == 1 else np.ndim(x)\n"
)


def graded(tmp_path: Path, answer: str, checks: str = ORDERED) -> Report:
    folder, private = tmp_path / "submission", tmp_path / "checks"
    folder.mkdir()
    private.mkdir()
    (folder / "tensors.py").write_text(answer)
    (private / "test_tensors_order.py").write_text(checks)
    options = GradingOptions(extra_check_dirs=[private])
    return grade(folder, ["tensors"], options=options)


def verdicts(result: Report) -> dict[str, tuple[str, str, str, float]]:
    return {
        c.name: (c.status, c.message, c.hint, c.score)
        for c in result.exercises[0].checks
        if c.name.startswith("order_")
    }


def test_a_failing_basic_check_blocks_the_later_ones_and_names_the_root(tmp_path: Path) -> None:
    got = verdicts(graded(tmp_path, WRONG_EVERYWHERE))
    assert got["order_basic"][:3] == ("failed", got["order_basic"][1], "basic hint")
    assert "returned 7; expected 2" in got["order_basic"][1]
    blocked = ("blocked", "blocked by order_basic: fix order_basic first", "", 0.0)
    assert got["order_later"] == blocked
    assert got["order_chained"] == blocked  # through order_later, to the root
    assert got["order_independent"][0] == "failed"  # after=(): its failure is its own
    assert got["order_independent"][2] == "independent hint"
    assert got["order_passes_whatever_rank_returns"][0] == "passed"  # a pass stays a pass
    assert got["order_passes_whatever_rank_returns"][3] > 0


def test_a_later_check_failing_on_its_own_keeps_its_message_and_hint(tmp_path: Path) -> None:
    got = verdicts(graded(tmp_path, WRONG_FOR_VECTORS))
    assert got["order_basic"][0] == "passed"
    status, message, hint, score = got["order_later"]
    assert (status, hint, score) == ("failed", "later hint", 0.0)
    assert "returned 9; expected 1" in message
    assert got["order_chained"][:3] == (
        "blocked",
        "blocked by order_later: fix order_later first",
        "",
    )
    assert got["order_independent"][0] == "passed"


def test_an_after_that_names_no_check_is_the_graders_error(tmp_path: Path) -> None:
    checks = ORDERED.replace('after="test_order_later"', 'after="order_latre"')
    got = verdicts(graded(tmp_path, WRONG_FOR_VECTORS, checks))
    status, message, _, _ = got["order_chained"]
    assert status == "grader_error"
    assert "after='order_latre', which is no check in test_tensors_order.py" in message


def test_blocked_is_not_passed_for_the_exercise(tmp_path: Path) -> None:
    result = graded(tmp_path, WRONG_FOR_VECTORS).exercises[0]
    assert result.status == "partial"
    blocked = [c for c in result.checks if c.status == "blocked"]
    assert blocked and all(c.score == 0 and c.hint == "" for c in blocked)


@pytest.fixture
def with_blocked(tmp_path: Path) -> Report:
    return graded(tmp_path, WRONG_EVERYWHERE)


def test_every_writer_shows_blocked_without_a_hint(with_blocked: Report) -> None:
    text = report.render(with_blocked, "text")
    line = next(i for i, row in enumerate(text.splitlines()) if "order_later" in row)
    shown = text.splitlines()[line + 1].strip()
    assert shown == "blocked by order_basic — fix order_basic first"
    assert "later hint" not in text and "chained hint" not in text
    page = html.render(with_blocked)
    assert "blocked by order_basic — fix order_basic first" in page and "later hint" not in page

    data = json.loads(report.render(with_blocked, "json"))
    validate_report(data)
    assert data["schema"] == "nnlab-report/2"
    later = next(c for c in data["exercises"][0]["checks"] if c["name"] == "order_later")
    assert (later["status"], later["hint"], later["blocked_by"]) == ("blocked", "", "order_basic")
    assert Report.from_dict(data).to_dict() == data  # merging shards keeps it

    suite = ET.fromstring(report.render(with_blocked, "junit")).find("testsuite")
    case = next(c for c in suite.iter("testcase") if c.get("name") == "order_later")
    assert case.find("skipped") is not None and case.find("failure") is None
    assert int(suite.get("skipped")) >= 2

    tests = json.loads(report.render(with_blocked, "gradescope"))["tests"]
    test = next(t for t in tests if t["name"].endswith("order_later"))
    assert (test["status"], test["score"]) == ("failed", 0.0)
    assert "Hint" not in test["output"]


def test_every_after_in_the_course_names_a_check_of_its_file() -> None:
    from nnlab import catalog
    from nnlab.grading import collect_checks

    for exercise in catalog.EXERCISES:
        checks = collect_checks(exercise.slug)
        names = {c.name for c in checks}
        for collected in checks:
            after = (collected.info.after if collected.info else None) or ()
            assert set(after) <= names, (collected.name, set(after) - names)
            assert collected.name not in after


def test_hint_starts_from_the_root_cause_not_from_a_blocked_check(tmp_path: Path) -> None:
    # shuffling the batch order first fails the batch-size check (earlier in the file),
    # which is blocked by the check that isolates the mistake (later in the file)
    from click.testing import CliRunner
    from conftest import BROKEN

    from nnlab.cli import cli

    (tmp_path / "optimizers.py").write_text(
        (BROKEN / "optimizers" / "minibatches_shuffle_the_batch_order.py").read_text()
    )
    runner = CliRunner()
    runner.invoke(cli, ["grade", "optimizers", "--dir", str(tmp_path)])
    shown = runner.invoke(cli, ["hint", "optimizers", "minibatches", "--dir", str(tmp_path)])
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith(
        "optimizers · minibatches_with_a_seed_mix_examples_across_batches"
    ), shown.output


def test_a_check_of_another_function_left_out_of_the_grading_blocks_nothing(
    tmp_path: Path,
) -> None:
    checks = ORDERED + (
        '\n@check("describe", hint="d")\ndef test_describe_first(learner):\n    pass\n'
        '\n@check("rank", after="describe_first", hint="x")\n'
        "def test_order_across(learner):\n"
        '    expect_equal(learner.call("rank", np.zeros((4,))), 1)\n'
    )
    folder, private = tmp_path / "submission", tmp_path / "checks"
    folder.mkdir()
    private.mkdir()
    (folder / "tensors.py").write_text(WRONG_FOR_VECTORS)
    (private / "test_tensors_order.py").write_text(checks)
    options = GradingOptions(extra_check_dirs=[private], functions=("rank",))
    got = verdicts(grade(folder, ["tensors"], options=options))
    assert got["order_across"][0] == "failed"  # its own failure: describe_first did not run
