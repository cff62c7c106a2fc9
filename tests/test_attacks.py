"""The attack corpus: hostile submissions graded through the real engine.

Each file in ``tests/attacks/`` (except ``honest.py``) is appended to ``honest.py``, a
correct ``activations`` module, and graded with the corpus checks in
``tests/attacks/checks/``; its ``EXPECT`` dict (read with ``ast``, never run here) says
the verdict it must get:

- ``status``: the exercise status; ``checks``: {check name: status or tuple of statuses};
- ``message``: text that must appear in the exercise's or a check's message;
- ``hidden``: also graded with the course's own hidden checks: never passed, under 100;
- ``root_only``: needs the unprivileged child user (skipped when not run as root);
- ``survivor_check``: wait, then prove no process of the child is left and nothing it
  targeted (report, progress file, another submission) changed;
- ``files``: extra files dropped into the submission folder;
- ``call_seconds``: a longer per-call limit for this attack (memory attacks);
- ``listener``: a TCP listener on 127.0.0.1 (its port replaces ``__PORT__``) that no
  child may reach.

Every grading, whatever the attack, must leave no process of the child behind.
Limits are lowered (``GradingOptions.limits``) so that the corpus runs in well under a minute.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import shutil
import socket
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nnlab import grading
from nnlab.grading import GradingOptions, Limits, grade
from nnlab.sandbox import processes

CORPUS = Path(__file__).resolve().parent / "attacks"
CHECKS = CORPUS / "checks"
HONEST = CORPUS / "honest.py"
LIMITS = Limits(load_seconds=4.0, call_seconds=1.0, exercise_seconds=15.0, memory_bytes=384 * 2**20)
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
ATTACKS = sorted(path.stem for path in CORPUS.glob("*.py") if path.stem != "honest")
DURATIONS: dict[str, float] = {}


def expectation(name: str) -> dict[str, Any]:
    tree = ast.parse((CORPUS / f"{name}.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "EXPECT" for target in node.targets
        ):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name}.py has no EXPECT")


class Scene:
    """A world-readable folder holding the submission, a victim submission, a report and a
    world-writable marker folder where any surviving process would leave a trace."""

    def __init__(self, name: str) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="nnlab-attack-"))
        self.root.chmod(0o755)
        self.submission = self.root / "submission"
        self.victim = self.root / "victim" / "activations.py"
        self.report = self.root / "report.json"
        self.progress = self.submission / ".nnlab" / "progress.json"
        self.marker = self.root / "marker"
        self.marker.mkdir()
        self.marker.chmod(0o1777)
        self.victim.parent.mkdir()
        self.progress.parent.mkdir(parents=True)
        honest = HONEST.read_text(encoding="utf-8")
        self.victim.write_text(honest)
        self.report.write_text('{"score": 0.0}')
        self.progress.write_text("{}")
        expected = expectation(name)
        self.listener = None
        if expected.get("listener"):
            self.listener = socket.create_server(("127.0.0.1", 0))
        source = honest + "\n\n# --- the attack ---\n" + (CORPUS / f"{name}.py").read_text()
        (self.submission / "activations.py").write_text(self.fill(source))
        for file_name, text in expected.get("files", {}).items():
            (self.submission / file_name).write_text(self.fill(text))
        for folder in (self.submission, self.victim.parent, self.progress.parent):
            folder.chmod(0o755)
        self.before = self.snapshot()

    def fill(self, text: str) -> str:
        for placeholder, path in {
            "__MARKER__": self.marker,
            "__VICTIM__": self.victim,
            "__REPORT__": self.report,
            "__PROGRESS__": self.progress,
            "__SUBMISSION__": self.submission,
            "__PORT__": self.listener.getsockname()[1] if self.listener else 0,
        }.items():
            text = text.replace(placeholder, str(path))
        return text

    def snapshot(self) -> dict[str, tuple[bytes, int]]:
        return {
            str(path): (path.read_bytes(), stat.S_IMODE(path.stat().st_mode))
            for path in (self.victim, self.report, self.progress)
        }

    def traces(self) -> list[str]:
        return sorted(path.name for path in self.marker.iterdir())

    def remove(self) -> None:
        if self.listener:
            self.listener.close()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def child_users(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The user ids the sandbox picks during the test (root only), to look for survivors."""
    picked: list[int] = []
    original = processes.unprivileged_uid

    def recording() -> int | None:
        uid = original()
        if uid is not None:
            picked.append(uid)
        return uid

    monkeypatch.setattr(processes, "unprivileged_uid", recording)
    yield picked


def litter(users: list[int]) -> list[str]:
    """Files the child users left at the top of the shared temporary folders, and their
    System V shared-memory segments."""
    found = []
    if os.path.exists("/proc/sysvipc/shm"):
        with open("/proc/sysvipc/shm") as handle:
            rows = [line.split() for line in handle.readlines()[1:]]
        found += [f"shm {row[1]}" for row in rows if len(row) > 7 and int(row[7]) in users]
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        for entry in os.scandir(folder) if os.path.isdir(folder) else ():
            try:
                if entry.stat(follow_symlinks=False).st_uid in users:
                    found.append(entry.path)
            except OSError:
                continue
    return found


def survivors(users: list[int]) -> list[int]:
    table = processes.snapshot()
    found = processes.escaped(table)
    if users:
        found |= {pid for pid in table if processes.user_of(pid) in users}
    return sorted(pid for pid in found if table.get(pid) and table[pid].state != "Z")


def grade_with(
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    course_checks: bool,
    call_seconds: float | None = None,
) -> grading.ExerciseResult:
    if not course_checks:
        corpus_checks = [CHECKS / "test_activations_attacks.py"]
        monkeypatch.setattr(grading, "check_files", lambda slug, extra=(): corpus_checks)
    limits = LIMITS
    if call_seconds:
        limits = dataclasses.replace(LIMITS, call_seconds=call_seconds, exercise_seconds=30.0)
    options = GradingOptions(extra_check_dirs=[CHECKS], limits=limits)
    report = grade(folder, ["activations"], options=options)
    (result,) = report.exercises
    return result


def everything_said(result: grading.ExerciseResult) -> str:
    return "\n".join([result.message, *(check.message for check in result.checks)])


def test_the_honest_module_earns_full_marks_on_the_corpus_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "activations.py").write_text(HONEST.read_text())
    result = grade_with(tmp_path, monkeypatch, course_checks=False)
    assert result.status == "passed", everything_said(result)
    assert result.score == result.max_score == 100.0


@pytest.mark.parametrize("name", ATTACKS)
def test_attack_gets_its_verdict_and_leaves_nothing_behind(
    name: str, monkeypatch: pytest.MonkeyPatch, child_users: list[int]
) -> None:
    expected = expectation(name)
    if expected.get("root_only") and not AS_ROOT:
        pytest.skip("the child runs as another user only when nnlab runs as root")
    monkeypatch.setenv("NNLAB_ATTACK_SECRET", "the grader's secret")
    scene = Scene(name)
    try:
        started = time.perf_counter()
        result = grade_with(
            scene.submission,
            monkeypatch,
            course_checks=False,
            call_seconds=expected.get("call_seconds"),
        )
        DURATIONS[name] = time.perf_counter() - started
        said = everything_said(result)
        statuses = {check.name: check.status for check in result.checks}
        assert result.status == expected["status"], said
        assert result.score < 100.0
        for check_name, status in expected.get("checks", {}).items():
            allowed = status if isinstance(status, tuple) else (status,)
            assert statuses.get(check_name) in allowed, f"{check_name}: {statuses}\n{said}"
        if result.status == "error":
            assert all(status == "error" for status in statuses.values()), statuses
        if "message" in expected:
            assert expected["message"] in said, said
        assert survivors(child_users) == [], "a process of the child outlived the grading"
        if expected.get("survivor_check"):
            time.sleep(1.5)  # the escaped processes wait 1 s before they act
            assert survivors(child_users) == []
        assert scene.traces() == [], "a file the submission planted code in was run"
        assert litter(child_users) == []
        assert scene.snapshot() == scene.before, "report, progress or another submission changed"
        assert not (scene.submission / "conftest.py").exists() or "files" in expected
    finally:
        scene.remove()


@pytest.mark.parametrize("name", [n for n in ATTACKS if expectation(n).get("hidden")])
def test_attack_never_passes_the_course_checks(
    name: str, monkeypatch: pytest.MonkeyPatch, child_users: list[int]
) -> None:
    scene = Scene(name)
    try:
        result = grade_with(
            scene.submission,
            monkeypatch,
            course_checks=True,
            call_seconds=expectation(name).get("call_seconds"),
        )
        said = everything_said(result)
        assert result.status != "passed", said
        assert result.score < 100.0, said
        sigmoid_checks = [c for c in result.checks if c.function == "sigmoid"]
        assert sigmoid_checks and any(c.status != "passed" for c in sigmoid_checks), said
        assert survivors(child_users) == []
    finally:
        scene.remove()


def _grade_in_forked_worker(folder: str) -> None:
    # as on a learner's machine: no user switch, so only the process tree marks remain
    processes.unprivileged_uid = lambda: None
    options = GradingOptions(limits=LIMITS)
    grading.check_files = lambda slug, extra=(): [CHECKS / "test_activations_attacks.py"]
    report = grade(Path(folder), ["activations"], options=options)
    os._exit(0 if report.exercises[0].status == "partial" else 3)


@pytest.mark.parametrize("name", ["setsid_grandchild", "daemon_subreaper"])
def test_escaped_processes_die_without_a_user_switch_in_a_forked_worker(name: str) -> None:
    """Like one worker of `grade-batch` on a learner's machine: the worker is a fork of a
    process that may already be a subreaper (the flag is not inherited: it is set again)."""
    import multiprocessing

    processes.become_subreaper()  # the parent already is one, as in a batch
    scene = Scene(name)
    try:
        worker = multiprocessing.get_context("fork").Process(
            target=_grade_in_forked_worker, args=(str(scene.submission),)
        )
        worker.start()
        worker.join(60)
        assert worker.exitcode == 0
        time.sleep(1.5)  # the escaped processes wait 1 s before they act
        assert scene.traces() == [], "an escaped process outlived the grading"
    finally:
        scene.remove()


ESCAPE_AT_IMPORT = """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(2.0)
        open(os.path.join(MARKER, "survived"), "w").close()
    os._exit(0)
"""


def _load_and_wait(marker: str, ready: Any) -> None:
    from nnlab.sandbox.launcher import Sandbox

    processes.unprivileged_uid = lambda: None
    box = Sandbox(f"MARKER = {marker!r}\n" + ESCAPE_AT_IMPORT, "m.py", "m")
    box.load()
    ready.send(box.workdir)
    time.sleep(60)  # killed by the supervisor before it closes the sandbox


def test_a_supervisor_kills_what_a_killed_worker_left_behind() -> None:
    """grade-batch kills a worker that overruns: its child dies with it (parent-death
    signal) and the escaped grandchild comes back to the subreaper supervisor."""
    import multiprocessing

    processes.become_subreaper()
    scene = Scene("exit_in_call")
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    try:
        worker = context.Process(target=_load_and_wait, args=(str(scene.marker), sender))
        worker.start()
        assert receiver.poll(30)
        workdir = receiver.recv()  # a killed worker cannot remove its child's folder
        worker.kill()
        worker.join(10)
        time.sleep(0.2)
        processes.kill_escaped()
        time.sleep(2.5)
        assert scene.traces() == [], "the escaped grandchild outlived its worker"
        shutil.rmtree(workdir, ignore_errors=True)
    finally:
        scene.remove()


def test_folders_left_by_a_dead_grading_process_are_swept(monkeypatch: pytest.MonkeyPatch) -> None:
    from nnlab.sandbox.launcher import Sandbox

    stale = Path(tempfile.mkdtemp(prefix="nnlab-child-999999999-"))
    (stale / "home").mkdir()
    monkeypatch.setattr(processes, "_swept", set())
    with Sandbox("x = 1\n", "m.py", "m") as box:
        assert box.load().raised is None
        assert Path(box.workdir).name.startswith(f"nnlab-child-{os.getpid()}-")
    assert not stale.exists()


@pytest.mark.skipif(not AS_ROOT, reason="the child changes user only when nnlab runs as root")
def test_as_root_the_child_runs_as_a_fresh_unprivileged_user(tmp_path: Path) -> None:
    from nnlab.sandbox.launcher import Sandbox

    source = (
        "import os\n"
        "def who():\n"
        "    return (os.getuid(), os.getgid(), os.getgroups(), os.access(os.getcwd(), os.W_OK))\n"
        "def write(path):\n"
        "    open(path, 'w').write('x')\n"
    )
    target = tmp_path / "report.json"
    target.write_text("{}")
    with Sandbox(source, "m.py", "m") as box:
        assert box.load().raised is None
        uid, gid, groups, home_writable = box.call("who", timeout=10).value
        assert uid == box.uid == box.running_as() and uid >= processes.UID_RANGE[0]
        assert gid == uid and groups == [] and home_writable
        # not allowed, or (in its own mount view, where /tmp is empty) not even there
        assert box.call("write", (str(target),), timeout=10).raised.is_a("OSError")
    assert target.read_text() == "{}"


def test_slowest_attack_is_reported() -> None:
    """Not a check of its own: prints the slowest grading of the corpus (pytest -s)."""
    if DURATIONS:
        name = max(DURATIONS, key=DURATIONS.__getitem__)
        print(f"\nslowest attack grading: {name} {DURATIONS[name]:.1f} s")
