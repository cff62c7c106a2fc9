"""The in-memory report: one grading, every writer (text, json, junit, ...) reads it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from nnlab.version import __version__

SCHEMA = "nnlab-report/2"  # 2: check status "blocked"
# Points are kept as whole hundredths (``int``), never as floats: an exercise is worth
# exactly 10000 hundredths, shared among its checks by the largest-remainder method, so the
# checks' points add up to the exercise's exactly and every total is an integer sum. Why
# hundredths and not Fractions: every format (JSON, CSV, Gradescope, JUnit) writes decimal
# numbers with two decimals; a hundredth is the finest amount they can all carry exactly, so
# what is written is the value itself (no rounding in any writer), the written points add
# up in every format, and a report read back (``nnlab merge``) holds the same integers.
HUNDREDTHS = 100
# the status of a check that raised (not the learner's code: a bug in the check) and of an
# exercise or submission the grader could not grade (a check file that does not load, a
# grading that crashed): 0 points, never the learner's doing; the run exits with status 3
GRADER_ERROR = "grader_error"
NOT_GRADED = ("missing", "error", GRADER_ERROR)
EXERCISE_POINTS = 100.0
EXERCISE_HUNDREDTHS = 100 * HUNDREDTHS


def _points(hundredths: int) -> float:
    """Hundredths as the number written in reports (3333 -> 33.33, exactly that decimal)."""
    return hundredths / HUNDREDTHS + 0.0


def hundredths(points: float) -> int:
    """The number read from a report (33.33) as hundredths (3333)."""
    return round(float(points) * HUNDREDTHS)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "no reason given"


def share(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` hundredths shared in proportion to ``weights`` by the largest-remainder method.

    Each share is its exact quota rounded down; the hundredths left over go one each to the
    largest remainders (ties: the earlier weight), so the shares add up to ``total`` exactly
    and never differ from the exact quota by a hundredth or more.
    """
    exact = [Fraction(weight) for weight in weights]
    whole = sum(exact)
    if not whole:
        return [0] * len(exact)
    quotas = [total * weight / whole for weight in exact]
    shares = [math.floor(quota) for quota in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda i: (shares[i] - quotas[i], i))
    for index in by_remainder[: total - sum(shares)]:
        shares[index] += 1
    return shares


@dataclass
class CheckResult:
    name: str
    function: str
    kind: str
    # passed | failed | error | timeout | grader_error | blocked (failed after an earlier
    # check of the same function failed: 0 points, no hint, the message names that check;
    # see nnlab.grading)
    status: str
    weight: float
    message: str = ""
    hint: str = ""
    max_points: int = 0  # hundredths: the check's share of its exercise
    visibility: str = "visible"  # Gradescope's: visible | hidden | after_due_date | after_published
    # for people, never written to a report: every hint level (``hint`` is level 1) and the
    # first failing call of the check (``nnlab repro``), kept in this process only
    hints: tuple[str, ...] = ()
    failing_call: Any = field(default=None, repr=False, compare=False)
    blocked_by: str = ""  # for status "blocked": the failing check to fix first

    @property
    def points(self) -> int:
        """The hundredths this check earned."""
        return self.max_points if self.status == "passed" else 0

    @property
    def score(self) -> float:
        return _points(self.points)

    @property
    def max_score(self) -> float:
        return _points(self.max_points)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "function": self.function,
            "kind": self.kind,
            "status": self.status,
            "score": _points(self.points),
            "max_score": _points(self.max_points),
            "message": self.message,
            "hint": self.hint if self.status not in ("passed", "blocked") else "",
            "visibility": self.visibility,
        } | ({"blocked_by": self.blocked_by} if self.status == "blocked" else {})


@dataclass
class ExerciseResult:
    exercise: str
    file: str
    status: str = "missing"  # passed | partial | failed | missing | error | grader_error
    message: str = ""
    checks: list[CheckResult] = field(default_factory=list)
    max_points: int = EXERCISE_HUNDREDTHS

    @property
    def points(self) -> int:
        if self.status in NOT_GRADED:
            return 0
        return sum(check.points for check in self.checks)

    @property
    def score(self) -> float:
        return _points(self.points)

    @property
    def max_score(self) -> float:
        return _points(self.max_points)

    def finish(self) -> ExerciseResult:
        """Share the exercise's points among its checks by weight and set the status."""
        shares = share(self.max_points, [check.weight for check in self.checks])
        for check, points in zip(self.checks, shares, strict=True):
            check.max_points = points
        if self.status not in NOT_GRADED:
            if not self.checks:
                self.status = "error"
                self.message = self.message or "no checks ran for this exercise"
            elif all(check.status == "passed" for check in self.checks):
                self.status = "passed"
            elif self.points <= 0:
                self.status = "failed"
            else:
                self.status = "partial"
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "file": self.file,
            "status": self.status,
            "score": _points(self.points),
            "max_score": _points(self.max_points),
            "message": self.message,
            "checks": [check.to_dict() for check in self.checks],
        }


@dataclass
class Report:
    submission: str
    exercises: list[ExerciseResult] = field(default_factory=list)
    # the sandbox's isolation during this grading (nnlab.sandbox.isolation):
    # {"isolation": "full"|"reduced", "reduced": [what is reduced, and why]}; None: unknown
    sandbox: dict[str, Any] | None = None

    @property
    def points(self) -> int:
        return sum(exercise.points for exercise in self.exercises)

    @property
    def max_points(self) -> int:
        return sum(exercise.max_points for exercise in self.exercises)

    @property
    def score(self) -> float:
        return _points(self.points)

    @property
    def max_score(self) -> float:
        return _points(self.max_points)

    @property
    def problems(self) -> list[tuple[str, str]]:
        """Why this grading is unsound, as ``(where, reason)``: ``where`` is an exercise or
        ``exercise › check``. What the grader got wrong, not the learner (exit status 3)."""
        found = []
        for exercise in self.exercises:
            if exercise.status == GRADER_ERROR:
                found.append((exercise.exercise, _first_line(exercise.message)))
            found += [
                (f"{exercise.exercise} › {check.name}", _first_line(check.message))
                for check in exercise.checks
                if check.status == GRADER_ERROR
            ]
        return found

    @property
    def all_passed(self) -> bool:
        return bool(self.exercises) and all(e.status == "passed" for e in self.exercises)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "nnlab_version": __version__,
            "submission": self.submission,
            "score": _points(self.points),
            "max_score": _points(self.max_points),
            **({"sandbox": self.sandbox} if self.sandbox is not None else {}),
            "exercises": [exercise.to_dict() for exercise in self.exercises],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Rebuild a report from its JSON form (for merging shard reports)."""
        report = cls(submission=str(data["submission"]), sandbox=_sandbox(data.get("sandbox")))
        for item in data["exercises"]:
            exercise = ExerciseResult(
                exercise=item["exercise"],
                file=item.get("file", ""),
                status=item["status"],
                message=item.get("message", ""),
                max_points=hundredths(item.get("max_score", EXERCISE_POINTS)),
            )
            for raw in item.get("checks", []):
                exercise.checks.append(
                    CheckResult(
                        name=raw["name"],
                        function=raw.get("function", ""),
                        kind=raw.get("kind", "correctness"),
                        status=raw["status"],
                        weight=float(raw.get("max_score", 0.0)),
                        message=raw.get("message", ""),
                        hint=raw.get("hint", ""),
                        max_points=hundredths(raw.get("max_score", 0.0)),
                        visibility=raw.get("visibility", "visible"),
                        blocked_by=raw.get("blocked_by", ""),
                    )
                )
            report.exercises.append(exercise)
        return report


def _sandbox(value: Any) -> dict[str, Any] | None:
    """A report's ``sandbox`` as read back (None when it has none, or not as written)."""
    if not isinstance(value, dict) or value.get("isolation") not in ("full", "reduced"):
        return None
    reduced = value.get("reduced")
    return {
        "isolation": value["isolation"],
        "reduced": [str(item) for item in reduced] if isinstance(reduced, list) else [],
    }
