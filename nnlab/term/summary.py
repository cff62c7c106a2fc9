"""The class summary and the folder ``nnlab report`` writes.

``index.html`` (for the instructor: it names every student) holds the score distribution
(``scores.png``, a histogram drawn with matplotlib's Agg canvas, imported only here), the
exercises' averages, the pass rate of every check with the checks most students fail
first, and the submissions whose grading crashed or timed out; ``feedback/<name>.html`` is
each student's own page (:mod:`nnlab.term.feedback`).
"""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from nnlab.report.csv_report import exercise_columns, number
from nnlab.results import GRADER_ERROR, Report
from nnlab.term import feedback
from nnlab.version import __version__
from nnlab.workspace import atomic_write

UNGRADED = ("error", GRADER_ERROR)  # an exercise whose checks could not run
TIMED_OUT = re.compile(
    r"did not finish|time-?out|timed out|ran out of time|within [0-9.]+ ?s", re.I
)
STYLE = (
    "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;line-height:1.35}"
    "table{border-collapse:collapse;margin:0.5em 0}"
    "td,th{padding:2px 10px;text-align:left;vertical-align:top;border-bottom:1px solid #d0d7de}"
    "td.n{text-align:right}code{font-size:90%}"
)


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= 160 else line[:157] + "..."


@dataclass
class CheckRate:
    """How a class did on one check, among the submissions where it ran."""

    exercise: str
    check: str
    function: str
    visibility: str
    passed: int = 0
    ran: int = 0
    failures: Counter[str] = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        return self.passed / self.ran if self.ran else 0.0

    @property
    def usual_failure(self) -> str:
        """The first line most failing submissions got (empty when none failed)."""
        return self.failures.most_common(1)[0][0] if self.failures else ""


def check_rates(reports: Sequence[Report]) -> list[CheckRate]:
    """Every check's pass rate, lowest first (ties in course order). A check that did not run
    (its file could not be loaded) or raised itself (``grader_error``) is not counted: that
    is not the answer's doing, and it is shown apart (:func:`troubles`)."""
    rates: dict[tuple[str, str], CheckRate] = {}
    order: dict[tuple[str, str], tuple[int, int]] = {}
    courses = exercise_columns(reports)
    for report in reports:
        for exercise in report.exercises:
            for index, check in enumerate(exercise.checks):
                if check.message.startswith("not run") or check.status == GRADER_ERROR:
                    continue
                key = (exercise.exercise, check.name)
                if key not in rates:
                    rates[key] = CheckRate(
                        exercise.exercise, check.name, check.function, check.visibility
                    )
                    order[key] = (courses.index(exercise.exercise), index)
                rate = rates[key]
                rate.ran += 1
                if check.status == "passed":
                    rate.passed += 1
                else:
                    rate.failures[_first_line(check.message) or check.status] += 1
    return sorted(rates.values(), key=lambda r: (r.rate, order[(r.exercise, r.check)]))


@dataclass
class Trouble:
    """A submission whose grading crashed, timed out or could not load a file."""

    submission: str
    exercise: str  # "every exercise" when the whole grading failed
    what: str  # timed out | crashed | could not be loaded | grader error
    detail: str


def _what(message: str, status: str) -> str:
    if TIMED_OUT.search(message):
        return "timed out"
    lowered = message.lower()
    if any(word in lowered for word in ("crash", "exited with status", "signal", "killed")):
        return "crashed"
    return "grader error" if status == GRADER_ERROR else "could not be loaded"


def troubles(reports: Sequence[Report]) -> list[Trouble]:
    found: list[Trouble] = []
    for report in reports:
        errors = [e for e in report.exercises if e.status in UNGRADED]
        messages = {e.message for e in errors}
        if errors and len(errors) == len(report.exercises) > 1 and len(messages) == 1:
            message = messages.pop()  # the grading of the whole submission failed
            what = _what(message, errors[0].status)
            found.append(Trouble(report.submission, "every exercise", what, _first_line(message)))
            continue
        for exercise in report.exercises:
            if exercise.status in UNGRADED:
                found.append(
                    Trouble(
                        report.submission,
                        exercise.exercise,
                        _what(exercise.message, exercise.status),
                        _first_line(exercise.message),
                    )
                )
                continue
            for check in exercise.checks:
                if check.status == GRADER_ERROR:
                    found.append(
                        Trouble(
                            report.submission,
                            exercise.exercise,
                            "grader error",
                            f"{check.name}: {_first_line(check.message)}",
                        )
                    )
                elif check.status == "timeout":
                    found.append(
                        Trouble(
                            report.submission,
                            exercise.exercise,
                            "timed out",
                            f"{check.name}: {_first_line(check.message)}",
                        )
                    )
    return found


def histogram_png(scores: Sequence[float], max_score: float) -> bytes:
    """The score distribution: ten bins from 0 to ``max_score``."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 3.2), dpi=100)
    axes = figure.add_subplot()
    top = max_score if max_score > 0 else 1.0
    axes.hist(list(scores), bins=np.linspace(0.0, top, 11), color="#0969da", edgecolor="white")
    axes.set_xlim(0.0, top)
    axes.set_xlabel(f"score (out of {number(max_score)})")
    axes.set_ylabel("submissions")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_title(f"{len(scores)} submissions")
    figure.tight_layout()
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def _table(
    head: Sequence[str], rows: Sequence[Sequence[str]], numeric: frozenset[int] = frozenset()
) -> str:
    """A table of already escaped cells; columns in ``numeric`` are right-aligned."""
    heading = "".join(f"<th>{cell}</th>" for cell in head)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{cell}</td>' if i in numeric else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{heading}</tr>{body}</table>"


def _percent(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "0/0"


def summary_html(
    reports: Sequence[Report], links: dict[str, str], picture: str = "scores.png"
) -> str:
    scores = [report.score for report in reports]
    max_score = max((report.max_score for report in reports), default=0.0)
    full = sum(1 for report in reports if report.all_passed)
    parts = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>nnlab class summary</title><style>{STYLE}</style></head><body>",
        f"<h1>Class summary: {len(reports)} submission{'' if len(reports) == 1 else 's'}</h1>",
        "<p><i>For the instructor: this page names every student with their score. "
        "Give each student their own page from <code>feedback/</code>.</i></p>",
    ]
    if scores:
        parts.append(
            f"<p>Mean {number(statistics.fmean(scores))}, median "
            f"{number(statistics.median(scores))}, lowest {number(min(scores))}, highest "
            f"{number(max(scores))} (out of {number(max_score)}); {full} with every check "
            "passed.</p>"
        )
    parts.append(f'<img src="{escape(picture)}" alt="score distribution" width="640">')

    parts.append("<h2>Exercises</h2>")
    rows = []
    for slug in exercise_columns(reports):
        results = [e for r in reports for e in r.exercises if e.exercise == slug]
        submitted = [e for e in results if e.status != "missing"]
        mean = statistics.fmean(e.score for e in results) if results else 0.0
        passed = sum(1 for e in results if e.status == "passed")
        rows.append(
            [
                escape(slug),
                _percent(len(submitted), len(results)),
                _percent(passed, len(results)),
                number(mean),
            ]
        )
    parts.append(
        _table(["exercise", "submitted", "passed", "mean score"], rows, frozenset({1, 2, 3}))
    )

    parts.append("<h2>Checks, the ones most students fail first</h2>")
    parts.append(
        "<p>Pass rate among the submissions where the check ran (a file that could not be "
        "loaded is listed below instead), with the failure most of them got.</p>"
    )
    rows = [
        [
            escape(rate.exercise),
            f"<code>{escape(rate.check)}</code>",
            escape(rate.function),
            escape(rate.visibility),
            _percent(rate.passed, rate.ran),
            f"<code>{escape(rate.usual_failure)}</code>" if rate.usual_failure else "",
        ]
        for rate in check_rates(reports)
    ]
    parts.append(
        _table(
            ["exercise", "check", "function", "visibility", "passed", "usual failure"],
            rows,
            frozenset({4}),
        )
    )

    parts.append("<h2>Submissions that crashed, timed out or could not be graded</h2>")
    found = troubles(reports)
    if found:
        rows = [
            [
                escape(t.submission),
                escape(t.exercise),
                escape(t.what),
                f"<code>{escape(t.detail)}</code>",
            ]
            for t in found
        ]
        parts.append(_table(["submission", "exercise", "what happened", "detail"], rows))
    else:
        parts.append("<p>None: every submission was graded to the end.</p>")

    parts.append("<h2>Students</h2>")
    rows = [
        [
            f'<a href="feedback/{escape(links[r.submission])}">{escape(r.submission)}</a>',
            f"{number(r.score)}/{number(r.max_score)}",
        ]
        for r in reports
    ]
    parts.append(_table(["submission", "score"], rows, frozenset({1})))
    parts.append(f"<p><small>nnlab {escape(__version__)}</small></p></body></html>\n")
    return "\n".join(parts)


@dataclass
class Written:
    summary: Path
    picture: Path
    feedback: list[Path]


def write_directory(reports: Sequence[Report], out: Path, *, released: bool = False) -> Written:
    """``out/index.html``, ``out/scores.png`` and ``out/feedback/<student>.html``."""
    out = Path(out)
    pages = out / "feedback"
    pages.mkdir(parents=True, exist_ok=True)
    links = feedback.file_names([report.submission for report in reports])
    written = []
    for report in reports:
        target = pages / links[report.submission]
        atomic_write(target, feedback.page(report, released=released))
        written.append(target)
    max_score = max((report.max_score for report in reports), default=0.0)
    picture = out / "scores.png"
    atomic_write(picture, histogram_png([report.score for report in reports], max_score))
    summary = out / "index.html"
    atomic_write(summary, summary_html(reports, links, picture.name))
    return Written(summary, picture, written)
