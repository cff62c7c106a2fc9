"""``nnlab watch``: grade again each time an exercise file (or notebook) is saved.

The file system tells us about a save (``watchfiles``: inotify on Linux, FSEvents on macOS,
no polling loop of ours). The process lives as long as the watch, and so do its sandbox
templates: after the first grading, a Keras exercise's children are forked from a process
that imported TensorFlow once, so a re-grade costs the checks and the training, not the
import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from nnlab import catalog, grading
from nnlab.sandbox.template import Template
from nnlab.workspace import find_submission

SUFFIXES = (".py", ".ipynb")


def slug_of(path: str | Path, folder: Path) -> str | None:
    """The exercise a changed file belongs to: ``<slug>.py`` or ``<slug>.ipynb`` in ``folder``."""
    changed = Path(path)
    if changed.suffix not in SUFFIXES or changed.parent.resolve() != folder.resolve():
        return None
    return changed.stem if changed.stem in catalog.slugs() else None


def latest(folder: Path) -> str | None:
    """The exercise whose file was saved last, to grade first when none is named."""
    found = [
        (submission.path.stat().st_mtime, slug)
        for slug in catalog.slugs()
        if (submission := find_submission(folder, slug)) is not None
    ]
    return max(found)[1] if found else None


def warm(slug: str) -> None:
    """Start the sandbox template ``slug`` needs (TensorFlow for a Keras exercise), so that
    it is ready by the time a grading needs it and stays ready between gradings."""
    Template.shared(grading.preload_for(catalog.get(slug)))


def stamp(folder: Path, slug: str) -> tuple[int, int] | None:
    """What tells one save of an exercise's file from another: its mtime and size."""
    submission = find_submission(folder, slug)
    try:
        info = submission.path.stat() if submission else None
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size) if info else None


def watch(
    folder: Path,
    named: str | None,
    grade: Callable[[str], None],
    *,
    changes: Callable[[Path], Iterable[set[tuple[object, str]]]] | None = None,
) -> None:
    """Grade ``named`` (or the file saved last), then again after each save of its file (or,
    with no exercise named, of any exercise file: that one). Returns when ``changes`` ends;
    Ctrl-C (KeyboardInterrupt) goes to the caller.

    A save while a grading runs, or before the watcher has started, is not lost: the file's
    stamp at the start of the last grading is compared whenever the watcher wakes up (at a
    change, or every half second with nothing changed).
    """
    current = named or latest(folder)
    graded: tuple[int, int] | None = None

    def grade_now(slug: str) -> tuple[int, int] | None:
        warm(slug)
        before = stamp(folder, slug)
        grade(slug)
        return before

    if current is not None and find_submission(folder, current) is not None:
        graded = grade_now(current)
    for batch in (changes or _changes)(folder):
        saved = {slug for _, path in batch if (slug := slug_of(path, folder)) is not None}
        if named is not None:
            saved &= {named}
        if current is not None and current not in saved and stamp(folder, current) != graded:
            saved.add(current)  # saved while the last grading ran
        if not saved:
            continue
        current = current if current in saved else sorted(saved)[0]
        graded = grade_now(current)


def _changes(folder: Path) -> Iterable[set[tuple[object, str]]]:
    import watchfiles

    def exercise_file(_: object, path: str) -> bool:
        return Path(path).suffix in SUFFIXES

    # files nnlab writes (progress, repro scripts) live under .nnlab: never a save; an empty
    # set every half second lets watch() notice a save made while it was grading
    return watchfiles.watch(
        folder,
        watch_filter=exercise_file,
        recursive=False,
        raise_interrupt=True,
        yield_on_timeout=True,
        rust_timeout=500,
    )
