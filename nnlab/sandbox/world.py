"""What a child sees, as root: a world of its own, and the grader's files out of sight.

The child's world is made by the child itself before it runs learner code (see
``server._furnish_world``); this module decides, in the grading process, what goes into
the request: the directories the child must reach (the interpreter, its packages, its own
folder) and those it must not (the nnlab package and its checkout, an instructor's
``--checks``, the folder of a class's submissions).
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nnlab.sandbox import SERVER

# Each child (as root) in a world of its own: its own PID, mount, IPC and network namespaces,
# empty temporary folders, a /proc showing only its own processes, and the grader's own
# files covered (see server._furnish_world). Tests turn it off to compare.
PRIVATE_WORLD = True
# Its root a new one (pivot_root) holding only what it needs; off, the child covers the
# grader's folders in the machine's root instead (as where pivot_root fails). For tests.
NEW_ROOT = True
_kept_hidden: set[str] = set()
_hidden: tuple[int, frozenset[str], list[str]] | None = None  # (pid, kept, directories)


def keep_hidden(paths: Iterable[Path | str]) -> None:
    """Directories no child of this process may see from now on (each is covered by an
    empty, unreadable folder in the child's mount view): an instructor's ``--checks``, the
    folder that holds the submissions of a class."""
    for path in paths:
        try:
            resolved = os.path.realpath(path)
        except (OSError, ValueError):
            continue
        if os.path.isdir(resolved) and resolved != "/":
            _kept_hidden.add(resolved)


def hidden_directories() -> list[str]:
    """What a child must not read: the nnlab package wherever the child's interpreter or ours
    would import it from (the references, the hidden checks and their inputs' seeds), the
    source checkout it belongs to (solutions, tests), and what :func:`keep_hidden` named.

    A directory that holds one the child needs (the interpreter's packages in a virtual
    environment inside the checkout, say) is not covered itself: its other entries are.
    """
    global _hidden
    kept = frozenset(_kept_hidden)
    if _hidden is not None and _hidden[0] == os.getpid() and _hidden[1] == kept:
        return _hidden[2]
    roots = set(kept)
    for package in _nnlab_packages():
        roots.add(package)
        checkout = os.path.dirname(package)
        if os.path.isdir(os.path.join(checkout, "grader")) and os.path.isfile(
            os.path.join(checkout, "pyproject.toml")
        ):
            roots.add(checkout)
    # (and the folder the children's own folders are made in)
    needed = [os.path.realpath(p) for p in [*needed_directories(None), tempfile.gettempdir()]]
    found: list[str] = []
    for root in sorted(roots):
        found.extend(_cover(root, needed))
    directories = []
    for path in sorted(set(found)):  # a folder inside a covered one is covered with it
        if not any(path.startswith(outer.rstrip("/") + "/") for outer in directories):
            directories.append(path)
    _hidden = (os.getpid(), kept, directories)
    return directories


def _nnlab_packages() -> set[str]:
    """Every directory a Python of this installation imports ``nnlab`` from: ours, and the
    one each entry of our path (an editable install's among them) or a site-packages folder
    gives (a child's ``python -I`` path is ours without PYTHONPATH)."""
    import importlib.machinery
    import site

    found = {str(Path(__file__).resolve().parent.parent)}
    try:
        folders = [*sys.path, *site.getsitepackages()]
    except AttributeError:  # pragma: no cover (virtualenv's old site module)
        folders = list(sys.path)
    for folder in folders:
        if not folder or not os.path.isabs(folder):
            continue
        try:
            spec = importlib.machinery.PathFinder.find_spec("nnlab", [folder])
        except (ImportError, OSError, ValueError):
            continue
        for location in (spec.submodule_search_locations or []) if spec else []:
            found.add(os.path.realpath(location))
    return {path for path in found if os.path.isdir(path)}


def _cover(root: str, needed: list[str]) -> list[str]:
    """``root`` if it holds nothing the child needs; else the entries of it that do not."""
    holds = [n for n in needed if n == root or n.startswith(root.rstrip("/") + "/")]
    if not holds:
        return [root]
    if root in holds:
        return []  # needed itself (an interpreter inside the folder): left as it is
    covered = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return []
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            covered.extend(_cover(entry.path, needed))
    return covered


@contextlib.contextmanager
def pids_of_its_own(wanted: bool) -> Any:
    """While inside, the processes this thread starts are each the first of a PID namespace
    of their own (root only; elsewhere nothing changes)."""
    own = None
    if wanted and sys.platform.startswith("linux") and os.geteuid() == 0:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        try:
            own = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            own = None
        if own is not None and libc.unshare(0x20000000) != 0:  # CLONE_NEWPID
            os.close(own)
            own = None
    try:
        yield
    finally:
        if own is not None:
            libc.setns(own, 0x20000000)
            os.close(own)


def needed_directories(workdir: Path | None) -> list[str]:
    """What the child must be able to read: the interpreter, its packages, its own files."""
    import site

    wanted = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    if workdir is not None:
        wanted.update((str(SERVER.parent), str(workdir)))
    try:
        wanted.update(site.getsitepackages())
    except AttributeError:  # pragma: no cover (virtualenv's old site module)
        pass
    wanted.update(p for p in sys.path if p and "-packages" in p)
    return sorted(p for p in wanted if os.path.isabs(p) and os.path.isdir(p))
