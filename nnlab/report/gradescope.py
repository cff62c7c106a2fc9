"""Gradescope's autograder ``results.json``: the total score and one test per check.

Follows the documented output format (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
top-level ``score``, ``output``, ``visibility``, ``stdout_visibility`` and ``tests``, each
test with ``name``, ``score``, ``max_score``, ``status`` (``passed``/``failed``),
``output``, ``visibility`` and a ``number`` that keeps the course order. An exercise not
submitted, or not loadable before any check ran, is one failed test worth its 100 points.

Each test carries its check's visibility (see :mod:`nnlab.visibility`: the course's checks
``visible``, an instructor's private ones ``after_published`` unless set otherwise).
``hide_details`` keeps the checks' messages and hints out of what students see: each test's
``output`` then only says whether it passed, and the details go to the test's
``extra_data`` (stored by Gradescope, never shown to students).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from nnlab.report.csv_report import number
from nnlab.report.text import sandbox_line
from nnlab.results import Report
from nnlab.text import valid_unicode

VISIBILITY = "visible"
HIDDEN_DETAILS = {
    "failed": "This check failed (details are not shown).",
    "error": "Your code raised an error in this check (details are not shown).",
    "timeout": "This check ran out of time.",
    "grader_error": "This check could not be run (a problem of the grader, not of your code).",
    "blocked": "An earlier check of the same function failed: fix that one first.",
}


def results(
    report: Report, *, hide_details: bool = False, no_hints: bool = False
) -> dict[str, Any]:
    """``no_hints`` leaves the hints (level 1) out of what students see. Every test's ``score`` is the check's exact points (whole hundredths, see
    :mod:`nnlab.results`), so the tests add up to the top-level ``score`` exactly.

    Test numbers are ``exercise.check`` with the check's index zero-padded to one width for
    the whole report (``2.03``, ``2.30``): read as decimals, as Gradescope sorts them, no two
    are equal and they keep the course order.
    """
    tests: list[dict[str, Any]] = []
    summary: list[str] = []
    width = len(str(max((len(exercise.checks) for exercise in report.exercises), default=1)))
    for position, exercise in enumerate(report.exercises, start=1):
        summary.append(
            f"{exercise.exercise}: {number(exercise.score)}/{number(exercise.max_score)} "
            f"({exercise.status})" + (f" — {exercise.message}" if exercise.message else "")
        )
        if exercise.status == "missing" or not exercise.checks:
            state = "not submitted" if exercise.status == "missing" else "could not be graded"
            tests.append(
                {
                    "name": f"{exercise.exercise}: {state}",
                    "number": f"{position}",
                    "score": 0.0,
                    "max_score": exercise.max_score,
                    "status": "failed",
                    "output": exercise.message,
                    "visibility": VISIBILITY,
                }
            )
            continue
        for index, check in enumerate(exercise.checks, start=1):
            output = check.message
            if check.status != "passed" and check.hint and not no_hints:
                output = f"{output}\nHint: {check.hint}" if output else f"Hint: {check.hint}"
            kind = " (speed)" if check.kind == "speed" else ""
            test = {
                "name": f"{exercise.exercise} › {check.name}{kind}",
                "number": f"{position}.{index:0{width}d}",
                "score": check.score,
                "max_score": check.max_score,
                "status": "passed" if check.status == "passed" else "failed",
                "output": output,
                "visibility": check.visibility,
            }
            if hide_details and output:
                test["output"] = HIDDEN_DETAILS.get(check.status, HIDDEN_DETAILS["failed"])
                test["extra_data"] = {"output": output}
            tests.append(test)
    return {
        "score": report.score,
        "output": f"nnlab: {number(report.score)}/{number(report.max_score)} points\n"
        + "".join(f"{line}\n" for line in [sandbox_line(report.sandbox)] if line)
        + "\n".join(summary),
        "visibility": VISIBILITY,
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def render(report: Report, *, hide_details: bool = False, no_hints: bool = False) -> str:
    shown = results(report, hide_details=hide_details, no_hints=no_hints)
    rendered = json.dumps(shown, indent=2, ensure_ascii=False)
    return valid_unicode(rendered + "\n")


def render_batch(
    reports: Sequence[Report], *, hide_details: bool = False, no_hints: bool = False
) -> str:
    """Several submissions: a JSON object mapping each submission to its results.json."""
    combined = {
        report.submission: results(report, hide_details=hide_details, no_hints=no_hints)
        for report in reports
    }
    return valid_unicode(json.dumps(combined, indent=2, ensure_ascii=False) + "\n")
