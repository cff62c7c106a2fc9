"""The template process: children forked from a NumPy-warm template behave like started ones."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import SOLUTIONS

from nnlab.sandbox import world
from nnlab.sandbox.launcher import Sandbox
from nnlab.sandbox.replies import ChildCrashed
from nnlab.sandbox.template import Template

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

SOURCE = """
import os
def who():
    return [os.getpid(), os.getppid(), os.getsid(0)]
def leave(code):
    os._exit(code)
"""


def test_forked_children_are_fresh_sessions_of_the_template_and_report_their_exit() -> None:
    seen = []
    for _ in range(3):
        with Sandbox(SOURCE, "m.py", "m") as box:
            assert box.load().raised is None
            pid, parent, session = box.call("who", timeout=10).value
            template = Template.shared()
            assert template is not None
            if AS_ROOT:  # the first process of a PID namespace of its own: no parent in sight
                assert pid == session == 1 and parent == 0
                assert _parent_of(box.process.pid) == template.process.pid
            else:
                assert parent == template.process.pid
                assert session == pid != os.getpid()
            seen.append(box.process.pid)
            with pytest.raises(ChildCrashed, match="exited with status 7"):
                box.call("leave", (7,), timeout=10)
    assert len(set(seen)) == 3, "every sandbox gets its own child"


def test_a_dead_template_is_replaced() -> None:
    template = Template.shared()
    assert template is not None
    template.process.kill()
    template.process.wait()
    with Sandbox(SOURCE, "m.py", "m") as box:
        assert box.load().raised is None
        assert box.call("who", timeout=10).value[1] != template.process.pid
    assert Template.shared() is not template


def test_without_the_template_children_are_started_as_new_interpreters(tmp_path: Path) -> None:
    (tmp_path / "tensors.py").write_text((SOLUTIONS / "tensors.py").read_text())
    completed = subprocess.run(
        [sys.executable, "-m", "nnlab", "grade", "tensors", "--no-progress"],
        cwd=tmp_path,
        env={**os.environ, "NNLAB_TEMPLATE": "0"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


KERAS_SOURCE = """
import numpy as np
import keras

def fit(seed):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy")
    x = np.random.default_rng(0).random((128, 4)).astype("float32")
    y = (x.sum(axis=1) > 2).astype("float32")
    return model.fit(x, y, epochs=2, verbose=0).history["loss"]
"""


@pytest.mark.tensorflow
def test_a_tensorflow_template_forks_children_that_train_keras_models_deterministically() -> None:
    losses = []
    for _ in range(2):
        with Sandbox(
            KERAS_SOURCE, "k.py", "k", preload=("tensorflow", "keras"), load_timeout=120
        ) as box:
            assert box.load().raised is None
            losses.append(box.call("fit", (3,), timeout=120).value)
    assert losses[0] == losses[1] and len(losses[0]) == 2
    assert Template.shared(("tensorflow", "keras")) is not Template.shared()


def test_a_grading_process_leaves_no_folder_behind(tmp_path: Path) -> None:
    work, scratch = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()
    scratch.mkdir()
    (work / "tensors.py").write_text((SOLUTIONS / "tensors.py").read_text())
    completed = subprocess.run(
        [sys.executable, "-m", "nnlab", "grade", "tensors", "--no-progress"],
        cwd=work,
        env={**os.environ, "TMPDIR": str(scratch)},
        capture_output=True,
        timeout=120,
    )
    assert completed.returncode == 0
    assert list(scratch.iterdir()) == []


VIEW_SOURCE = """
import os
def view(secret):
    return [os.readlink("/proc/self/ns/mnt"), os.getuid(), os.path.exists(secret)]
"""


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_children_share_the_mount_view_the_template_made_once_and_it_still_hides(
    tmp_path: Path,
) -> None:
    # a directory no other user may walk through, holding a file the child must not see
    hidden = Path(tempfile.mkdtemp(prefix="nnlab-test-hidden-", dir="/root"))
    try:
        secret = hidden / "secret.txt"
        secret.write_text("not for learners")
        seen = []
        for _ in range(2):
            with Sandbox(VIEW_SOURCE, "m.py", "m") as box:
                assert box.load().raised is None
                seen.append(box.call("view", (str(secret),), timeout=10).value)
        template = Template.shared()
        assert template is not None
        template_view = os.readlink(f"/proc/{template.process.pid}/ns/mnt")
        assert template_view != os.readlink("/proc/self/ns/mnt")
        # each child then makes a private world of its own from the template's view (the
        # children's views cannot be told apart by number: the first one's ended, and the
        # kernel may give the second the same)
        assert template_view not in (seen[0][0], seen[1][0])
        assert all(uid != 0 and not exists for _, uid, exists in seen)
    finally:
        shutil.rmtree(hidden, ignore_errors=True)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_a_child_that_needs_other_directories_makes_its_own_view(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Sandbox(VIEW_SOURCE, "m.py", "m") as box:  # the template's view exists by now
        assert box.load().raised is None
    extra = Path(tempfile.mkdtemp(prefix="nnlab-test-extra-", dir="/root"))
    try:
        (extra / "data.txt").write_text("needed by this child")
        extra.chmod(0o755)
        usual = world.needed_directories
        monkeypatch.setattr(world, "needed_directories", lambda w: [*usual(w), str(extra)])
        with Sandbox(VIEW_SOURCE, "m.py", "m") as box:
            assert box.load().raised is None
            own, uid, exists = box.call("view", (str(extra / "data.txt"),), timeout=10).value
        template = Template.shared()
        assert template is not None
        assert own != os.readlink(f"/proc/{template.process.pid}/ns/mnt")
        assert uid != 0 and exists
    finally:
        shutil.rmtree(extra, ignore_errors=True)


ESCAPE_SOURCE = """
import os, time
def who():
    return [os.getpid(), os.getppid()]
def escape():
    read, write = os.pipe()
    first = os.fork()
    if first == 0:
        os.setsid()
        second = os.fork()
        if second == 0:
            time.sleep(60)
            os._exit(0)
        os.write(write, str(second).encode())
        os._exit(0)
    os.waitpid(first, 0)
    return int(os.read(read, 100))
"""


def _parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as handle:
        return int(handle.read().rsplit(")", 1)[1].split()[1])


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_a_clone_of_the_template_forks_children_and_kills_what_they_leave_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # without PID namespaces (not root, or a kernel that refuses), the clone's own watch;
    # with them, what a child leaves dies with it (tests/test_isolation.py)
    monkeypatch.setattr(world, "PRIVATE_WORLD", False)
    base = Template.shared()
    assert base is not None
    clone = base.clone()
    assert clone is not None
    try:
        Template._shared[()] = clone  # what Template.adopt does in a grade-batch worker
        with Sandbox(ESCAPE_SOURCE, "m.py", "m") as box:
            assert box.load().raised is None
            _, parent = box.call("who", timeout=10).value
            assert parent == clone.process.pid != base.process.pid
            assert _parent_of(clone.process.pid) == base.process.pid  # a fork, not a start
            escaped = box.call("escape", timeout=10).value
            assert not _gone(escaped) and _parent_of(escaped) == clone.process.pid
            forked = box.process
        assert forked.left == 1  # the clone adopted the escaped process and killed it
        assert _gone(escaped)
    finally:
        Template._shared[()] = base
        clone.close()
    assert clone.process.poll() is not None and base.process.poll() is None


def test_a_clone_whose_template_died_is_seen_as_gone_and_replaced() -> None:
    base = Template(())
    clone = base.clone()  # asked for at once: the template is still importing NumPy
    assert clone is not None
    base.process.kill()  # before it forks the clone (or the clone dies with it)
    base.process.wait()
    saved = Template._shared.get(())
    Template._shared[()] = clone
    try:
        deadline = time.monotonic() + 5
        while clone.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert clone.process.poll() is not None
        fresh = Template.shared()
        assert fresh is not None and fresh is not clone
        with Sandbox(SOURCE, "m.py", "m") as box:
            assert box.load().raised is None
        fresh.close()
    finally:
        if saved is not None:
            Template._shared[()] = saved
        clone.close()
        base.close()


def test_child_users_avoid_ids_in_use_and_look_at_proc_at_most_once_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from nnlab.sandbox import processes

    monkeypatch.setattr(processes.os, "geteuid", lambda: 0)
    monkeypatch.setattr(processes, "_owners", None)
    looks: list[int] = []
    real_listdir = processes.os.listdir

    def listdir(path: str) -> list[str]:
        looks.append(1)
        return real_listdir(path)

    low = processes.UID_RANGE[0]
    monkeypatch.setattr(processes.os, "listdir", listdir)
    monkeypatch.setattr(processes, "_owner", lambda pid: low)  # every process runs as `low`
    draws = iter([low, low, low + 1, low + 1, low + 2])
    monkeypatch.setattr(processes.random.SystemRandom, "randrange", lambda self, a, b: next(draws))
    clock = [1000.0]
    monkeypatch.setattr(processes.time, "monotonic", lambda: clock[0])
    assert processes.unprivileged_uid() == low + 1  # `low` owns a process; skipped twice
    assert processes.unprivileged_uid() == low + 2  # low + 1 was handed out already
    assert len(looks) == 1
    clock[0] += processes.OWNERS_SECONDS + 0.1
    draws = iter([low + 3])
    processes.unprivileged_uid()
    assert len(looks) == 2  # a second later, /proc is looked at again
