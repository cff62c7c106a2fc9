"""Writers that turn one in-memory :class:`~nnlab.results.Report` into text or machine formats.

Each format is a function ``render(report) -> str`` registered in :data:`WRITERS`;
no writer runs or re-grades anything.
"""

from __future__ import annotations

from collections.abc import Callable

from nnlab.report import json_report, text
from nnlab.results import Report

WRITERS: dict[str, Callable[[Report], str]] = {
    "text": text.render,
    "json": json_report.render,
}


def render(report: Report, format_name: str) -> str:
    return WRITERS[format_name](report)
