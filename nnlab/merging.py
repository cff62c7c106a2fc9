"""`nnlab merge`: the JSON reports of several shards (or single gradings) become one class report.

Accepts ``grade-batch --format json`` files (a list of reports) and ``grade --format json``
files (one report). Refuses, with a one-line reason, a file that is not an nnlab report,
reports of different schema or nnlab versions (their checks and points may differ), and a
submission that appears twice (the same shard merged twice, or overlapping shards).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nnlab.results import SCHEMA, Report


class MergeError(Exception):
    pass


def _records(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise MergeError(f"cannot read {path}: {error}") from None
    except json.JSONDecodeError as error:
        raise MergeError(f"{path} is not JSON ({error.msg}, line {error.lineno})") from None
    records = data if isinstance(data, list) else [data]
    for record in records:
        if not isinstance(record, dict) or record.get("schema") != SCHEMA:
            found = record.get("schema") if isinstance(record, dict) else type(record).__name__
            raise MergeError(
                f"{path} is not an nnlab JSON report (expected schema {SCHEMA!r}, found {found!r});"
                " write shards with --format json"
            )
    return records


def merge_files(paths: Sequence[Path]) -> list[Report]:
    """Every submission of every file, sorted by submission name."""
    seen: dict[str, Path] = {}
    version: tuple[str, Path] | None = None
    reports: list[Report] = []
    for path in paths:
        for record in _records(Path(path)):
            this_version = str(record.get("nnlab_version", "?"))
            if version is None:
                version = (this_version, path)
            elif this_version != version[0]:
                raise MergeError(
                    f"mismatched versions: {version[1]} was made by nnlab {version[0]}, "
                    f"{path} by nnlab {this_version}; grade every shard with the same version"
                )
            name = str(record.get("submission"))
            if name in seen:
                where = (
                    "twice in " + str(path) if seen[name] == path else f"in {seen[name]} and {path}"
                )
                raise MergeError(f"duplicate submission {name!r}: it appears {where}")
            seen[name] = path
            try:
                reports.append(Report.from_dict(record))
            except (KeyError, TypeError, ValueError) as error:
                raise MergeError(f"{path}: malformed report for {name!r} ({error})") from None
    return sorted(reports, key=lambda report: report.submission)


def version_of(path: Path) -> str | None:
    """The nnlab version that made the reports of ``path`` (None for a file with none)."""
    records = _records(Path(path))
    return str(records[0].get("nnlab_version", "?")) if records else None
