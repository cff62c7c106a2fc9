"""An LMS gradebook from a class report: a roster, late penalties, Canvas's import CSV.

**Canvas.** Its gradebook import reads the columns ``Student``, ``ID``, ``SIS User ID``,
``SIS Login ID``, ``Section``, then one column per assignment; a row whose ``Student`` is
``Points Possible`` gives each assignment's points. Canvas matches students by ``ID`` (or
the SIS ids); an assignment column named ``Name (1234)`` updates assignment 1234, another
name creates a new assignment. An empty cell leaves a grade as it is.

**Roster.** A CSV with a ``folder`` column (the submission folder's name, as in the class
report) and any of the Canvas columns above, for instance Canvas's own gradebook export
with a ``folder`` column added. Every row needs an ``ID``, ``SIS User ID`` or ``SIS Login
ID``; every submission needs a row (else the CSV would lose a grade silently).

**Late penalties.** ``--due`` and ``--late-penalty 10%/day``: each started day (or hour,
``%/hour``) after the due date takes that share of the student's score, down to 0.
Submission times come from a CSV (``folder``, ``submitted``: an ISO 8601 date-time) or from
the last git commit touching each submission folder. A commit's date is set by the
student's own clock: prefer times your platform recorded (a push or upload time) when it
matters.
"""

from __future__ import annotations

import csv
import io
import math
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from nnlab.report.csv_report import number, safe_cell
from nnlab.results import Report

CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
IDENTIFIERS = ("ID", "SIS User ID", "SIS Login ID")
FOLDER_COLUMNS = ("folder", "submission")
TIME_COLUMNS = ("submitted", "submitted_at", "time")
PERIODS = {"day": timedelta(days=1), "hour": timedelta(hours=1)}


class GradebookError(Exception):
    """A roster, time or option that cannot be used: one line saying which and why."""


# --- reading CSV files -----------------------------------------------------------------------


def _rows(path: Path, what: str) -> tuple[list[str], list[dict[str, str]]]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise GradebookError(f"cannot read the {what} {path}: {error}") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    rows = [
        {(key or "").strip(): (value or "").strip() for key, value in row.items()} for row in reader
    ]
    return header, rows


def _column(header: Sequence[str], names: Iterable[str], path: Path, what: str) -> str:
    """The header's name for the first of ``names`` it has (case-insensitive)."""
    lowered = {name.lower(): name for name in header}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    wanted = " or ".join(repr(name) for name in names)
    raise GradebookError(
        f"the {what} {path} has no {wanted} column (its columns: {', '.join(header)})"
    )


# --- the roster ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Student:
    folder: str
    canvas: dict[str, str]  # the Canvas columns this student has values for


def read_roster(path: Path) -> list[Student]:
    header, rows = _rows(path, "roster")
    folder_column = _column(header, FOLDER_COLUMNS, path, "roster")
    canvas_names = {
        name: next((h for h in header if h.lower() == name.lower()), None)
        for name in CANVAS_COLUMNS
    }
    students: list[Student] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        folder = row.get(folder_column, "")
        if not folder:
            raise GradebookError(f"{path} line {line}: the {folder_column!r} cell is empty")
        if folder in seen:
            raise GradebookError(
                f"{path} line {line}: folder {folder!r} is already on line {seen[folder]}"
            )
        seen[folder] = line
        values = {
            name: row.get(column, "") for name, column in canvas_names.items() if column is not None
        }
        if not any(values.get(name) for name in IDENTIFIERS):
            raise GradebookError(
                f"{path} line {line}: folder {folder!r} has no {', '.join(IDENTIFIERS[:-1])} "
                f"or {IDENTIFIERS[-1]}, so Canvas could not tell who it is"
            )
        students.append(Student(folder, values))
    return students


# --- late penalties --------------------------------------------------------------------------


def parse_time(text: str, where: str) -> datetime:
    """An ISO 8601 date-time; without a UTC offset it is this machine's local time."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise GradebookError(
            f"{where}: {text!r} is not a date-time such as 2026-12-01T23:59 or "
            "2026-12-01T23:59+01:00"
        ) from None
    return moment if moment.tzinfo else moment.astimezone()


@dataclass(frozen=True)
class LatePolicy:
    due: datetime
    percent: float  # taken per started period
    period: timedelta

    @classmethod
    def parse(cls, due: str, penalty: str) -> LatePolicy:
        found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*/\s*(day|hour)\s*", penalty)
        if not found or not 0 < float(found.group(1)) <= 100:
            raise GradebookError(
                f"--late-penalty wants a share per day or hour such as 10%/day or 2%/hour, "
                f"not {penalty!r}"
            )
        return cls(parse_time(due, "--due"), float(found.group(1)), PERIODS[found.group(2)])

    def periods_late(self, submitted: datetime) -> int:
        late = submitted - self.due
        return 0 if late <= timedelta(0) else math.ceil(late / self.period)

    def factor(self, submitted: datetime) -> float:
        return max(0.0, 1.0 - self.percent * self.periods_late(submitted) / 100.0)

    def unit(self, count: int) -> str:
        name = "day" if self.period == PERIODS["day"] else "hour"
        return f"{count} {name}{'' if count == 1 else 's'}"


def read_times(path: Path) -> dict[str, datetime]:
    header, rows = _rows(path, "submission times file")
    folder_column = _column(header, FOLDER_COLUMNS, path, "submission times file")
    time_column = _column(header, TIME_COLUMNS, path, "submission times file")
    times: dict[str, datetime] = {}
    for line, row in enumerate(rows, start=2):
        folder = row.get(folder_column, "")
        if folder in times:
            raise GradebookError(f"{path} line {line}: folder {folder!r} appears twice")
        times[folder] = parse_time(row.get(time_column, ""), f"{path} line {line}")
    return times


def git_times(root: Path, folders: Iterable[str]) -> dict[str, datetime]:
    """The committer date of the last commit touching each ``root/<folder>``."""
    times: dict[str, datetime] = {}
    for folder in folders:
        path = Path(root) / folder
        if not path.is_dir():
            continue
        try:
            done = subprocess.run(
                ["git", "-C", str(path), "log", "-1", "--format=%cI", "--", "."],
                capture_output=True,
                text=True,
                timeout=60,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0 and done.stdout.strip():
            times[folder] = parse_time(done.stdout.strip(), f"git log of {path}")
    return times


# --- the gradebook ---------------------------------------------------------------------------


@dataclass
class Gradebook:
    csv: str
    notes: list[str] = field(default_factory=list)  # late penalties, students with no grade


def canvas(
    reports: Sequence[Report],
    roster: Sequence[Student],
    *,
    assignment: str = "nnlab",
    late: LatePolicy | None = None,
    times: dict[str, datetime] | None = None,
) -> Gradebook:
    """Canvas's gradebook import CSV: one row per roster student, the assignment's points."""
    by_folder = {report.submission: report for report in reports}
    known = {student.folder for student in roster}
    strangers = sorted(set(by_folder) - known)
    if strangers:
        raise GradebookError(
            f"{len(strangers)} submission{'s are' if len(strangers) > 1 else ' is'} not in the "
            f"roster: {', '.join(strangers[:10])}{' ...' if len(strangers) > 10 else ''} "
            "(add a row with the folder's name and the student's Canvas ID)"
        )
    if late is not None:
        undated = sorted(set(by_folder) - set(times or {}))
        if undated:
            raise GradebookError(
                f"no submission time for {', '.join(undated[:10])}"
                f"{' ...' if len(undated) > 10 else ''}: a late penalty needs every submission's time"
            )
    possible = max((report.max_score for report in reports), default=0.0)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CANVAS_COLUMNS, assignment])
    writer.writerow(["Points Possible", "", "", "", "", number(possible)])
    notes: list[str] = []
    for student in roster:
        report = by_folder.get(student.folder)
        cells = [safe_cell(student.canvas.get(name, "")) for name in CANVAS_COLUMNS]
        if report is None:
            writer.writerow([*cells, ""])
            notes.append(f"{student.folder}: no submission in the class report; left blank")
            continue
        score = report.score
        if late is not None and times is not None:
            periods = late.periods_late(times[student.folder])
            if periods:
                penalised = score * late.factor(times[student.folder])
                notes.append(
                    f"{student.folder}: {late.unit(periods)} late, "
                    f"-{number(min(100.0, late.percent * periods))}%: "
                    f"{number(score)} -> {number(penalised)}"
                )
                score = penalised
        writer.writerow([*cells, number(score)])
    return Gradebook(buffer.getvalue(), notes)
