"""A small class of submissions for the instructor tests (batch, formats, export, examples).

Exercise content lands over time, so the class is built from whatever NumPy exercises
have a stub, a solution and hidden checks (``tensors`` and ``activations`` first).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import EXERCISES, ROOT, SOLUTIONS

from nnlab import catalog

SCHEMAS = Path(__file__).resolve().parent / "schemas"
PREFERRED = ("tensors", "activations")


def ready(slug: str) -> bool:
    return all(
        path.is_file()
        for path in (
            SOLUTIONS / f"{slug}.py",
            EXERCISES / f"{slug}.py",
            ROOT / "grader" / f"test_{slug}.py",
        )
    )


def ready_numpy_slugs() -> list[str]:
    """Up to two NumPy exercises that can be graded now, preferring tensors and activations."""
    numpy_slugs = [e.slug for e in catalog.EXERCISES if not e.uses_tensorflow]
    ordered = [s for s in PREFERRED if s in numpy_slugs] + [
        s for s in numpy_slugs if s not in PREFERRED
    ]
    return [slug for slug in ordered if ready(slug)][:2]


def needs_slugs() -> list[str]:
    slugs = ready_numpy_slugs()
    if not slugs:
        pytest.skip("no NumPy exercise has a stub, a solution and checks yet")
    return slugs


def make_class(root: Path, slugs: list[str]) -> dict[str, str]:
    """Submissions under ``root``; returns folder name -> what it holds.

    alice: every ready solution; bob: the untouched stubs; carol: a syntax error in the
    first exercise and the second solved; dave: an empty folder; erin: a file that
    crashes at import; plus ``.git`` and ``_scratch``, which are not submissions.
    """
    first = slugs[0]
    layout = {
        "alice": "solutions",
        "bob": "stubs",
        "carol": "syntax error + solution",
        "dave": "nothing",
        "erin": "crash at import",
    }
    for name in layout:
        (root / name).mkdir(parents=True)
    for slug in slugs:
        shutil.copyfile(SOLUTIONS / f"{slug}.py", root / "alice" / f"{slug}.py")
        shutil.copyfile(EXERCISES / f"{slug}.py", root / "bob" / f"{slug}.py")
    (root / "carol" / f"{first}.py").write_text("def broken(:\n    pass\n")
    for slug in slugs[1:]:
        shutil.copyfile(SOLUTIONS / f"{slug}.py", root / "carol" / f"{slug}.py")
    (root / "erin" / f"{first}.py").write_text("import os\nos._exit(7)\n")
    (root / ".git").mkdir()
    (root / ".git" / f"{first}.py").write_text("not a submission\n")
    (root / "_scratch").mkdir()
    (root / "notes.txt").write_text("a file, not a submission\n")
    return layout


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text())


def validate_report(data: object, *, batch: bool = False) -> None:
    import jsonschema

    document = schema("nnlab-report")
    if batch:
        document = {**document, "$ref": "#/$defs/batch"}
    jsonschema.validate(data, document)


def validate_gradescope(data: object) -> None:
    import jsonschema

    jsonschema.validate(data, schema("gradescope-results"))
