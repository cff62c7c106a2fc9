"""What an existing ``--out`` file holds, so that a report never silently replaces a class.

Re-running a grading with the same ``--out`` is normal: the file is replaced when it is a
report of the same submissions, or of fewer (a class graded again, one learner's report
graded again). It is refused (a usage error, exit status 2) when the file holds
submissions the new report does not (a 40-row grades.csv replaced by a 1-row file), or is
not an nnlab report at all; ``--force`` replaces it anyway, after keeping a backup beside
it (``grades.csv.bak``, ``grades.csv.bak1``, ...), as ``nnlab start --force`` does.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nnlab.report.csv_report import FORMULA_STARTS
from nnlab.results import SCHEMA

# a report whose submissions have no names (one learner's text or Gradescope report)
ANONYMOUS: frozenset[str] = frozenset()


def _csv_names(text: str) -> frozenset[str] | None:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or rows[0][:2] != ["submission", "total"]:
        return None
    names = set()
    for row in rows[1:]:
        if row:
            name = row[0]
            if name.startswith("'") and name[1:].startswith(FORMULA_STARTS):
                name = name[1:]  # csv_report.safe_cell's apostrophe
            names.add(name)
    return frozenset(names)


def _json_names(data: Any) -> frozenset[str] | None:
    if isinstance(data, dict) and data.get("schema") == SCHEMA:
        return frozenset([str(data.get("submission"))])
    if isinstance(data, list) and all(
        isinstance(item, dict) and item.get("schema") == SCHEMA for item in data
    ):
        return frozenset(str(item.get("submission")) for item in data)
    if isinstance(data, dict) and isinstance(data.get("tests"), list):
        return ANONYMOUS  # one Gradescope results.json
    if (
        isinstance(data, dict)
        and data
        and all(isinstance(value, dict) and "tests" in value for value in data.values())
    ):
        return frozenset(data)  # grade-batch --format gradescope: submission -> results
    return None


def _junit_names(text: str) -> frozenset[str] | None:
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return None
    if root.tag != "testsuites" or root.get("name") != "nnlab":
        return None
    return frozenset(
        prop.get("value", "")
        for prop in root.iterfind("testsuite/properties/property")
        if prop.get("name") == "submission"
    )


def submissions_in(path: Path) -> frozenset[str] | None:
    """The submissions a report file holds (``ANONYMOUS`` for one learner's report whose
    format names none), or None when it is not an nnlab report."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    stripped = text.strip()
    if not stripped:
        return ANONYMOUS
    if stripped[0] in "[{":
        try:
            return _json_names(json.loads(stripped))
        except json.JSONDecodeError:
            return None
    if stripped.startswith("<?xml") or stripped.startswith("<testsuites"):
        return _junit_names(stripped)
    if any(line.startswith("Total: ") for line in stripped.splitlines()):
        return ANONYMOUS  # nnlab grade's text report
    return _csv_names(stripped)


def refusal(path: Path, names: Iterable[str]) -> str | None:
    """Why writing a report of ``names`` to ``path`` would lose something, or None."""
    path = Path(path)
    if not path.exists():
        return None
    if path.is_dir():
        return f"{path} is a folder; --out takes a file"
    held = submissions_in(path)
    if held is None:
        return f"{path} exists and is not an nnlab report; give another --out, or --force to replace it (a backup is kept)"
    lost = sorted(held - set(names))
    if not lost:
        return None
    shown = ", ".join(lost[:3]) + (f" and {len(lost) - 3} more" if len(lost) > 3 else "")
    count = f"{len(lost)} submission{'' if len(lost) == 1 else 's'}"
    return (
        f"{path} holds {count} this report does not ({shown}); give another --out, "
        "`grade-batch --only NAME --update FILE.json` to regrade some submissions into a "
        "class report, or --force to replace it (a backup is kept)"
    )
