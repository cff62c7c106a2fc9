"""Writers that turn one in-memory :class:`~nnlab.results.Report` into text or machine formats.

Each format is a function ``render(report) -> str`` registered in :data:`WRITERS`;
no writer runs or re-grades anything.

:func:`render` and :func:`render_batch` keep one submission's failure from costing the
others: when a writer raises, each report is written on its own (again with its text
cleaned, see :mod:`nnlab.text`, if it fails as it is), and :class:`WriterFailed` names the
writer and the submissions it could not write, holding the output for all the others.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from nnlab.report import csv_report, gradescope, json_report, junit, text
from nnlab.results import Report
from nnlab.text import clean, one_line

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
OPTIONS: dict[str, tuple[str, ...]] = {"gradescope": ("hide_details", "no_hints")}


class WriterFailed(Exception):
    """A writer raised: ``output`` is what it wrote for every submission but ``left_out``."""

    def __init__(self, writer: str, reason: str, output: str, left_out: Sequence[str]) -> None:
        self.writer, self.reason, self.output = writer, reason, output
        self.left_out = list(left_out)
        super().__init__(str(self))

    def __str__(self) -> str:
        if not self.output:
            return f"the {self.writer} writer failed ({self.reason}); no report was written"
        names = ", ".join(one_line(name, 100) for name in self.left_out[:5])
        more = f" and {len(self.left_out) - 5} more" if len(self.left_out) > 5 else ""
        return (
            f"the {self.writer} writer failed for {names}{more} ({self.reason}); "
            "the others were written"
        )


def render(report: Report, format_name: str, **options: Any) -> str:
    given = _for(format_name, options)
    write = WRITERS[format_name]
    return _robust(format_name, lambda reports: write(reports[0], **given), [report])


def render_batch(reports: Sequence[Report], format_name: str, **options: Any) -> str:
    given = _for(format_name, options)
    write = BATCH_WRITERS[format_name]
    return _robust(format_name, lambda reports: write(reports, **given), list(reports))


def _for(format_name: str, options: dict[str, Any]) -> dict[str, Any]:
    """The options that are set, refused (ValueError) when the format has no such option."""
    given = {name: value for name, value in options.items() if value}
    unknown = set(given) - set(OPTIONS.get(format_name, ()))
    if unknown:
        names = ", ".join("--" + name.replace("_", "-") for name in sorted(unknown))
        raise ValueError(f"{names} applies to --format gradescope only, not {format_name}")
    return given


def _robust(name: str, write: Callable[[list[Report]], str], reports: list[Report]) -> str:
    try:
        return write(reports)
    except Exception as error:
        reason = one_line(f"{type(error).__name__}: {error}", 300)
    kept: list[Report] = []
    left_out: list[str] = []
    for report in reports:
        alone = _writable(write, report)
        if alone is None:
            left_out.append(report.submission)
        else:
            kept.append(alone)
    output = ""
    if kept:
        try:
            output = write(kept)
        except Exception:  # each writes alone, together they do not: no part can be trusted
            kept, left_out = [], [report.submission for report in reports]
    if not left_out:
        return output  # every report written, some with their text cleaned
    raise WriterFailed(name, reason, output, left_out)


def _writable(write: Callable[[list[Report]], str], report: Report) -> Report | None:
    """``report``, or its copy with every string cleaned, if ``write`` can write it alone."""
    for candidate in (report, _cleaned(report)):
        try:
            write([candidate])
        except Exception:
            continue
        return candidate
    return None


def _cleaned(value: Any) -> Any:
    """A copy of a report (or a part of one) with every string cleaned."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        copied = copy.copy(value)
        for field in dataclasses.fields(value):
            setattr(copied, field.name, _cleaned(getattr(value, field.name)))
        return copied
    return value
