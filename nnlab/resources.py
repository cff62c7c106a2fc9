"""Where the course's data lives: the packaged copy in a wheel, the source tree otherwise.

A wheel maps `exercises/` and `grader/` into `nnlab/_data/`; an editable install
does not apply that mapping, so we fall back to the checkout next to the package.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The directory `exercises` or `grader`, wherever this install keeps it."""
    for candidate in (PACKAGE_DIR / "_data" / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"nnlab's {name!r} data is missing from this installation")


def exercises_dir() -> Path:
    return data_dir("exercises")


def grader_dir() -> Path:
    return data_dir("grader")


def source_checkout() -> Path | None:
    """The repository root when running from a checkout (it has `solutions/`), else None."""
    root = PACKAGE_DIR.parent
    return root if (root / "solutions").is_dir() and (root / "exercises").is_dir() else None
