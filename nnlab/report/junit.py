"""JUnit XML for CI systems: one ``testsuite`` per exercise, one ``testcase`` per check.

A failed check becomes ``<failure>`` and a check whose code raised or timed out becomes
``<error>``, with the check's message (and hint) as the text; a ``blocked`` check (it
failed after an earlier check of its function failed) is ``<skipped>``, naming that check.
An exercise that was not submitted, or whose file could not be loaded before any check ran, is one testcase
named after that state, so that a CI display never shows it as green. A grading that ran
with reduced isolation says so in each of its suites' ``sandbox`` property.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from nnlab.report.csv_report import number
from nnlab.report.text import sandbox_line
from nnlab.results import CheckResult, ExerciseResult, Report

# characters XML 1.0 cannot carry (learner output may contain them)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _details(check: CheckResult) -> str:
    text = check.message or check.status
    if check.hint:
        text += f"\nhint: {check.hint}"
    return _clean(text)


def _first_line(text: str) -> str:
    return _clean(text.strip().splitlines()[0] if text.strip() else "")


def _suite(parent: ET.Element, report: Report, exercise: ExerciseResult, prefix: str) -> None:
    suite = ET.SubElement(parent, "testsuite", name=_clean(f"{prefix}{exercise.exercise}"))
    classname = _clean(f"nnlab.{prefix.replace('/', '.')}{exercise.exercise}")
    properties = ET.SubElement(suite, "properties")
    isolation = sandbox_line(report.sandbox)
    for key, value in (
        ("submission", report.submission),
        ("file", exercise.file),
        ("status", exercise.status),
        ("score", number(exercise.score)),
        ("max_score", number(exercise.max_score)),
        *([("sandbox", isolation)] if isolation else []),
    ):
        ET.SubElement(properties, "property", name=key, value=_clean(value))
    failures = errors = skipped = 0
    # (name, outcome, message, text, score, max_score): each case carries its points as
    # properties (exact hundredths), so the cases of a suite add up to its score
    cases: list[tuple[str, str, str, str, float, float]] = []
    if exercise.status == "missing":
        message = exercise.message
        cases.append(("submitted", "failure", message, message, 0.0, exercise.max_score))
    elif not exercise.checks:
        cases.append(
            ("loads", "error", exercise.message, exercise.message, 0.0, exercise.max_score)
        )
    for check in exercise.checks:
        outcome = {"passed": "", "failed": "failure", "blocked": "skipped"}.get(
            check.status, "error"
        )
        message = check.message or check.status
        cases.append((check.name, outcome, message, _details(check), check.score, check.max_score))
    for name, outcome, message, text, score, max_score in cases:
        case = ET.SubElement(suite, "testcase", name=_clean(name), classname=classname, time="0")
        points = ET.SubElement(case, "properties")
        ET.SubElement(points, "property", name="score", value=number(score))
        ET.SubElement(points, "property", name="max_score", value=number(max_score))
        if outcome:
            element = ET.SubElement(case, outcome, message=_first_line(message), type=outcome)
            element.text = _clean(text)
            failures += outcome == "failure"
            errors += outcome == "error"
            skipped += outcome == "skipped"
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", str(skipped))
    if exercise.message:
        ET.SubElement(suite, "system-out").text = _clean(exercise.message)


def render_batch(reports: Sequence[Report], *, prefix_submission: bool = True) -> str:
    root = ET.Element("testsuites", name="nnlab")
    for report in reports:
        prefix = f"{report.submission}/" if prefix_submission else ""
        for exercise in report.exercises:
            _suite(root, report, exercise, prefix)
    suites = root.findall("testsuite")
    for total in ("tests", "failures", "errors", "skipped"):
        root.set(total, str(sum(int(suite.get(total, "0")) for suite in suites)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render(report: Report) -> str:
    return render_batch([report], prefix_submission=False)
