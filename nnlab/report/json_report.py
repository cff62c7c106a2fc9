"""The JSON report of GRADING.md (schema ``nnlab-report/1``)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from nnlab.results import Report


def render(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def render_batch(reports: Sequence[Report]) -> str:
    """``grade-batch --format json``: one report per submission, in a JSON list."""
    return json.dumps([r.to_dict() for r in reports], indent=2, ensure_ascii=False) + "\n"
