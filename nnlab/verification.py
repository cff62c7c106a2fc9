"""`nnlab verify`: the course checks itself through the same code path as `nnlab grade`.

Every exercise has a stub, a model answer and hidden checks; every check carries a
contract function, a hint and a positive weight; every model answer earns full marks; every
untouched stub and every do-nothing answer (:mod:`nnlab.trivial`: every function returning
0.0, None, its first argument, ... or raising) earns none, and each check such an answer
passes is named. An instructor's private checks (``check_dirs``, the ``--checks`` folders)
are held to the same rules, and must load. The gradings run in parallel (one grade-batch
over every folder). With ``with_tensorflow``, the project's tests that prove the NumPy
references agree with TensorFlow (``tests/test_reference_*.py``) run too. Needs a source
checkout, since solutions never ship in the wheel.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nnlab import batch, catalog, trivial
from nnlab.grading import CollectedCheck, _Collector, collect_checks, run_checks, visibility_of
from nnlab.resources import grader_dir, source_checkout


class NotACheckout(Exception):
    pass


class BadChecksFolder(Exception):
    """A --checks folder that cannot be what the instructor meant (a usage error)."""


def private_check_files(directory: Path) -> dict[str, list[Path]]:
    """Exercise -> the check files of ``directory`` (``test_<slug>.py``, ``test_<slug>_*.py``).

    Raises :class:`BadChecksFolder` for a Python file named otherwise, which grading would
    silently skip, and for a folder with no check file at all.
    """
    directory = Path(directory)
    found: dict[str, list[Path]] = {}
    for path in sorted(directory.glob("*.py")):
        slug = _slug_of(path.name)
        if slug is None:
            if path.name == "__init__.py":
                continue
            raise BadChecksFolder(f"{path}: {_misnamed(path.name)}")
        found.setdefault(slug, []).append(path)
    if not found:
        raise BadChecksFolder(
            f"{directory} holds no check files (test_<exercise>.py or "
            "test_<exercise>_<anything>.py); is it the right folder?"
        )
    return found


def _slug_of(file_name: str) -> str | None:
    stem = file_name.removesuffix(".py")
    for slug in sorted(catalog.slugs(), key=len, reverse=True):
        if stem == f"test_{slug}" or stem.startswith(f"test_{slug}_"):
            return slug
    return None


def _misnamed(file_name: str) -> str:
    guess = re.sub(r"^test_", "", file_name.removesuffix(".py"))
    close = difflib.get_close_matches(guess, catalog.slugs(), n=1, cutoff=0.5)
    close = close or [slug for slug in catalog.slugs() if slug in guess][:1]
    suggestion = f" (for {close[0]}: test_{close[0]}.py or test_{close[0]}_<anything>.py)"
    return (
        "a check file must be named test_<exercise>.py or test_<exercise>_<anything>.py "
        "after an exercise of the course (`nnlab list`); grading would skip this one"
        + (suggestion if close else "")
    )


def _load_problems(files: Sequence[Path]) -> list[str]:
    """Why each of ``files`` cannot be loaded as checks, in their order: its SyntaxError
    (file and line), the error its import raised, or a ``VISIBILITY`` grading would refuse."""
    why: dict[Path, str] = {}
    for path in files:
        try:
            compile(path.read_bytes(), str(path), "exec")
        except SyntaxError as error:
            why[path] = f"{path}: line {error.lineno}: SyntaxError: {error.msg}"
        except (OSError, ValueError) as error:
            why[path] = f"{path}: cannot be read ({error})"
    importable = [path for path in files if path not in why]
    # pytest names a file relative to the folder it runs in when that is shorter (a check
    # folder under the current one, or beside it: ../private/test_x.py)
    spelled = {path: (str(path), os.path.relpath(path)) for path in importable}

    class Loader(_Collector):
        def pytest_collectreport(self, report: Any) -> None:
            if not report.failed:
                return
            text = str(report.longrepr)
            path = next((p for p in importable if any(form in text for form in spelled[p])), None)
            lines = []
            for form in spelled[path] if path else ():
                lines = lines or re.findall(rf"^{re.escape(form)}:(\d+)", text, re.M)
            reason = (text.strip().splitlines() or ["an unknown error"])[-1]
            place = f"{path}: line {lines[-1]}" if lines else str(path or "a check file")
            why.setdefault(path or Path(), f"{place}: {reason.removeprefix('E').strip()}")

        def pytest_collection_finish(self, session: Any) -> None:
            for item in session.items:
                try:
                    visibility_of(item)
                except ValueError as error:
                    path = Path(str(item.path))
                    why.setdefault(path, f"{path}: {error}")

    if importable:
        run_checks(importable, Loader(), collect_only=True)
    order = [*files, Path()]
    return [
        f"{text}; the file does not load"
        for _, text in sorted(why.items(), key=lambda entry: order.index(entry[0]))
    ]


def _check_metadata(slug: str, found_checks: Sequence[CollectedCheck]) -> list[str]:
    problems: list[str] = []
    functions = set(catalog.signatures(slug))
    hidden = grader_dir().resolve() / f"test_{slug}.py"
    if not any(found.path.resolve() == hidden for found in found_checks):
        problems.append(f"{slug}: grader/test_{slug}.py has no checks")
    names: dict[str, Path] = {}
    for found in found_checks:
        info = found.info
        where = "" if found.path.resolve() == hidden else f" (in {found.path})"
        check = f"{slug}: check {found.name}{where}"
        if found.name in names:
            problems.append(
                f"{check} has the name of a check in {names[found.name]}: reports would mix them up"
            )
        names.setdefault(found.name, found.path)
        if info is None:
            problems.append(f"{check} has no @check metadata")
            continue
        if not info.hint:
            problems.append(f"{check} has no hint")
        if not (math.isfinite(info.weight) and info.weight > 0):
            problems.append(f"{check} has weight {info.weight}, not a positive number")
        if info.function not in functions:
            problems.append(
                f"{check} names function {info.function!r}, which the stub does not define"
            )
        in_file = {other.name for other in found_checks if other.path == found.path}
        for name in info.after or ():
            if name not in in_file:
                problems.append(
                    f"{check} declares after={name!r}, which is no check in {found.path.name}"
                )
    return problems


def verify(
    progress: Callable[[str], None] = lambda line: None,
    *,
    slugs: Sequence[str] = (),
    jobs: int = 0,
    with_tensorflow: bool = False,
    check_dirs: Sequence[Path] = (),
) -> list[str]:
    """Return the problems found (an empty list means the course is sound).

    With ``check_dirs`` (folders of private checks) and no ``slugs``, the exercises those
    folders have checks for are verified. Raises :class:`BadChecksFolder` for a folder
    :func:`private_check_files` refuses.
    """
    root = source_checkout()
    if root is None:
        raise NotACheckout(
            "verify needs a source checkout of nnlab (with solutions/); this is an installed copy"
        )
    check_dirs = [Path(directory) for directory in check_dirs]
    private: dict[str, list[Path]] = {}
    for directory in check_dirs:
        for slug, files in private_check_files(directory).items():
            private.setdefault(slug, []).extend(files)
    if not slugs and private:
        slugs = [slug for slug in catalog.slugs() if slug in private]
    chosen = [catalog.get(slug) for slug in slugs] if slugs else list(catalog.EXERCISES)
    problems: list[str] = []
    gradable: list[catalog.Exercise] = []
    collected: dict[str, list[CollectedCheck]] = {}
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
        unloadable = _load_problems(private.get(slug, []))
        if unloadable:
            problems += [f"{slug}: {problem}" for problem in unloadable]
            problems.append(f"{slug}: not graded until its private checks load")
            continue
        collected[slug] = collect_checks(slug, check_dirs)
        problems += _check_metadata(slug, collected[slug])
        gradable.append(exercise)

    # long (TensorFlow) exercises first, so that the parallel gradings end together
    gradable.sort(key=lambda exercise: not exercise.uses_tensorflow)
    graded_slugs = [exercise.slug for exercise in gradable]
    expected: dict[str, tuple[Sequence[str], str]] = {}  # folder -> (exercises, what it is)
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
                expected[name] = ([exercise.slug], label)
        for answer in trivial.write_corpus(Path(scratch), graded_slugs) if gradable else []:
            folders.append(answer.folder)
            expected[answer.folder.name] = (answer.slugs, f"the {answer.strategy.label!r} answer")

        def report_line(report: Any, crashed: bool) -> None:
            slugs_of, label = expected[report.submission]
            results = [e for e in report.exercises if e.exercise in slugs_of]
            if label in ("solution", "stub"):
                (result,) = results
                progress(f"{result.exercise} {label}: {result.status} {_points(result)}")
            else:  # a do-nothing answer to every exercise: one line
                scored = sum(result.score for result in results)
                most = sum(result.max_score for result in results)
                exercises = f"{len(results)} exercise" + ("s" if len(results) != 1 else "")
                progress(f"{label}: {scored:.1f}/{most:.0f} over {exercises}")

        options = batch.BatchOptions(
            jobs=jobs,
            slugs=graded_slugs or catalog.slugs()[:1],
            extra_check_dirs=check_dirs,
            on_done=report_line,
        )
        result = batch.grade_folders(folders, options) if folders else batch.BatchResult()
    hidden = grader_dir().resolve()
    private_names = {
        (slug, found.name): found.path.name
        for slug, found_checks in collected.items()
        for found in found_checks
        if found.path.resolve().parent != hidden
    }
    order = list(expected)
    for report in sorted(result.reports, key=lambda report: order.index(report.submission)):
        slugs_of, label = expected[report.submission]
        if label == "solution":
            (slug,) = slugs_of
            graded = next(e for e in report.exercises if e.exercise == slug)
            if graded.status != "passed":
                failing = ", ".join(
                    _named(slug, c.name, private_names)
                    for c in graded.checks
                    if c.status != "passed"
                )
                problems.append(
                    f"{slug}: the solution does not earn full marks ({graded.message or failing})"
                )
            continue
        who = "the untouched stub" if label == "stub" else label
        for slug, check_name, points in trivial.passed_checks(report, slugs_of):
            if check_name:
                problems.append(
                    f"{slug}: {who} passes {_named(slug, check_name, private_names)} "
                    f"({points:.1f} points)"
                )
            else:
                problems.append(f"{slug}: {who} earns {points:.1f} points")
    for name in result.crashed:
        problems.append(f"{name}: the grading crashed")
    if with_tensorflow:
        problems += _reference_tests(root, [exercise.slug for exercise in chosen], progress)
    return problems


def _points(result: Any) -> str:
    return f"{result.score:.1f}/{result.max_score:.0f}"


def _named(slug: str, check_name: str, private: dict[tuple[str, str], str]) -> str:
    file_name = private.get((slug, check_name))
    return f"{check_name} (private, {file_name})" if file_name else check_name


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
