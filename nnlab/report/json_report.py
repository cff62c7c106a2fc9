"""The JSON report of GRADING.md (schema ``nnlab-report/1``)."""

from __future__ import annotations

import json

from nnlab.results import Report


def render(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
