"""Writers that turn one in-memory :class:`~nnlab.results.Report` into text or machine formats.

Each format is a function ``render(report) -> str`` registered in :data:`WRITERS`;
no writer runs or re-grades anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from nnlab.report import csv_report, gradescope, json_report, junit, text
from nnlab.results import Report

WRITERS: dict[str, Callable[..., str]] = {
    "text": text.render,
    "json": json_report.render,
    "junit": junit.render,
    "gradescope": gradescope.render,
    "csv": csv_report.render,
}

# several submissions in one file (grade-batch, merge)
BATCH_WRITERS: dict[str, Callable[..., str]] = {
    "csv": csv_report.render_batch,
    "json": json_report.render_batch,
    "junit": junit.render_batch,
    "gradescope": gradescope.render_batch,
}


# writers that take options (``--hide-details``); the others never receive any
OPTIONS: dict[str, tuple[str, ...]] = {"gradescope": ("hide_details",)}


def render(report: Report, format_name: str, **options: Any) -> str:
    return WRITERS[format_name](report, **_for(format_name, options))


def render_batch(reports: Sequence[Report], format_name: str, **options: Any) -> str:
    return BATCH_WRITERS[format_name](reports, **_for(format_name, options))


def _for(format_name: str, options: dict[str, Any]) -> dict[str, Any]:
    """The options that are set, refused (ValueError) when the format has no such option."""
    given = {name: value for name, value in options.items() if value}
    unknown = set(given) - set(OPTIONS.get(format_name, ()))
    if unknown:
        names = ", ".join("--" + name.replace("_", "-") for name in sorted(unknown))
        raise ValueError(f"{names} applies to --format gradescope only, not {format_name}")
    return given
