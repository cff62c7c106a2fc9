"""The learner's folder: exercise files, backups and `.nnlab/progress.json`.

Every file nnlab writes here goes through :func:`atomic_write`, and nothing a
learner wrote is ever replaced without a backup beside it.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from nnlab import catalog
from nnlab.results import Report

PROGRESS_FILE = Path(".nnlab") / "progress.json"


class WorkspaceError(Exception):
    """A problem with the learner's folder or files, worth one line to the user."""


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _mode_for(path))  # mkstemp makes 0600; a learner's file is an ordinary one
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """The mode the file has now, or what a plain open() would give a new one."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def require_folder(folder: Path) -> Path:
    folder = Path(folder)
    if not folder.is_dir():
        raise WorkspaceError(f"folder not found: {folder}")
    return folder


# --- submissions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """One exercise file found in a folder; ``note`` says which was chosen when both exist."""

    slug: str
    path: Path
    note: str = ""

    @property
    def is_notebook(self) -> bool:
        return self.path.suffix == ".ipynb"

    def source(self) -> str:
        """The Python source to load: the file itself, or the notebook's code cells."""
        if self.is_notebook:
            from nnlab.notebook import notebook_source

            return notebook_source(self.path)
        return self.path.read_text(encoding="utf-8-sig", errors="replace")


def find_submission(folder: Path, slug: str) -> Submission | None:
    """``<slug>.py`` or ``<slug>.ipynb`` in ``folder``; the .py wins when both exist."""
    script, notebook = folder / f"{slug}.py", folder / f"{slug}.ipynb"
    has_script, has_notebook = script.is_file(), notebook.is_file()
    if has_script and has_notebook:
        return Submission(
            slug, script, f"both {script.name} and {notebook.name} exist; graded {script.name}"
        )
    if has_script:
        return Submission(slug, script)
    if has_notebook:
        return Submission(slug, notebook)
    return None


def present_slugs(folder: Path) -> list[str]:
    return [slug for slug in catalog.slugs() if find_submission(folder, slug)]


# --- start -----------------------------------------------------------------------------------


def backup_path(path: Path) -> Path:
    """The first free name among ``x.py.bak``, ``x.py.bak1``, ``x.py.bak2``, ..."""
    candidate = path.with_name(path.name + ".bak")
    number = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.bak{number}")
        number += 1
    return candidate


def start(
    folder: Path, slug: str, *, notebook: bool = False, force: bool = False
) -> tuple[Path, Path | None]:
    """Write the exercise's stub into ``folder``; return (written file, backup or None)."""
    exercise = catalog.get(slug)
    folder = require_folder(folder)
    target = folder / f"{slug}{'.ipynb' if notebook else '.py'}"
    other = folder / f"{slug}{'.py' if notebook else '.ipynb'}"
    if other.exists() and not force:
        # when both exist the .py is graded: a new .py hides the notebook, a new notebook is ignored
        effect = (
            f"the new {target.name} would be graded instead of it"
            if not notebook
            else f"it would still be graded, not the new {target.name}"
        )
        raise WorkspaceError(
            f"{other.name} already exists and {effect}; use --force to write {target.name} anyway"
        )
    backup = None
    if target.exists():
        if not force:
            raise WorkspaceError(
                f"{target} already exists and holds your work; nnlab will not overwrite it "
                "(use --force to start over: your file is kept as a backup)"
            )
        backup = backup_path(target)
        atomic_write(backup, target.read_bytes())
    if notebook:
        from nnlab.notebook import stub_notebook

        content = stub_notebook(exercise)
    else:
        content = exercise.stub_path.read_text(encoding="utf-8")
    atomic_write(target, content)
    record_started(folder, slug)
    return target, backup


# --- progress --------------------------------------------------------------------------------


def load_progress(folder: Path) -> dict[str, Any]:
    path = Path(folder) / PROGRESS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    exercises = data.get("exercises") if isinstance(data, dict) else None
    return exercises if isinstance(exercises, dict) else {}


def _save_progress(folder: Path, exercises: dict[str, Any]) -> None:
    payload = {"schema": "nnlab-progress/1", "exercises": exercises}
    target = Path(folder) / PROGRESS_FILE
    # atomic_write replaces a symbolic link itself, never its target; a linked folder would
    # still lead elsewhere, so it is refused
    if target.parent.is_symlink():
        raise OSError(f"{target.parent} is a symbolic link; nnlab writes only into a real folder")
    atomic_write(target, json.dumps(payload, indent=2, sort_keys=True) + "\n")


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def record_started(folder: Path, slug: str) -> None:
    progress = load_progress(folder)
    entry = progress.setdefault(slug, {})
    entry.setdefault("started_at", _now())
    _save_progress(folder, progress)


def record_report(folder: Path, report: Report) -> None:
    """Remember each graded exercise's last score (missing exercises are not recorded)."""
    progress = load_progress(folder)
    for exercise in report.exercises:
        if exercise.status == "missing":
            continue
        entry = progress.setdefault(exercise.exercise, {})
        entry.update(
            {
                "status": exercise.status,
                "score": round(exercise.score, 2),
                "max_score": round(exercise.max_score, 2),
                "graded_at": _now(),
                "failing": [c.name for c in exercise.checks if c.status != "passed"],
            }
        )
        if exercise.status == "passed":
            entry.setdefault("passed_at", _now())
    _save_progress(folder, progress)


def revealed_hints(folder: Path) -> dict[str, dict[str, int]]:
    """How many hint levels the learner has asked for: exercise -> check -> count."""
    found: dict[str, dict[str, int]] = {}
    for slug, entry in load_progress(folder).items():
        hints = entry.get("hints") if isinstance(entry, dict) else None
        if isinstance(hints, dict):
            found[slug] = {
                str(name): count
                for name, count in hints.items()
                if isinstance(count, int) and count > 0
            }
    return found


def reveal_hint(folder: Path, slug: str, check: str, count: int) -> None:
    """Record that ``count`` levels of ``check``'s hints have been shown (never fewer than before)."""
    progress = load_progress(folder)
    entry = progress.setdefault(slug, {})
    hints = entry.get("hints") if isinstance(entry.get("hints"), dict) else {}
    previous = hints.get(check, 0) if isinstance(hints.get(check), int) else 0
    hints[check] = max(previous, count)
    entry["hints"] = hints
    _save_progress(folder, progress)


def status_line(folder: Path, slug: str, progress: dict[str, Any]) -> str:
    """'not started', 'started', '83.3/100', 'does not load' or 'passed' for `nnlab list`."""
    entry = progress.get(slug, {})
    present = find_submission(folder, slug) is not None
    if "score" in entry and present:
        if entry.get("status") == "passed":
            return "passed"
        if entry.get("status") == "error":
            return "does not load"
        return f"{entry['score']:g}/{entry.get('max_score', 100):g}"
    return "started" if present or entry else "not started"
