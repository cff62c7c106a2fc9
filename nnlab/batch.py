"""Grading a class: every submission folder under a root, in parallel, each from a private copy.

Each folder directly under ``ROOT`` is one submission (folders whose name starts with
``.`` or ``_`` are skipped: ``.git``, ``.github``, ``__pycache__``). ``jobs`` worker
processes, forked from this one (so NumPy and pytest are imported once), each grade one
submission at a time with :func:`nnlab.grading.grade`, on a private copy of its exercise
files made in a temporary directory; a worker lives for several submissions so that its
sandbox template starts once. The learner's code itself runs in the engine's sandboxed
children, as for ``nnlab grade``. A worker whose grading crashes or overruns its time
budget is killed and replaced, and that submission alone is reported with every exercise
in status ``error``: it never stops or changes the others (the killed worker's sandbox
child dies with it, and anything it had detached comes back to this process, a child
subreaper, and is killed). Reports come back sorted by folder name whatever the order in
which they finish.

Sharding (``--shard K/N``, K from 1 to N) keeps the submissions whose folder name hashes
to K-1 modulo N, the hash being the first 8 bytes of SHA-256 of the name's bytes (UTF-8):
stable across machines, operating systems and Python versions, and a submission stays in its
shard when others are added or removed. Every submission lands in exactly one shard.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nnlab import catalog
from nnlab.results import GRADER_ERROR, ExerciseResult, Report
from nnlab.sandbox import processes
from nnlab.sandbox.isolation import isolation_report
from nnlab.text import one_line
from nnlab.workspace import WorkspaceError, copy_as_is, find_submission, open_folder

# nnlab.grading and nnlab.sandbox.launcher (pytest, NumPy) are imported where they are used,
# for speed: `nnlab grade` and `nnlab similarity` import this module for submission_name,
# and similarity never grades.

if TYPE_CHECKING:
    from nnlab.grading import CheckSession

SKIPPED_PREFIXES = (".", "_")
SCRATCH_PREFIX = "nnlab-batch-"  # + the supervisor's pid: a dead run's folder is swept
_PR_SET_PDEATHSIG = 1
# a worker is killed this long after its exercises' own limits should have stopped it
BACKSTOP_MARGIN_SECONDS = 60.0


class BatchError(Exception):
    """A usage or input problem (no such folder, bad shard), worth one line."""


class Terminated(KeyboardInterrupt):
    """The supervisor was sent SIGTERM: stop as for Ctrl-C (every worker is stopped, the
    scratch folder removed, no report written)."""


# --- which submissions -----------------------------------------------------------------------


def discover(root: Path) -> list[Path]:
    """The submission folders directly under ``root``, sorted by name."""
    root = Path(root)
    if not root.is_dir():
        raise BatchError(f"folder not found: {root}")
    folders = sorted(
        (
            entry
            for entry in root.iterdir()
            if entry.is_dir() and not entry.name.startswith(SKIPPED_PREFIXES)
        ),
        key=lambda entry: entry.name,
    )
    unique_names(folders)
    return folders


def unique_names(folders: Sequence[Path]) -> None:
    """Refuse two folders that reports would show under one name (as merge refuses a
    submission twice): one row would stand for two students."""
    seen: dict[str, Path] = {}
    for folder in folders:
        name = submission_name(folder)
        if name in seen:
            raise BatchError(
                f"two submission folders, {seen[name]} and {folder}, would both be named "
                f"{name!r} in the reports; rename one"
            )
        seen[name] = folder


def emptiness(folder: Path) -> str | None:
    """Why a submission folder holds nothing to grade, or None: it is empty, or holds only
    a ``.git`` (a student repository committed as an embedded repository arrives so)."""
    try:
        names = sorted(entry.name for entry in Path(folder).iterdir())
    except OSError:
        return None
    if not names:
        return "is empty"
    if names == [".git"]:
        return (
            "holds only a .git folder (a repository committed inside another arrives without "
            "its files: add the files themselves)"
        )
    return None


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` -> ``(2, 4)``; K counts from 1 so that a CI matrix ``[1, 2, 3, 4]`` reads naturally."""
    try:
        k_text, n_text = text.split("/")
        k, n = int(k_text), int(n_text)
    except ValueError:
        raise BatchError(f"--shard wants K/N such as 2/4, not {text!r}") from None
    if n < 1 or not 1 <= k <= n:
        raise BatchError(f"--shard {text}: K must be between 1 and N (N >= 1)")
    return k, n


def shard_of(name: str, count: int) -> int:
    """The shard (1..count) that holds the submission folder ``name``."""
    digest = hashlib.sha256(os.fsencode(name)).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def submission_name(folder: Path) -> str:
    """The folder's name as reports show it: its UTF-8 text, with each byte that is not
    UTF-8 written ``\\xNN`` and a backslash written ``\\\\``. Different folders never share
    a name (bytes replaced by U+FFFD did), and :func:`folder_bytes` gives the folder back."""
    raw = os.fsencode(Path(folder).name)
    parts = []
    while raw:
        try:
            parts.append(raw.decode("utf-8").replace("\\", "\\\\"))
            break
        except UnicodeDecodeError as error:
            parts.append(raw[: error.start].decode("utf-8").replace("\\", "\\\\"))
            parts.append("".join(f"\\x{byte:02x}" for byte in raw[error.start : error.end]))
            raw = raw[error.end :]
    return "".join(parts)


def folder_bytes(name: str) -> bytes:
    """The folder name (bytes) that :func:`submission_name` shows as ``name``."""
    out = bytearray()
    index = 0
    while index < len(name):
        if name.startswith("\\\\", index):
            out += b"\\"
            index += 2
        elif name.startswith("\\x", index):
            out.append(int(name[index + 2 : index + 4], 16))
            index += 4
        else:
            out += name[index].encode("utf-8")
            index += 1
    return bytes(out)


def select_shard(folders: Sequence[Path], shard: tuple[int, int] | None) -> list[Path]:
    if shard is None:
        return list(folders)
    k, n = shard
    return [folder for folder in folders if shard_of(folder.name, n) == k]


# --- one submission, in a worker -------------------------------------------------------------


def private_copy(source: Path, target: Path, slugs: Sequence[str]) -> None:
    """Copy the exercise files (``<slug>.py``/``.ipynb``) of ``source`` into ``target``.

    Copied as they are (see :func:`nnlab.workspace.copy_as_is`): no link is followed, in
    the folder or to it, and a link or special file is graded as `nnlab grade` grades it
    (refused, with the reason), so a submission cannot make the grader read other files.
    """
    target.mkdir(parents=True, exist_ok=True)
    with open_folder(source) as folder_fd:
        for slug in slugs:
            for suffix in (".py", ".ipynb"):
                with contextlib.suppress(OSError):
                    copy_as_is(folder_fd, f"{slug}{suffix}", target)


def _grade_one(
    folder: str,
    name: str,
    slugs: list[str],
    extra_check_dirs: list[str],
    scratch: str,
    session: CheckSession | None = None,
) -> tuple[str, Any]:
    """Grade one submission from a private copy: ("report", Report) or ("crash", reason)."""
    try:
        from nnlab.grading import GradingOptions, grade
        from nnlab.sandbox.world import keep_hidden

        copy = Path(scratch)
        keep_hidden([Path(folder).resolve().parent])  # the class: no child reads a classmate's
        private_copy(Path(folder), copy, slugs)
        options = GradingOptions(extra_check_dirs=[Path(d) for d in extra_check_dirs])
        report = grade(
            copy,
            slugs,
            include_missing=True,
            submission_name=name,
            options=options,
            session=session,
        )
        return ("report", report)
    except WorkspaceError as error:  # the folder is a link: the submission's error, not ours
        refused = [ExerciseResult(s, f"{s}.py", status="error", message=str(error)) for s in slugs]
        return ("report", Report(name, refused, sandbox=isolation_report()))
    except Exception as error:  # reported, never propagated: the parent decides
        return ("crash", "".join(traceback.format_exception_only(type(error), error)).strip())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _worker_loop(
    connection: Connection,
    slugs: list[str],
    extra_check_dirs: list[str],
    scratch_root: str,
    cpu: int | None = None,
    templates: Sequence[Any] = (),
    session: Any = None,
    submitted: Sequence[str] | None = None,
    supervisor: int | None = None,
) -> None:
    """A worker grades one submission at a time until told to stop (``None``) or killed.

    It dies with its supervisor (pid ``supervisor``), however that ends: SIGKILL included.

    It lives for several submissions so that its sandbox template (a process that has
    already imported NumPy and forks each exercise's child) is started once, and every
    submission is graded in one pytest session: ``session``, the supervisor's, when the
    worker was forked inside it (its checks are collected already), else one it collects.
    ``templates`` are clones of the supervisor's templates, made for this worker (see
    :func:`_base_templates`); a preload without one gets a template of its own here.
    ``submitted``: the exercises whose checks are collected (default ``slugs``); the
    others are reported missing without a check.
    """
    from nnlab.grading import CheckSession, warm_template
    from nnlab.sandbox.template import Template

    _die_with(supervisor)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the supervisor's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the supervisor's handler, inherited
    if cpu is not None:  # before the template starts: it and every child inherit the core
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, {cpu})
    Template.forget_inherited()
    for template in templates:
        Template.adopt(template)

    def serve(session: CheckSession) -> None:
        while True:
            try:
                task = connection.recv()
            except (EOFError, OSError):
                return
            if task is None:
                return
            folder, name = task
            scratch = tempfile.mkdtemp(prefix="submission-", dir=scratch_root)
            result = _grade_one(folder, name, slugs, extra_check_dirs, scratch, session)
            try:
                connection.send(result)
            except OSError:
                return

    collected = list(slugs if submitted is None else submitted)
    try:
        warm_template([catalog.get(slug) for slug in collected])
        if session is not None:
            serve(session)
        else:
            CheckSession(collected, [Path(d) for d in extra_check_dirs]).run(serve)
    finally:
        connection.close()
        _close_template()


def _die_with(parent: int | None) -> None:
    """Ask the kernel for SIGKILL when the parent (the supervisor) dies, then make sure it
    had not died already (before the request, when no signal would come)."""
    if parent is None or not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os._exit(1)


def _close_template() -> None:
    """Stop this worker's sandbox templates (a forked worker skips atexit)."""
    from nnlab.sandbox.template import Template

    with contextlib.suppress(Exception):
        Template.close_shared()


def submitted_slugs(slugs: Sequence[str], folders: Sequence[Path]) -> list[str]:
    """The exercises of ``slugs`` that at least one of ``folders`` has a file for.

    Only their checks are collected: an exercise nobody submitted is reported missing in
    every report without a check running (collecting the two Keras exercises' checks
    costs ~30 ms of start-up that a NumPy-only class would wait for in vain).
    """
    return [slug for slug in slugs if any(find_submission(folder, slug) for folder in folders)]


def _base_templates(slugs: Sequence[str]) -> list[Any]:
    """The sandbox templates this supervisor starts for its workers to clone, for the
    submitted exercises ``slugs``.

    A worker that starts its own template pays an interpreter start and the NumPy import
    (~0.25 s of CPU) on its core before it can grade, and TensorFlow's import (~5 s) for
    the Keras exercises; a clone of a template started here costs a fork. The TensorFlow
    template is started only when some submission has a Keras exercise. None at all where
    a template could not tell what a child left behind (it is not the workers' child, so
    what a learner's process leaves could not come back to them): each worker starts its
    own then, as before.
    """
    from nnlab.grading import preload_for
    from nnlab.sandbox.template import Template

    if not os.path.exists(f"/proc/self/task/{os.getpid()}/children"):
        return []
    templates = []
    for preload in dict.fromkeys(preload_for(catalog.get(slug)) for slug in slugs):
        template = Template.shared(preload)
        if template is not None:
            templates.append(template)
    return templates


def failed_report(name: str, slugs: Sequence[str], message: str) -> Report:
    """The report of a submission whose grading itself failed: every exercise
    ``grader_error`` (the grader's failure, not the learner's), 0 points."""
    report = Report(submission=name, sandbox=isolation_report())
    for slug in slugs:
        report.exercises.append(
            ExerciseResult(slug, f"{slug}.py", status=GRADER_ERROR, message=message)
        )
    return report


def budget_seconds(slugs: Sequence[str]) -> float:
    """The wall-clock backstop for one submission: every exercise's own wall-clock guards
    (sandbox.launcher.wall_guard of its CPU-time limits, which a loaded machine stretches),
    plus a margin."""
    from nnlab.grading import limits_for
    from nnlab.sandbox.launcher import wall_guard

    total = BACKSTOP_MARGIN_SECONDS
    for slug in slugs:
        limits = limits_for(catalog.get(slug))
        total += wall_guard(limits.load_seconds) + wall_guard(limits.exercise_seconds)
    return total


# --- the class -------------------------------------------------------------------------------


@dataclass
class BatchOptions:
    jobs: int = 0  # 0: the number of cores
    slugs: Sequence[str] = ()  # empty: every exercise of the catalogue
    extra_check_dirs: Sequence[Path] = ()
    submission_timeout: float | None = None  # None: budget_seconds(slugs)
    on_start: Callable[[str], None] | None = None
    on_done: Callable[[Report, bool], None] | None = None  # (report, grading crashed)


@dataclass
class _Worker:
    process: Any
    connection: Connection
    task: str | None = None  # the submission being graded, None when idle
    deadline: float = math.inf
    cpu: int | None = None  # the core it and its sandbox processes run on, if pinned


@dataclass
class BatchResult:
    reports: list[Report] = field(default_factory=list)
    crashed: list[str] = field(default_factory=list)

    @property
    def all_passed(self) -> bool:
        return all(report.all_passed for report in self.reports)


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def cores_to_pin(jobs: int) -> list[int]:
    """The cores to give one worker each, or [] to leave the scheduler free.

    A worker and its sandbox child take turns (one checks while the other computes), so
    keeping both on one core saves the wake-ups and cache transfers between cores: measured,
    10 submissions with --jobs 2 on 2 cores took 3.0 s pinned against 3.3 s free (medians
    of 6). Only when there is one worker per core: with fewer, a worker's TensorFlow child
    may use the spare cores; with more, the scheduler balances better.
    """
    try:
        allowed = sorted(os.sched_getaffinity(0))
    except AttributeError:
        return []
    return allowed if len(allowed) > 1 and jobs == len(allowed) else []


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def grade_folders(folders: Sequence[Path], options: BatchOptions | None = None) -> BatchResult:
    """Grade every folder (a submission each, named by its folder name) in parallel."""
    from nnlab.grading import CheckSession  # imported before forking: each worker starts warm

    options = options or BatchOptions()
    slugs = list(options.slugs) or catalog.slugs()
    for slug in slugs:
        catalog.get(slug)
    jobs = options.jobs or default_jobs()
    timeout = options.submission_timeout or budget_seconds(slugs)
    extra = [str(Path(d).resolve()) for d in options.extra_check_dirs]
    context = _context()
    pending = sorted(folders, key=lambda folder: folder.name)
    reports: dict[str, Report] = {}
    crashed: list[str] = []
    workers: list[_Worker] = []
    names = [submission_name(folder) for folder in pending]
    if len(set(names)) != len(names):
        unique_names(pending)
    # what a killed run (SIGKILL: no clean-up) left in the temporary folder goes first
    processes.sweep_folders(tempfile.gettempdir(), SCRATCH_PREFIX)
    scratch_root = tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")
    # a killed worker's sandbox child dies with it (parent-death signal); anything it had
    # detached (setsid + double fork) is re-parented to us and killed by kill_escaped()
    processes.become_subreaper()

    me = os.getpid()
    cores = cores_to_pin(min(jobs, len(pending)))  # fewer submissions than jobs: fewer workers
    forking = context.get_start_method() == "fork"
    submitted = submitted_slugs(slugs, pending)
    bases = _base_templates(submitted) if forking else []
    # forking, the checks are collected once, here (by session.run below), and every worker
    # is forked inside that session; otherwise each worker collects them itself
    session = CheckSession(submitted, [Path(d) for d in extra]) if forking else None

    def spawn() -> _Worker:
        taken = {worker.cpu for worker in workers}
        cpu = next((core for core in cores if core not in taken), None)
        ours, theirs = context.Pipe(duplex=True)
        clones = [clone for clone in (base.clone(cpu) for base in bases) if clone is not None]
        process = context.Process(
            target=_worker_loop,
            args=(theirs, slugs, extra, scratch_root, cpu, clones, session, submitted, me),
            daemon=True,
        )
        process.start()
        theirs.close()
        for clone in clones:  # the worker's now: it alone must hold the socket
            clone.detach()
        worker = _Worker(process, ours, cpu=cpu)
        workers.append(worker)
        return worker

    def kill(worker: _Worker) -> None:
        workers.remove(worker)
        worker.connection.close()
        worker.process.kill()
        worker.process.join(timeout=5)
        processes.kill_escaped()  # what its sandbox left behind came back to us

    def record(name: str, report: Report, did_crash: bool) -> None:
        reports[name] = report
        if did_crash:
            crashed.append(name)
        if options.on_done:
            options.on_done(report, did_crash)

    def assign(folder: Path) -> None:
        idle = [worker for worker in workers if worker.task is None]
        for attempt in range(2):  # a worker that died while idle is replaced once
            worker = idle.pop(0) if idle and attempt == 0 else spawn()
            try:
                # absolute, not resolved: a folder that is a link is refused, not followed
                worker.connection.send((str(folder.absolute()), submission_name(folder)))
            except OSError:
                kill(worker)
                continue
            worker.task, worker.deadline = submission_name(folder), time.monotonic() + timeout
            if options.on_start:
                options.on_start(submission_name(folder))
            return
        name = submission_name(folder)
        record(name, failed_report(name, slugs, "no worker could start"), True)

    def supervise(*_: Any) -> None:
        while pending or any(worker.task for worker in workers):
            while pending and sum(worker.task is not None for worker in workers) < jobs:
                assign(pending.pop(0))
            busy = [worker for worker in workers if worker.task is not None]
            if not busy:
                continue
            nearest = min(worker.deadline for worker in busy)
            ready = wait([w.connection for w in busy], timeout=max(0.0, nearest - time.monotonic()))
            for worker in busy:
                name = worker.task
                assert name is not None
                if worker.connection in ready:
                    try:
                        kind, payload = worker.connection.recv()
                    except (EOFError, OSError):
                        worker.process.join(timeout=5)
                        code = worker.process.exitcode
                        kill(worker)
                        message = f"grading this submission crashed (worker exit status {code})"
                        record(name, failed_report(name, slugs, message), True)
                        continue
                    worker.task, worker.deadline = None, math.inf
                    if kind == "report":
                        record(name, payload, False)
                    else:
                        message = f"grading this submission failed: {payload}"
                        record(name, failed_report(name, slugs, message), True)
                elif time.monotonic() >= worker.deadline:
                    kill(worker)
                    message = f"grading this submission did not finish within {timeout:g} s"
                    record(name, failed_report(name, slugs, message), True)

    def terminate(*_: Any) -> None:
        raise Terminated

    # SIGTERM (a CI job cancelled, `kill`): stop as for Ctrl-C, through the clean-up below
    handling = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, terminate) if handling else None
    try:
        if session is not None:
            session.run(supervise)
        else:
            supervise()
    finally:
        if handling:
            signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)
        for worker in list(workers):
            if worker.task is None:  # idle: let it close its template and leave
                with contextlib.suppress(OSError):
                    worker.connection.send(None)
        for worker in list(workers):
            worker.process.join(timeout=5 if worker.task is None else 0)
            if worker.process.is_alive():
                kill(worker)
            else:
                worker.connection.close()
        shutil.rmtree(scratch_root, ignore_errors=True)
    ordered = [reports[name] for name in sorted(reports)]
    return BatchResult(ordered, sorted(crashed))


def grade_batch(
    root: Path, options: BatchOptions | None = None, shard: tuple[int, int] | None = None
) -> BatchResult:
    """Grade the submissions under ``root`` (or one shard of them)."""
    return grade_folders(select_shard(discover(root), shard), options)


# --- progress on stderr ----------------------------------------------------------------------


class BatchProgress:
    """``[####------] 4/12 · 0:13 elapsed · 1 below full marks``, on stderr.

    On a terminal one line is redrawn in place; elsewhere (CI logs, pipes) one plain
    line per finished submission.
    """

    WIDTH = 24

    def __init__(self, total: int, stream: Any = None, live: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.total = total
        self.done = 0
        self.failing = 0
        self.crashed = 0
        self.started = time.monotonic()

    def _elapsed(self) -> str:
        seconds = int(time.monotonic() - self.started)
        return f"{seconds // 60}:{seconds % 60:02d}"

    def _counts(self) -> str:
        text = f"{self.failing} below full marks"
        if self.crashed:
            text += f", {self.crashed} could not be graded"
        return text

    def start(self) -> None:
        if self.live:
            self._draw()

    def _draw(self) -> None:
        filled = self.WIDTH * self.done // self.total if self.total else self.WIDTH
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        line = f"[{bar}] {self.done}/{self.total} · {self._elapsed()} elapsed · {self._counts()}"
        self.stream.write(f"\r\033[K{line}")
        self.stream.flush()

    def update(self, report: Report, crashed: bool) -> None:
        self.done += 1
        self.failing += not report.all_passed
        self.crashed += crashed
        if self.live:
            self._draw()
        else:
            score = f"{report.score:.1f}/{report.max_score:.0f}"
            note = " (could not be graded)" if crashed else ""
            self.stream.write(
                f"[{self.done}/{self.total}] {one_line(report.submission, 200)}: {score}{note} · "
                f"{self._elapsed()} elapsed · {self._counts()}\n"
            )
            self.stream.flush()

    def close(self) -> None:
        if self.live:
            self.stream.write("\n")
            self.stream.flush()
