"""The JSON report of GRADING.md (schema ``nnlab-report/2``).

UTF-8 without escapes, so a string that UTF-8 cannot hold (a lone surrogate) is replaced
by U+FFFD rather than failing the whole file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from nnlab.results import Report
from nnlab.text import valid_unicode


def render(report: Report) -> str:
    return valid_unicode(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n")


def render_batch(reports: Sequence[Report]) -> str:
    """``grade-batch --format json``: one report per submission, in a JSON list."""
    rendered = json.dumps([r.to_dict() for r in reports], indent=2, ensure_ascii=False)
    return valid_unicode(rendered + "\n")
