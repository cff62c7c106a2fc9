"""Writers that turn one in-memory :class:`~nnlab.results.Report` into text or machine formats.

Each format is a function ``render(report) -> str`` registered in :data:`WRITERS`;
no writer runs or re-grades anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from nnlab.report import csv_report, gradescope, json_report, junit, text
from nnlab.results import Report

WRITERS: dict[str, Callable[[Report], str]] = {
    "text": text.render,
    "json": json_report.render,
    "junit": junit.render,
    "gradescope": gradescope.render,
    "csv": csv_report.render,
}

# several submissions in one file (grade-batch, merge)
BATCH_WRITERS: dict[str, Callable[[Sequence[Report]], str]] = {
    "csv": csv_report.render_batch,
    "json": json_report.render_batch,
    "junit": junit.render_batch,
    "gradescope": gradescope.render_batch,
}


def render(report: Report, format_name: str) -> str:
    return WRITERS[format_name](report)


def render_batch(reports: Sequence[Report], format_name: str) -> str:
    return BATCH_WRITERS[format_name](reports)
