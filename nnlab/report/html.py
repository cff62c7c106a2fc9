"""The report as HTML, for notebooks: the same content as the text report, in a table.

Everything that comes from a grading (messages, hints, file names) is escaped: a
learner's exception message must never become markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from nnlab import catalog
from nnlab.report import text
from nnlab.results import CheckResult, ExerciseResult, Report
from nnlab.text import valid_unicode

COLOURS = {
    "passed": "#1a7f37",
    "partial": "#9a6700",
    "failed": "#cf222e",
    "error": "#cf222e",
    "timeout": "#cf222e",
    "missing": "#6e7781",
    "grader_error": "#8250df",
    "blocked": "#6e7781",
}
CELL = "padding:2px 8px;text-align:left;vertical-align:top;border:none"
PRE = "margin:2px 0;white-space:pre-wrap;font-family:monospace;font-size:90%"


def _check_rows(
    check: CheckResult, repeated: bool = False, help: list[str] | None = None
) -> list[str]:
    """The check's row, then (unless it repeats the failure above it) its message and hint,
    or the lines of ``help`` (the learner's own report: commands, hint levels revealed)."""
    colour = COLOURS.get(check.status, COLOURS["failed"])
    name = check.name if check.status != "timeout" else f"{check.name} (timed out)"
    if repeated:
        name += "  (as above)"
    score = f"{text._points(check.score)}/{text._points(check.max_score)}"
    rows = [
        f'<tr><td style="{CELL};color:{colour}">{escape(text.MARKS.get(check.status, "?"))}</td>'
        f'<td style="{CELL}"><code>{escape(name)}</code></td>'
        f'<td style="{CELL};color:#6e7781">{escape(check.function)}</td>'
        f'<td style="{CELL};text-align:right">{score}</td></tr>'
    ]
    if check.status == "blocked":  # no hint: the check named holds this failure's cause
        details = f'<div style="color:#6e7781">{escape(text.blocked_text(check))}</div>'
        rows.append(
            f'<tr><td style="{CELL}"></td><td colspan="3" style="{CELL}">{details}</td></tr>'
        )
    elif check.status != "passed" and not repeated:
        details = f'<pre style="{PRE}">{escape(check.message)}</pre>' if check.message else ""
        if help is not None:
            details += "".join(
                f'<div style="color:#6e7781"><code>{escape(line)}</code></div>' for line in help
            )
        elif check.hint:
            details += f'<div style="color:#6e7781"><b>hint:</b> {escape(check.hint)}</div>'
        if details:
            rows.append(
                f'<tr><td style="{CELL}"></td><td colspan="3" style="{CELL}">{details}</td></tr>'
            )
    return rows


def exercise_html(
    result: ExerciseResult,
    *,
    score: float | None = None,
    note: str = "",
    revealed: Mapping[str, int] | None = None,
) -> str:
    """The exercise's block; ``score`` overrides the points shown (a student's feedback shows
    the exercise's real score beside only the checks they may see) and ``note`` ends it.
    ``revealed`` (the learner's own report, in a notebook): under a failure, the `%nnlab`
    commands for a hint and the failing call, and the hint levels already revealed."""

    def help(check: CheckResult) -> list[str] | None:
        if revealed is None:
            return None
        lines = text.help_lines(check, result.exercise, revealed.get(check.name, 0))
        return [line.replace(": nnlab ", ": %nnlab ", 1) for line in lines]

    try:
        title = catalog.get(result.exercise).title
    except LookupError:
        title = ""
    colour = COLOURS.get(result.status, "#000")
    head = escape(f"{result.exercise} — {title}" if title else result.exercise)
    points = result.score if score is None else score
    score_text = f"{text._points(points)}/{text._points(result.max_score)}"
    parts = [
        f'<div style="margin:0.6em 0"><div style="font-weight:bold;color:{colour}">{head}'
        f'<span style="float:right">{score_text} {escape(result.status)}</span></div>'
    ]
    if result.message:
        parts.append(f'<pre style="{PRE};color:{colour}">{escape(result.message)}</pre>')
    not_run = result.status == "error" and all(
        c.message.startswith("not run") for c in result.checks
    )
    if result.checks and not not_run:
        rows: list[str] = []
        correctness = [c for c in result.checks if c.kind != "speed"]
        speed = [c for c in result.checks if c.kind == "speed"]
        for check, repeated in zip(correctness, text.repeats(correctness), strict=True):
            rows += _check_rows(check, repeated, help(check))
        if speed:
            rows.append(
                f'<tr><td colspan="4" style="{CELL};font-style:italic">'
                "speed (reported apart from correctness)</td></tr>"
            )
            for check in speed:
                rows += _check_rows(check, help=help(check))
        parts.append(f'<table style="border-collapse:collapse;width:100%">{"".join(rows)}</table>')
    if note:
        parts.append(f'<div style="color:#6e7781;font-style:italic">{escape(note)}</div>')
    parts.append("</div>")
    return valid_unicode("".join(parts))


def render(report: Report, *, revealed: Mapping[str, Mapping[str, int]] | None = None) -> str:
    """The report; with ``revealed`` (exercise -> check -> levels), the learner's own: see
    :func:`exercise_html`."""
    blocks = [
        exercise_html(
            result, revealed=None if revealed is None else revealed.get(result.exercise, {})
        )
        for result in report.exercises
    ]
    summary = escape(text.summary(report)).replace("\n", "<br>")
    isolation = text.sandbox_line(report.sandbox)
    header = f'<div style="margin-bottom:0.6em">{escape(isolation)}</div>' if isolation else ""
    return valid_unicode(
        '<div class="nnlab-report" style="font-family:sans-serif;line-height:1.35">'
        + header
        + "".join(blocks)
        + f'<div style="margin-top:0.6em;font-weight:bold">{summary}</div></div>'
    )
