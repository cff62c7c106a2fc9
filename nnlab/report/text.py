"""The report for people: one block per exercise, ✓/✗ per check, messages and hints."""

from __future__ import annotations

import textwrap

import click

from nnlab import catalog
from nnlab.results import CheckResult, ExerciseResult, Report

MARKS = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "⏱", "grader_error": "‼"}
COLOURS = {
    "passed": "green",
    "partial": "yellow",
    "failed": "red",
    "error": "red",
    "missing": "bright_black",
    "grader_error": "magenta",
}


def _points(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value)}"


def _indent(text: str, prefix: str) -> str:
    return textwrap.indent(text, prefix)


def check_lines(check: CheckResult, width: int, repeated: bool = False) -> list[str]:
    """The check's line with its points, then (unless `repeated`) its message and hint.

    `repeated` marks a check that failed with the very message shown just above it (a
    function that is not written yet, or raises the same error every time): one copy of
    the message is enough, so the line says so instead of repeating it.
    """
    mark = MARKS.get(check.status, "?")
    score = f"{_points(check.score)}/{_points(check.max_score)}"
    name = check.name if check.status != "timeout" else f"{check.name} (timed out)"
    head = f"  {mark} {name}" + ("  (as above)" if repeated else "")
    line = head + " " * max(1, width - len(head) - len(score)) + score
    lines = [click.style(line, fg="green" if check.status == "passed" else "red")]
    if check.status != "passed" and not repeated:
        if check.message:
            lines.append(_indent(check.message, "      "))
        if check.hint:
            lines.append(_indent(f"hint: {check.hint}", "      "))
    return lines


def repeats(checks: list[CheckResult]) -> list[bool]:
    """For each check, whether it failed with the very message of the failure just above it
    (an error or time-out: a function not written yet, the same exception every time)."""
    flags = []
    shown = ""  # the failure message shown last, while the run of failures lasts
    for check in checks:
        flags.append(
            check.status in ("error", "timeout") and bool(check.message) and check.message == shown
        )
        shown = check.message if check.status != "passed" else ""
    return flags


def _check_block(checks: list[CheckResult], width: int) -> list[str]:
    lines: list[str] = []
    for check, repeated in zip(checks, repeats(checks), strict=True):
        lines += check_lines(check, width, repeated=repeated)
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
    if not_loaded(result):
        return "\n".join(lines)
    correctness = [c for c in result.checks if c.kind != "speed"]
    speed = [c for c in result.checks if c.kind == "speed"]
    lines += _check_block(correctness, width)
    if speed:
        lines.append("  speed (reported apart from correctness)")
        lines += _check_block(speed, width)
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
            if c.status not in ("passed", "grader_error") and not c.message.startswith("not run")
        ),
        None,
    )
    unloadable = next((e for e in report.exercises if not_loaded(e)), None)
    if unloadable:
        lines.append(
            f"Next: fix the problem in {unloadable.file} shown above, then run "
            f"`nnlab grade {unloadable.exercise}` again."
        )
    elif first_failure:
        exercise, check = first_failure
        verb = "write" if "not implemented yet" in check.message else "fix"
        lines.append(
            f"Next: {verb} {check.function or exercise.exercise} in {exercise.file}, then run "
            f"`nnlab grade {exercise.exercise}` again."
        )
    elif report.all_passed:
        lines.append("All checks passed. Well done!" + _next_exercise(report))
    elif any(e.status == "missing" for e in report.exercises):
        missing = next(e for e in report.exercises if e.status == "missing")
        lines.append(f"Next: `nnlab start {missing.exercise}` writes the next exercise to do.")
    return "\n".join(lines)


def _next_exercise(report: Report) -> str:
    """Where to go after the furthest exercise graded, in course order."""
    slugs = catalog.slugs()
    graded = [slugs.index(e.exercise) for e in report.exercises if e.exercise in slugs]
    if not graded:
        return ""
    following = max(graded) + 1
    if following == len(slugs):
        return " That was the last exercise of the course."
    slug = slugs[following]
    if slug in {e.exercise for e in report.exercises}:
        return ""
    return f" Next exercise: `nnlab start {slug}`."


def not_loaded(result: ExerciseResult) -> bool:
    """The file could not be loaded at all (syntax error, crash or time-out at import)."""
    return result.status == "error" and all(c.message.startswith("not run") for c in result.checks)


def render(report: Report) -> str:
    blocks = [exercise_block(result) for result in report.exercises]
    return "\n\n".join([*blocks, summary(report)]) + "\n"
