"""The report for people: one block per exercise, ✓/✗ per check, messages and hints.

Messages are shown through :func:`nnlab.text.clean`: whatever a learner's code put in
them, an escape sequence prints as inert text and cannot repaint the terminal.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import click

from nnlab import catalog
from nnlab.results import HUNDREDTHS, CheckResult, ExerciseResult, Report
from nnlab.text import clean, valid_unicode

MARKS = {
    "passed": "✓",
    "failed": "✗",
    "error": "!",
    "timeout": "⏱",
    "grader_error": "‼",
    "blocked": "·",
}
COLOURS = {
    "passed": "green",
    "partial": "yellow",
    "failed": "red",
    "error": "red",
    "missing": "bright_black",
    "grader_error": "magenta",
}


def points(value: float) -> str:
    """Points as a report shows them: 21, 20.5, 33.33."""
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value)}"


_points = points


def _indent(text: str, prefix: str) -> str:
    return textwrap.indent(text, prefix)


def check_lines(
    check: CheckResult,
    width: int,
    repeated: bool = False,
    *,
    exercise: str = "",
    revealed: int = 0,
) -> list[str]:
    """The check's line with its points, then (unless `repeated`) its message and where help is.

    `repeated` marks a check that failed with the very message shown just above it (a
    function that is not written yet, or raises the same error every time): one copy of
    the message is enough, so the line says so instead of repeating it.

    Hints are shown on request: under a failure, the command that reveals the next level
    (`nnlab hint EXERCISE CHECK`); the ``revealed`` levels the learner has already asked
    for are shown again. Without ``exercise`` (a report read back, no command to give) the
    first level is shown as it is.
    """
    mark = MARKS.get(check.status, "?")
    score = f"{_points(check.score)}/{_points(check.max_score)}"
    name = check.name if check.status != "timeout" else f"{check.name} (timed out)"
    head = f"  {mark} {name}" + ("  (as above)" if repeated else "")
    line = head + " " * max(1, width - len(head) - len(score)) + score
    colour = {"passed": "green", "blocked": "bright_black"}.get(check.status, "red")
    lines = [click.style(line, fg=colour)]
    if check.status == "blocked":  # no hint: the check named holds this failure's cause
        lines.append(_indent(blocked_text(check), "      "))
    elif check.status != "passed" and not repeated:
        if check.message:
            lines.append(_indent(clean(check.message), "      "))
        lines += [_indent(clean(line), "      ") for line in help_lines(check, exercise, revealed)]
    return lines


def help_lines(check: CheckResult, exercise: str, revealed: int) -> list[str]:
    """The hint levels already revealed, the command for the next one, the repro command."""
    if check.status in ("blocked", "grader_error"):
        return []  # fix the check it waits for first; a grader error is not the learner's
    levels = [level for level in (check.hints or (check.hint,)) if level]
    if not exercise:
        return [f"hint: {levels[0]}"] if levels else []
    lines = []
    shown = min(revealed, len(levels))
    for number in range(1, shown + 1):
        lines.append(f"hint {number}/{len(levels)}: {levels[number - 1]}")
    if shown < len(levels):
        more = "more: " if shown else "hint: "
        lines.append(f"{more}nnlab hint {exercise} {check.name}")
    if check.failing_call is not None or _keras(exercise):
        lines.append(f"repro: nnlab repro {exercise} {check.name}")
    return lines


def blocked_text(check: CheckResult) -> str:
    """What a blocked check says: which failing check to fix first."""
    if not check.blocked_by:
        return check.message
    return f"blocked by {check.blocked_by} — fix {check.blocked_by} first"


def _keras(slug: str) -> bool:
    """A Keras exercise: `nnlab repro` builds the learner's model for any failing check."""
    try:
        return catalog.get(slug).uses_tensorflow
    except LookupError:
        return False


def repeats(checks: list[CheckResult]) -> list[bool]:
    """For each check, whether it failed with the very message of the failure just above it
    (an error or time-out: a function not written yet, the same exception every time)."""
    flags = []
    shown = ""  # the failure message shown last, while the run of failures lasts
    for check in checks:
        flags.append(
            check.status in ("error", "timeout") and bool(check.message) and check.message == shown
        )
        if check.status != "blocked":  # a blocked check's line does not repeat the cause
            shown = check.message if check.status != "passed" else ""
    return flags


def _check_block(checks: list[CheckResult], width: int, view: View) -> list[str]:
    """Every check (verbose), or one line per function whose checks all passed and the
    failing checks of the others in full, those blocked by the same check in one line."""
    lines: list[str] = []
    if view.verbose:
        shown = checks
    else:
        shown = []
        for function, group in _by_function(checks):
            failing = [c for c in group if c.status != "passed"]
            if not failing:
                shown.append(_FunctionLine(function or group[0].name, group))
            else:
                shown += [c for c in failing if c.status != "blocked"]
                blocked: dict[str, list[CheckResult]] = {}
                for check in failing:
                    if check.status == "blocked":
                        blocked.setdefault(check.blocked_by or check.message, []).append(check)
                shown += [_BlockedLine(cause, group) for cause, group in blocked.items()]
                passing = [c for c in group if c.status == "passed"]
                if passing:
                    count = f"{len(passing)} other check{'' if len(passing) == 1 else 's'}"
                    shown.append(_FunctionLine(f"{function or '?'} ({count})", passing))
    failures = [c for c in shown if isinstance(c, CheckResult)]
    flags = dict(zip(map(id, failures), repeats(failures), strict=True))
    for one in shown:
        if isinstance(one, (_FunctionLine, _BlockedLine)):
            lines.append(one.render(width))
            continue
        lines += check_lines(
            one,
            width,
            repeated=flags[id(one)],
            exercise=view.exercise,
            revealed=view.revealed.get(one.name, 0),
        )
    return lines


@dataclass
class View:
    """How a block is shown: every check or the quiet report, and for the hint commands the
    exercise and the levels already revealed (check name -> count)."""

    verbose: bool = False
    exercise: str = ""
    revealed: Mapping[str, int] = field(default_factory=dict)


@dataclass
class _FunctionLine:
    """One line for checks that all passed: ``✓ sigmoid  21/21``."""

    label: str
    checks: list[CheckResult]

    def render(self, width: int) -> str:
        earned = sum(check.points for check in self.checks) / HUNDREDTHS
        total = sum(check.max_points for check in self.checks) / HUNDREDTHS
        head, score = f"  ✓ {self.label}", f"{_points(earned)}/{_points(total)}"
        return click.style(head + " " * max(1, width - len(head) - len(score)) + score, fg="green")


@dataclass
class _BlockedLine:
    """Checks of one function blocked by the same failing check, in the quiet report:
    ``· 4 more checks blocked  0/20`` and which check to fix first."""

    cause: str
    checks: list[CheckResult]

    def render(self, width: int) -> str:
        total = sum(check.max_points for check in self.checks) / HUNDREDTHS
        count = len(self.checks)
        head = f"  · {count} more check{'' if count == 1 else 's'} blocked"
        score = f"0/{_points(total)}"
        line = head + " " * max(1, width - len(head) - len(score)) + score
        return (
            click.style(line, fg="bright_black")
            + "\n"
            + _indent(blocked_text(self.checks[0]), "      ")
        )


def _by_function(checks: list[CheckResult]) -> list[tuple[str, list[CheckResult]]]:
    groups: dict[str, list[CheckResult]] = {}
    for check in checks:
        groups.setdefault(check.function, []).append(check)
    return list(groups.items())


def exercise_block(
    result: ExerciseResult,
    width: int = 78,
    *,
    verbose: bool = True,
    revealed: Mapping[str, int] | None = None,
    commands: bool = False,
) -> str:
    """One exercise's block. ``verbose`` lists every check; otherwise a function whose
    checks all passed is one line. ``commands``: under a failure, the commands that reveal
    a hint and reproduce it (the learner's own report) instead of the first hint level."""
    view = View(verbose, result.exercise if commands else "", revealed or {})
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
        lines.append(_indent(clean(result.message), "  "))
    if not_loaded(result):
        return "\n".join(lines)
    correctness = [c for c in result.checks if c.kind != "speed"]
    speed = [c for c in result.checks if c.kind == "speed"]
    lines += _check_block(correctness, width, view)
    if speed:
        lines.append("  speed (reported apart from correctness)")
        lines += _check_block(speed, width, view)
    return "\n".join(lines)


def sandbox_line(sandbox: Mapping[str, Any] | None) -> str:
    """A report's header line when its grading ran with reduced isolation (its ``sandbox``:
    not root, no cgroups, ...; see nnlab.sandbox.isolation), "" otherwise: what was reduced,
    and where the guarantees are described."""
    sandbox = sandbox or {}
    if sandbox.get("isolation") != "reduced":
        return ""
    reduced = "; ".join(sandbox.get("reduced") or []) or "see the report's sandbox field"
    return f"sandbox: reduced isolation — {reduced} (see Trust model: docs/trust-model.md)"


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
            if c.status not in ("passed", "grader_error", "blocked")
            and not c.message.startswith("not run")
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


def render(
    report: Report,
    *,
    verbose: bool = True,
    commands: bool = False,
    revealed: Mapping[str, Mapping[str, int]] | None = None,
) -> str:
    """The whole report: every check (``verbose``) or the quiet report; under each failure
    its first hint level, or with ``commands`` the learner's hint and repro commands and
    the levels already ``revealed`` (exercise -> check -> count)."""
    revealed = revealed or {}
    blocks = [
        exercise_block(
            result,
            verbose=verbose,
            commands=commands,
            revealed=revealed.get(result.exercise, {}),
        )
        for result in report.exercises
    ]
    header = sandbox_line(report.sandbox)
    if header:
        blocks.insert(0, click.style(header, fg="bright_black"))
    return valid_unicode("\n\n".join([*blocks, summary(report)]) + "\n")
