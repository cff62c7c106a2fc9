"""The report for people: one block per exercise, ✓/✗ per check, messages and hints."""

from __future__ import annotations

import textwrap

import click

from nnlab import catalog
from nnlab.results import CheckResult, ExerciseResult, Report

MARKS = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "⏱"}
COLOURS = {
    "passed": "green",
    "partial": "yellow",
    "failed": "red",
    "error": "red",
    "missing": "bright_black",
}


def _points(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value)}"


def _indent(text: str, prefix: str) -> str:
    return textwrap.indent(text, prefix)


def check_lines(check: CheckResult, width: int) -> list[str]:
    mark = MARKS.get(check.status, "?")
    score = f"{_points(check.score)}/{_points(check.max_score)}"
    name = check.name if check.status != "timeout" else f"{check.name} (timed out)"
    head = f"  {mark} {name}"
    line = head + " " * max(1, width - len(head) - len(score)) + score
    lines = [click.style(line, fg="green" if check.status == "passed" else "red")]
    if check.status != "passed":
        if check.message:
            lines.append(_indent(check.message, "      "))
        if check.hint:
            lines.append(_indent(f"hint: {check.hint}", "      "))
    return lines


def exercise_block(result: ExerciseResult, width: int = 78) -> str:
    try:
        title = catalog.get(result.exercise).title
    except LookupError:
        title = ""
    score = f"{_points(result.score)}/{_points(result.max_score)}  {result.status}"
    head = f"{result.exercise} — {title}" if title else result.exercise
    lines = [
        click.style(
            head + " " * max(1, width - len(head) - len(score)) + score,
            bold=True,
            fg=COLOURS.get(result.status),
        )
    ]
    if result.message:
        lines.append(_indent(result.message, "  "))
    if result.status == "error" and all(c.message.startswith("not run") for c in result.checks):
        return "\n".join(lines)
    correctness = [c for c in result.checks if c.kind != "speed"]
    speed = [c for c in result.checks if c.kind == "speed"]
    for check in correctness:
        lines += check_lines(check, width)
    if speed:
        lines.append("  speed (reported apart from correctness)")
        for check in speed:
            lines += check_lines(check, width)
    return "\n".join(lines)


def summary(report: Report) -> str:
    graded = [e for e in report.exercises if e.status != "missing"]
    passed = sum(1 for e in graded if e.status == "passed")
    lines = [
        f"Total: {_points(report.score)}/{_points(report.max_score)} — {passed} of {len(report.exercises)} exercises passed"
    ]
    first_failure = next(
        (
            (e, c)
            for e in report.exercises
            for c in e.checks
            if c.status != "passed" and not c.message.startswith("not run")
        ),
        None,
    )
    if first_failure:
        exercise, check = first_failure
        lines.append(
            f"Next: fix {check.function or exercise.exercise} in {exercise.file}, then run `nnlab grade {exercise.exercise}` again."
        )
    elif report.all_passed:
        lines.append("All checks passed. Well done!")
    return "\n".join(lines)


def render(report: Report) -> str:
    blocks = [exercise_block(result) for result in report.exercises]
    return "\n\n".join([*blocks, summary(report)]) + "\n"
