"""CSV for a gradebook: one row per submission, ``submission, total``, then one column per exercise.

Scores are plain numbers (two decimals at most) so that an LMS import or a spreadsheet
reads them as numbers; a submission name that a spreadsheet would take for a formula
(``=``, ``+``, ``-``, ``@``) is quoted with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from nnlab import catalog
from nnlab.results import Report
from nnlab.text import valid_unicode

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def number(value: float) -> str:
    """83.3333 -> '83.33', 100.0 -> '100'."""
    text = f"{round(value + 0.0, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def safe_cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def exercise_columns(reports: Sequence[Report]) -> list[str]:
    """Every exercise any report holds, in course order (unknown slugs last, sorted)."""
    present = {exercise.exercise for report in reports for exercise in report.exercises}
    ordered = [slug for slug in catalog.slugs() if slug in present]
    return ordered + sorted(present - set(ordered))


def render_batch(reports: Sequence[Report]) -> str:
    columns = exercise_columns(reports)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["submission", "total", *columns])
    for report in reports:
        scores = {exercise.exercise: exercise.score for exercise in report.exercises}
        writer.writerow(
            [
                safe_cell(report.submission),
                number(report.score),
                *(number(scores.get(slug, 0.0)) for slug in columns),
            ]
        )
    return valid_unicode(buffer.getvalue())


def render(report: Report) -> str:
    return render_batch([report])
