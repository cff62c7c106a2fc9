"""Gradescope's autograder ``results.json``: the total score and one test per check.

Follows the documented output format (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
top-level ``score``, ``output``, ``visibility``, ``stdout_visibility`` and ``tests``, each
test with ``name``, ``score``, ``max_score``, ``status`` (``passed``/``failed``),
``output``, ``visibility`` and a ``number`` that keeps the course order. An exercise not
submitted, or not loadable before any check ran, is one failed test worth its 100 points.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from nnlab.report.csv_report import number
from nnlab.results import Report

VISIBILITY = "visible"


def _points(value: float) -> float:
    return round(value + 0.0, 2)


def results(report: Report) -> dict[str, Any]:
    tests: list[dict[str, Any]] = []
    summary: list[str] = []
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
                    "max_score": _points(exercise.max_score),
                    "status": "failed",
                    "output": exercise.message,
                    "visibility": VISIBILITY,
                }
            )
            continue
        for index, check in enumerate(exercise.checks, start=1):
            output = check.message
            if check.status != "passed" and check.hint:
                output = f"{output}\nHint: {check.hint}" if output else f"Hint: {check.hint}"
            kind = " (speed)" if check.kind == "speed" else ""
            tests.append(
                {
                    "name": f"{exercise.exercise} › {check.name}{kind}",
                    "number": f"{position}.{index}",
                    "score": _points(check.score),
                    "max_score": _points(check.max_score),
                    "status": "passed" if check.status == "passed" else "failed",
                    "output": output,
                    "visibility": VISIBILITY,
                }
            )
    return {
        "score": _points(report.score),
        "output": f"nnlab: {number(report.score)}/{number(report.max_score)} points\n"
        + "\n".join(summary),
        "visibility": VISIBILITY,
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def render(report: Report) -> str:
    return json.dumps(results(report), indent=2, ensure_ascii=False) + "\n"


def render_batch(reports: Sequence[Report]) -> str:
    """Several submissions: a JSON object mapping each submission to its results.json."""
    combined = {report.submission: results(report) for report in reports}
    return json.dumps(combined, indent=2, ensure_ascii=False) + "\n"
