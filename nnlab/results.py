"""The in-memory report: one grading, every writer (text, json, junit, ...) reads it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nnlab import __version__

SCHEMA = "nnlab-report/1"
EXERCISE_POINTS = 100.0


def _points(value: float) -> float:
    return round(value + 0.0, 2)


@dataclass
class CheckResult:
    name: str
    function: str
    kind: str
    status: str  # passed | failed | error | timeout
    weight: float
    message: str = ""
    hint: str = ""
    max_score: float = 0.0
    visibility: str = "visible"  # Gradescope's: visible | hidden | after_due_date | after_published

    @property
    def score(self) -> float:
        return self.max_score if self.status == "passed" else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "function": self.function,
            "kind": self.kind,
            "status": self.status,
            "score": _points(self.score),
            "max_score": _points(self.max_score),
            "message": self.message,
            "hint": self.hint if self.status != "passed" else "",
            "visibility": self.visibility,
        }


@dataclass
class ExerciseResult:
    exercise: str
    file: str
    status: str = "missing"  # passed | partial | failed | missing | error
    message: str = ""
    checks: list[CheckResult] = field(default_factory=list)
    max_score: float = EXERCISE_POINTS

    @property
    def score(self) -> float:
        if self.status in ("missing", "error"):
            return 0.0
        return sum(check.score for check in self.checks)

    def finish(self) -> ExerciseResult:
        """Share the exercise's points among its checks by weight and set the status."""
        total_weight = sum(check.weight for check in self.checks)
        for check in self.checks:
            check.max_score = EXERCISE_POINTS * check.weight / total_weight if total_weight else 0.0
        if self.status not in ("missing", "error"):
            if not self.checks:
                self.status = "error"
                self.message = self.message or "no checks ran for this exercise"
            elif all(check.status == "passed" for check in self.checks):
                self.status = "passed"
            elif self.score <= 0:
                self.status = "failed"
            else:
                self.status = "partial"
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "exercise": self.exercise,
            "file": self.file,
            "status": self.status,
            "score": _points(self.score),
            "max_score": _points(self.max_score),
            "message": self.message,
            "checks": [check.to_dict() for check in self.checks],
        }


@dataclass
class Report:
    submission: str
    exercises: list[ExerciseResult] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(exercise.score for exercise in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(exercise.max_score for exercise in self.exercises)

    @property
    def all_passed(self) -> bool:
        return bool(self.exercises) and all(e.status == "passed" for e in self.exercises)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "nnlab_version": __version__,
            "submission": self.submission,
            "score": _points(self.score),
            "max_score": _points(self.max_score),
            "exercises": [exercise.to_dict() for exercise in self.exercises],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Rebuild a report from its JSON form (for merging shard reports)."""
        report = cls(submission=str(data["submission"]))
        for item in data["exercises"]:
            exercise = ExerciseResult(
                exercise=item["exercise"],
                file=item.get("file", ""),
                status=item["status"],
                message=item.get("message", ""),
                max_score=float(item.get("max_score", EXERCISE_POINTS)),
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
                        max_score=float(raw.get("max_score", 0.0)),
                        visibility=raw.get("visibility", "visible"),
                    )
                )
            report.exercises.append(exercise)
        return report
