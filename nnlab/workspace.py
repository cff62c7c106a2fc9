"""The learner's folder: exercise files, backups and `.nnlab/progress.json`.

Every file nnlab writes here is written beside its name and renamed over it (readers see
the old or the new file, never half of one, and a link of that name is replaced, never
written through), and nothing a learner wrote is ever replaced without a backup beside it.

Files are what they say. A learner's folder, exercise file, `.nnlab` or progress file is
opened without following a symbolic link (``O_NOFOLLOW``, each name looked up in a
descriptor of the folder that holds it, so a link swapped in after a check is refused
too), and a file that is not a regular one (a named pipe, a device, a folder) is never
read: it is refused with a one-line reason. Nothing is read past a size limit: a
learner's source is compiled by the grading process, so its size bounds that work.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from nnlab import catalog
from nnlab.notebook import module_source, stub_notebook
from nnlab.results import Report
from nnlab.text import one_line

STATE_FOLDER = ".nnlab"
PROGRESS_FILE = Path(STATE_FOLDER) / "progress.json"
SOURCE_LIMIT = 1_000_000  # bytes of a learner's .py file, and of a notebook's code
NOTEBOOK_LIMIT = 20_000_000  # bytes of a learner's .ipynb, outputs included
PROGRESS_LIMIT = 1_000_000

_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class WorkspaceError(Exception):
    """A problem with the learner's folder or files, worth one line to the user."""


class RefusedFile(WorkspaceError):
    """A learner's file that is not graded: a link, not a regular file, or too large."""


# --- reading and writing without following links ---------------------------------------------


@contextlib.contextmanager
def open_folder(folder: Path, *, inside: int | None = None) -> Iterator[int]:
    """A descriptor of ``folder`` (a name in the folder ``inside``, when given), refusing a
    symbolic link or anything but a folder with :class:`WorkspaceError`."""
    try:
        fd = os.open(folder, _FOLDER, dir_fd=inside)
    except OSError as error:
        raise WorkspaceError(_folder_problem(folder, error, inside)) from None
    try:
        yield fd
    finally:
        os.close(fd)


def _folder_problem(folder: Path, error: OSError, inside: int | None) -> str:
    shown = one_line(folder, 300)
    if _is_link(folder, inside):
        return (
            f"{shown} is a symbolic link (to {_link_target(folder, inside)}); nnlab does not "
            "follow links in a learner's folder: use a real folder"
        )
    if error.errno == errno.ENOENT:
        return f"folder not found: {shown}"
    if error.errno == errno.ENOTDIR:
        return f"not a folder: {shown}"
    return f"cannot open the folder {shown}: {error.strerror or error}"


def _is_link(name: Path | str, inside: int | None) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=inside, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _link_target(name: Path | str, inside: int | None) -> str:
    try:
        return one_line(os.readlink(name, dir_fd=inside), 200)
    except OSError:
        return "somewhere"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def read_file_in(folder_fd: int, name: str, limit: int) -> bytes:
    """The bytes of the regular file ``name`` in the folder ``folder_fd``, at most ``limit``;
    :class:`RefusedFile` for a link, anything but a regular file, or a larger file."""
    shown = one_line(name, 200)
    try:
        info = os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
    except FileNotFoundError:
        raise RefusedFile(f"{shown} was not found") from None
    except OSError as error:
        raise RefusedFile(f"{shown} cannot be read: {error.strerror or error}") from None
    _refuse_unless_regular(name, info.st_mode, folder_fd)  # a device is never even opened
    try:
        fd = os.open(name, _READ, dir_fd=folder_fd)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.EMLINK):  # made a link since: O_NOFOLLOW says so
            _refuse_unless_regular(name, stat.S_IFLNK, folder_fd)
        raise RefusedFile(f"{shown} cannot be read: {error.strerror or error}") from None
    try:
        info = os.fstat(fd)  # what was opened, whatever the name holds now
        _refuse_unless_regular(name, info.st_mode, folder_fd)
        if info.st_size > limit:
            raise RefusedFile(_too_large(shown, info.st_size, limit))
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(limit + 1 - size, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while read
            raise RefusedFile(_too_large(shown, size, limit))
        return b"".join(chunks)
    finally:
        os.close(fd)


def _refuse_unless_regular(name: str, mode: int, folder_fd: int) -> None:
    shown = one_line(name, 200)
    if stat.S_ISLNK(mode):
        raise RefusedFile(
            f"{shown} is a symbolic link (to {_link_target(name, folder_fd)}); only a "
            "regular file is graded: put the file itself in the folder"
        )
    if not stat.S_ISREG(mode):
        raise RefusedFile(f"{shown} is {_kind(mode)}; only a regular file is graded")


def _too_large(shown: str, size: int, limit: int) -> str:
    kind = "notebook" if shown.endswith(".ipynb") else "source file"
    advice = " (clear its outputs and save it again)" if kind == "notebook" else ""
    return f"{shown} is {_megabytes(size)}; a {kind} over {_megabytes(limit)} is not graded{advice}"


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.3g} MB" if size >= 1e6 else f"{size / 1e3:.3g} kB"


def read_learner_file(path: Path, limit: int) -> bytes:
    """The bytes of a learner's file, its folder and the file itself opened without
    following a link (see :func:`read_file_in`)."""
    path = Path(path)
    with open_folder(path.parent) as folder_fd:
        return read_file_in(folder_fd, path.name, limit)


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never half of one.

    The file is written beside ``path`` and renamed over it: a link at ``path`` is replaced,
    never written through. ``path``'s folder is the caller's (``--out``): it may be a link.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    folder_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        _write_in(folder_fd, path.name, [_raw(data)])
    finally:
        os.close(folder_fd)


def _raw(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def _chunks_of(folder_fd: int, name: str) -> Iterator[bytes]:
    """The bytes of the regular file ``name`` (opened without following a link), in pieces."""
    fd = os.open(name, _READ, dir_fd=folder_fd)
    try:
        _refuse_unless_regular(name, os.fstat(fd).st_mode, folder_fd)
        while chunk := os.read(fd, 1 << 20):
            yield chunk
    finally:
        os.close(fd)


def _write_in(folder_fd: int, name: str, chunks: Iterable[bytes]) -> None:
    """Write ``chunks`` to a new file beside ``name``, then rename it over ``name``."""
    mode = _mode_for(folder_fd, name)
    while True:
        temporary = f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(
                temporary,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                0o600,
                dir_fd=folder_fd,
            )
            break
        except FileExistsError:
            continue
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder_fd)
        raise


def _mode_for(folder_fd: int, name: str) -> int:
    """The mode the regular file has now, or what a plain open() would give a new one."""
    try:
        info = os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
        if stat.S_ISREG(info.st_mode):
            return info.st_mode & 0o777
    except OSError:
        pass
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def require_folder(folder: Path) -> Path:
    """``folder`` if nnlab may work in it: a real folder (not a link), whose `.nnlab` and
    progress file, when present, are a real folder and a regular file."""
    folder = Path(folder)
    with open_folder(folder) as folder_fd:
        try:
            info = os.stat(STATE_FOLDER, dir_fd=folder_fd, follow_symlinks=False)
        except FileNotFoundError:
            return folder
        if not stat.S_ISDIR(info.st_mode):
            what = _describe(info.st_mode, STATE_FOLDER, folder_fd)
            raise WorkspaceError(
                f"{one_line(folder / STATE_FOLDER, 300)} is {what}, not a folder; nnlab keeps "
                "your progress there: remove it"
            )
        with open_folder(Path(STATE_FOLDER), inside=folder_fd) as state_fd:
            try:
                info = os.stat(PROGRESS_FILE.name, dir_fd=state_fd, follow_symlinks=False)
            except FileNotFoundError:
                return folder
            if not stat.S_ISREG(info.st_mode):
                what = _describe(info.st_mode, PROGRESS_FILE.name, state_fd)
                raise WorkspaceError(
                    f"{one_line(folder / PROGRESS_FILE, 300)} is {what}, not a regular "
                    "file; remove it (nnlab writes a new one)"
                )
    return folder


def _describe(mode: int, name: str, folder_fd: int) -> str:
    if stat.S_ISLNK(mode):
        return f"a symbolic link (to {_link_target(name, folder_fd)})"
    return _kind(mode)


def copy_as_is(folder_fd: int, name: str, target: Path) -> None:
    """Copy the learner's file ``name`` (in ``folder_fd``) into the folder ``target`` as it is,
    so that grading the copy refuses what grading the original would, with the same reason.

    A regular file within its size limit is copied; one over it becomes an empty file of
    the same size (sparse: nothing is read or written); one that cannot be read is left out
    (missing). A symbolic link becomes a link to the same target (never followed), a
    folder an empty folder, any other special file a named pipe.
    """
    limit = NOTEBOOK_LIMIT if name.endswith(".ipynb") else SOURCE_LIMIT
    copy = target / name
    info = os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
    if stat.S_ISREG(info.st_mode):
        try:
            copy.write_bytes(read_file_in(folder_fd, name, limit))
            return
        except RefusedFile:  # too large, or no longer a regular file: see what it is now
            info = os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
    if stat.S_ISREG(info.st_mode):
        if info.st_size > limit:
            with open(copy, "wb") as handle:
                handle.truncate(info.st_size)
    elif stat.S_ISLNK(info.st_mode):
        os.symlink(os.readlink(name, dir_fd=folder_fd), copy)
    elif stat.S_ISDIR(info.st_mode):
        copy.mkdir()
    else:
        os.mkfifo(copy)


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
        """The Python source to load: the file itself, or the notebook's code cells.

        :class:`RefusedFile` when the file is a link, not a regular file, or larger than
        :data:`SOURCE_LIMIT` (a notebook: :data:`NOTEBOOK_LIMIT`, and its code cells
        together :data:`SOURCE_LIMIT`).
        """
        if self.is_notebook:
            raw = read_learner_file(self.path, NOTEBOOK_LIMIT)
            source = module_source(raw.decode("utf-8", errors="replace"))
            if len(source.encode("utf-8", "replace")) > SOURCE_LIMIT:
                size = _megabytes(len(source.encode("utf-8", "replace")))
                raise RefusedFile(
                    f"the code cells of {self.path.name} add up to {size}; code over "
                    f"{_megabytes(SOURCE_LIMIT)} is not graded"
                )
            return source
        raw = read_learner_file(self.path, SOURCE_LIMIT)
        return raw.decode("utf-8-sig", errors="replace")


def _present(path: Path) -> bool:
    """Whether anything has that name: a link or a special file counts (it is refused with
    a reason when graded, never taken for a missing file)."""
    return os.path.lexists(path)


def find_submission(folder: Path, slug: str) -> Submission | None:
    """``<slug>.py`` or ``<slug>.ipynb`` in ``folder``; the .py wins when both exist."""
    script, notebook = folder / f"{slug}.py", folder / f"{slug}.ipynb"
    has_script, has_notebook = _present(script), _present(notebook)
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
    while os.path.lexists(candidate):  # a link of that name is kept too, never written through
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
    if os.path.lexists(other) and not force:
        # when both exist the .py is graded: a new .py hides the notebook, a new notebook is ignored
        effect = (
            f"the new {target.name} would be graded instead of it"
            if not notebook
            else f"it would still be graded, not the new {target.name}"
        )
        raise WorkspaceError(
            f"{other.name} already exists and {effect}; use --force to write {target.name} anyway"
        )
    if notebook:
        content = stub_notebook(exercise)
    else:
        content = exercise.stub_path.read_text(encoding="utf-8")
    backup = None
    with open_folder(folder) as folder_fd:
        try:
            mode = os.stat(target.name, dir_fd=folder_fd, follow_symlinks=False).st_mode
        except FileNotFoundError:
            mode = None
        if mode is not None and not force:
            raise WorkspaceError(
                f"{target} already exists and holds your work; nnlab will not overwrite it "
                "(use --force to start over: your file is kept as a backup)"
            )
        if mode is not None and not stat.S_ISREG(mode):
            raise WorkspaceError(
                f"{one_line(target, 300)} is {_describe(mode, target.name, folder_fd)}; nnlab "
                "neither follows nor replaces it: remove it, then start again"
            )
        if mode is not None:
            backup = backup_path(target)
            _write_in(folder_fd, backup.name, _chunks_of(folder_fd, target.name))
        _write_in(folder_fd, target.name, [content.encode("utf-8")])
    record_started(folder, slug)
    return target, backup


# --- progress --------------------------------------------------------------------------------


def load_progress(folder: Path) -> dict[str, Any]:
    """The recorded exercises; empty when there is no progress file, or no usable one."""
    try:
        with open_folder(Path(folder)) as folder_fd:
            with open_folder(Path(STATE_FOLDER), inside=folder_fd) as state_fd:
                raw = read_file_in(state_fd, PROGRESS_FILE.name, PROGRESS_LIMIT)
        data = json.loads(raw.decode("utf-8"))
    except (OSError, WorkspaceError, ValueError, RecursionError):
        return {}
    exercises = data.get("exercises") if isinstance(data, dict) else None
    return exercises if isinstance(exercises, dict) else {}


def _save_progress(folder: Path, exercises: dict[str, Any]) -> None:
    payload = {"schema": "nnlab-progress/1", "exercises": exercises}
    text = json.dumps(payload, indent=2, sort_keys=True) + "\n"
    try:
        with open_folder(Path(folder)) as folder_fd:
            with contextlib.suppress(FileExistsError):
                os.mkdir(STATE_FOLDER, dir_fd=folder_fd)
            with open_folder(Path(STATE_FOLDER), inside=folder_fd) as state_fd:
                _write_in(state_fd, PROGRESS_FILE.name, [text.encode("utf-8")])
    except WorkspaceError as error:  # a link where progress goes: not written, callers warn
        raise OSError(str(error)) from None


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
                # a blocked check's cause is another check's: hints start from those
                "failing": [
                    c.name for c in exercise.checks if c.status not in ("passed", "blocked")
                ],
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
