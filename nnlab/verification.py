"""`nnlab verify`: the course checks itself through the same code path as `nnlab grade`.

Every model answer earns full marks, every untouched stub earns none, and every
check carries a function, a hint and a weight. Needs a source checkout, since
solutions never ship in the wheel.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from nnlab import catalog
from nnlab.grading import collect_checks, grade
from nnlab.resources import source_checkout


class NotACheckout(Exception):
    pass


def verify(progress: Callable[[str], None] = lambda line: None) -> list[str]:
    """Return the problems found (an empty list means the course is sound)."""
    root = source_checkout()
    if root is None:
        raise NotACheckout(
            "verify needs a source checkout of nnlab (with solutions/); this is an installed copy"
        )
    problems: list[str] = []
    for exercise in catalog.EXERCISES:
        slug = exercise.slug
        for found in collect_checks(slug):
            if found.info is None:
                problems.append(f"{slug}: check {found.name} has no @check metadata")
            elif not found.info.hint:
                problems.append(f"{slug}: check {found.name} has no hint")
        with tempfile.TemporaryDirectory(prefix="nnlab-verify-") as scratch:
            for label, source, expected in (
                ("solution", root / "solutions", "passed"),
                ("stub", root / "exercises", "zero"),
            ):
                folder = Path(scratch) / label
                folder.mkdir()
                shutil.copyfile(source / f"{slug}.py", folder / f"{slug}.py")
                result = grade(folder, [slug]).exercises[0]
                progress(
                    f"{slug} {label}: {result.status} {result.score:.1f}/{result.max_score:.0f}"
                )
                if expected == "passed" and result.status != "passed":
                    failing = ", ".join(c.name for c in result.checks if c.status != "passed")
                    problems.append(
                        f"{slug}: the solution does not earn full marks ({result.message or failing})"
                    )
                if expected == "zero" and result.score != 0:
                    problems.append(f"{slug}: the untouched stub earns {result.score:.1f} points")
    return problems
