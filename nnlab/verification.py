"""`nnlab verify`: the course checks itself through the same code path as `nnlab grade`.

Every exercise has a stub, a model answer and hidden checks; every check carries a
contract function, a hint and a positive weight; every model answer earns full marks and
every untouched stub earns none. The gradings run in parallel (one worker per exercise
and kind, as in `nnlab grade-batch`). With ``with_tensorflow``, the project's tests that
prove the NumPy references agree with TensorFlow (``tests/test_reference_*.py``) run too.
Needs a source checkout, since solutions never ship in the wheel.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from nnlab import catalog
from nnlab.resources import grader_dir, source_checkout


class NotACheckout(Exception):
    pass


def _check_metadata(slug: str) -> list[str]:
    from nnlab.grading import collect_checks

    problems: list[str] = []
    functions = set(catalog.signatures(slug))
    found_checks = collect_checks(slug)
    if not found_checks:
        problems.append(f"{slug}: grader/test_{slug}.py has no checks")
    for found in found_checks:
        info = found.info
        if info is None:
            problems.append(f"{slug}: check {found.name} has no @check metadata")
            continue
        if not info.hint:
            problems.append(f"{slug}: check {found.name} has no hint")
        if not (math.isfinite(info.weight) and info.weight > 0):
            problems.append(
                f"{slug}: check {found.name} has weight {info.weight}, not a positive number"
            )
        if info.function not in functions:
            problems.append(
                f"{slug}: check {found.name} names function {info.function!r}, which the stub does not define"
            )
    return problems


def verify(
    progress: Callable[[str], None] = lambda line: None,
    *,
    slugs: Sequence[str] = (),
    jobs: int = 0,
    with_tensorflow: bool = False,
) -> list[str]:
    """Return the problems found (an empty list means the course is sound)."""
    from nnlab import batch

    root = source_checkout()
    if root is None:
        raise NotACheckout(
            "verify needs a source checkout of nnlab (with solutions/); this is an installed copy"
        )
    chosen = [catalog.get(slug) for slug in slugs] if slugs else list(catalog.EXERCISES)
    problems: list[str] = []
    gradable: list[catalog.Exercise] = []
    for exercise in chosen:
        slug = exercise.slug
        absent = [
            str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
            for path in (
                root / "exercises" / f"{slug}.py",
                root / "solutions" / f"{slug}.py",
                grader_dir() / f"test_{slug}.py",
            )
            if not path.is_file()
        ]
        if absent:
            problems.append(f"{slug}: missing {', '.join(absent)}")
            continue
        problems += _check_metadata(slug)
        gradable.append(exercise)

    # long (TensorFlow) exercises first, so that the parallel gradings end together
    gradable.sort(key=lambda exercise: not exercise.uses_tensorflow)
    expected: dict[str, tuple[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="nnlab-verify-") as scratch:
        folders = []
        for number, exercise in enumerate(gradable):
            for label, source in (("solution", "solutions"), ("stub", "exercises")):
                name = f"{number:02d}-{exercise.slug}-{label}"
                folder = Path(scratch) / name
                folder.mkdir()
                shutil.copyfile(
                    root / source / f"{exercise.slug}.py", folder / f"{exercise.slug}.py"
                )
                folders.append(folder)
                expected[name] = (exercise.slug, label)

        def report_line(report: object, crashed: bool) -> None:
            slug, label = expected[report.submission]  # type: ignore[attr-defined]
            result = next(e for e in report.exercises if e.exercise == slug)  # type: ignore[attr-defined]
            progress(f"{slug} {label}: {result.status} {result.score:.1f}/{result.max_score:.0f}")

        options = batch.BatchOptions(
            jobs=jobs,
            slugs=[exercise.slug for exercise in gradable] or catalog.slugs()[:1],
            on_done=report_line,
        )
        result = batch.grade_folders(folders, options) if folders else batch.BatchResult()
    for report in result.reports:
        slug, label = expected[report.submission]
        graded = next(e for e in report.exercises if e.exercise == slug)
        if label == "solution" and graded.status != "passed":
            failing = ", ".join(c.name for c in graded.checks if c.status != "passed")
            problems.append(
                f"{slug}: the solution does not earn full marks ({graded.message or failing})"
            )
        if label == "stub" and graded.score != 0:
            problems.append(f"{slug}: the untouched stub earns {graded.score:.1f} points")
    if with_tensorflow:
        problems += _reference_tests(root, [exercise.slug for exercise in chosen], progress)
    return problems


def _reference_tests(
    root: Path, slugs: Sequence[str], progress: Callable[[str], None]
) -> list[str]:
    """Run tests/test_reference_<slug>.py (NumPy references against TensorFlow), if present."""
    files = [root / "tests" / f"test_reference_{slug}.py" for slug in slugs]
    present = [path for path in files if path.is_file()]
    for path in files:
        if not path.is_file():
            progress(f"{path.name}: not in this checkout, skipped")
    if not present:
        return []
    progress(f"running {len(present)} reference-vs-TensorFlow test files")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *map(str, present)],
        cwd=root,
        capture_output=True,
        text=True,
    )
    tail = (done.stdout.strip().splitlines() or ["no output"])[-1]
    progress(f"reference tests: {tail}")
    if done.returncode != 0:
        failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED")]
        return [
            f"references disagree with TensorFlow: {line[len('FAILED ') :]}" for line in failed
        ] or [f"the reference tests failed: {tail}"]
    return []
