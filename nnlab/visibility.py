"""Who sees a check's result: Gradescope's four visibilities, for every check.

A check's visibility is, first found:

1. ``@check(..., visibility="hidden")`` on the check itself;
2. a module-level ``VISIBILITY = "after_due_date"`` in its check file;
3. the default for where the file lives: ``visible`` for the course's hidden checks in
   ``grader/``, ``after_published`` for an instructor's private checks (``--checks``).

The values are Gradescope's (https://gradescope-autograders.readthedocs.io/en/latest/specs/):
``visible`` always shown, ``hidden`` never shown to students, ``after_due_date`` shown once
the due date has passed, ``after_published`` shown once the instructor publishes the grades.
The Gradescope writer puts them on each test; ``nnlab report`` shows a student the checks
they may see. Every check still counts toward the score, whoever sees it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from nnlab.resources import grader_dir

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
COURSE_DEFAULT = "visible"
PRIVATE_DEFAULT = "after_published"
MODULE_NAME = "VISIBILITY"


def require(value: object, where: str) -> str:
    """``value`` if it is one of the four visibilities, else a ValueError that says where."""
    if value not in VISIBILITIES:
        raise ValueError(
            f"{where}: visibility must be one of {', '.join(VISIBILITIES)}, not {value!r}"
        )
    return str(value)


def is_private(path: Path) -> bool:
    """Whether a check file is an instructor's (outside the course's ``grader/`` folder)."""
    return Path(path).resolve().parent != grader_dir().resolve()


_KEY = pytest.StashKey[str]()


def of_item(item: pytest.Item, declared: str | None) -> str:
    """The visibility of a collected check (decided once per item); ``declared`` is its
    ``@check(visibility=...)``, None when it has none.

    Raises ValueError when the check file's ``VISIBILITY`` is not one of the four values,
    so that the file is reported as broken rather than its checks shown by mistake.
    """
    if _KEY not in item.stash:
        module = getattr(item, "module", None)
        path = Path(str(item.path))
        if declared is not None:
            value = declared
        elif module is not None and hasattr(module, MODULE_NAME):
            value = require(getattr(module, MODULE_NAME), f"{MODULE_NAME} in {path.name}")
        else:
            value = PRIVATE_DEFAULT if is_private(path) else COURSE_DEFAULT
        item.stash[_KEY] = value
    return item.stash[_KEY]


def shown(visibility: str, *, released: bool = False) -> bool:
    """Whether a student sees a check: ``visible`` ones always; ``after_due_date`` and
    ``after_published`` once the grades are ``released``; ``hidden`` ones never."""
    if visibility == "visible":
        return True
    return released and visibility in ("after_due_date", "after_published")
