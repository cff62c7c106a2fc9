"""One student's feedback page: the terminal report's content as HTML, their visible checks only.

A check the student may not see (``hidden``, or ``after_due_date``/``after_published``
before the grades are released; see :mod:`nnlab.visibility`) is left out, name, message
and hint alike; its points still count, so each exercise shows its real score and a line
says how many checks and points are not shown. Everything from the grading is escaped.
"""

from __future__ import annotations

import re
from dataclasses import replace
from html import escape

from nnlab import visibility
from nnlab.report import html, text
from nnlab.report.csv_report import number
from nnlab.results import CheckResult, ExerciseResult, Report
from nnlab.version import __version__


def shown_checks(exercise: ExerciseResult, *, released: bool = False) -> list[CheckResult]:
    return [c for c in exercise.checks if visibility.shown(c.visibility, released=released)]


def student_copy(report: Report, *, released: bool = False) -> Report:
    """The report with only the checks the student may see (statuses and messages kept)."""
    return Report(
        report.submission,
        [
            replace(exercise, checks=shown_checks(exercise, released=released))
            for exercise in report.exercises
        ],
    )


def _withheld_note(exercise: ExerciseResult, *, released: bool) -> str:
    withheld = [c for c in exercise.checks if not visibility.shown(c.visibility, released=released)]
    if not withheld:
        return ""
    count = len(withheld)
    earned = number(sum(c.score for c in withheld))
    possible = number(sum(c.max_score for c in withheld))
    return (
        f"{count} more check{'' if count == 1 else 's'} not shown here "
        f"(their results come later or stay with your instructor): {earned}/{possible} points"
    )


def body(report: Report, *, released: bool = False) -> str:
    """The report's HTML block (as in a notebook), the student's visible checks only."""
    copy = student_copy(report, released=released)
    blocks = [
        html.exercise_html(seen, score=real.score, note=_withheld_note(real, released=released))
        for real, seen in zip(report.exercises, copy.exercises, strict=True)
    ]
    # the total is the real one; the advice ("Next: fix ...") only names checks shown
    lines = [text.summary(report).splitlines()[0], *text.summary(copy).splitlines()[1:]]
    summary = "<br>".join(escape(line) for line in lines)
    return (
        '<div class="nnlab-report" style="font-family:sans-serif;line-height:1.35">'
        + "".join(blocks)
        + f'<div style="margin-top:0.6em;font-weight:bold">{summary}</div></div>'
    )


def page(report: Report, *, released: bool = False) -> str:
    """A whole HTML document for one student."""
    name = escape(report.submission)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Feedback: {name}</title></head>\n"
        '<body style="max-width:52em;margin:2em auto;padding:0 1em">\n'
        f'<h1 style="font-family:sans-serif;font-size:1.3em">Feedback: {name}</h1>\n'
        + body(report, released=released)
        + f'\n<p style="font-family:sans-serif;color:#6e7781;font-size:85%">'
        f"Graded by nnlab {escape(__version__)}.</p>\n</body></html>\n"
    )


def file_names(submissions: list[str]) -> dict[str, str]:
    """A safe, distinct ``<name>.html`` for each submission (other characters become ``_``)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for submission in submissions:
        stem = re.sub(r"[^A-Za-z0-9._-]", "_", submission).strip("._") or "submission"
        candidate, counter = stem, 1
        while candidate.lower() in taken:
            counter += 1
            candidate = f"{stem}-{counter}"
        taken.add(candidate.lower())
        names[submission] = f"{candidate}.html"
    return names
