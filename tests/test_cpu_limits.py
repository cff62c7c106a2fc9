"""Time limits are CPU time of the child, read from /proc by the parent: a call is stopped
when it has used its CPU limit, or used none for as long (asleep); a call's CPU time is what
the kernel counts, whatever the child reports; an exercise's calls share a CPU budget."""

from __future__ import annotations

import sys

import pytest

from nnlab.checks import Learner, LearnerError
from nnlab.sandbox import cgroups
from nnlab.sandbox.launcher import IDLE_MIN_SECONDS, Sandbox
from nnlab.sandbox.replies import ChildIdle, CpuLimitReached

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

SOURCE = """
import resource
import time

_process_time = time.process_time


def spin(seconds):
    started = _process_time()
    while _process_time() < started + seconds:
        pass
    return seconds


def nap(seconds):
    time.sleep(seconds)
    return seconds


def spin_in_a_grandchild(seconds):
    # the work of a grandchild no one waits for: the child only sleeps on a pipe
    import os

    read, write = os.pipe()
    if os.fork() == 0:
        if os.fork() == 0:
            spin(seconds)
            os.write(write, b"x")
        os._exit(0)
    os.wait()  # the middle child, which ended at once
    os.read(read, 1)
    return seconds


def spin_and_lie(seconds):
    # the child's own clocks, as the learner's code may set them: the parent reads /proc
    time.process_time = lambda: 0.0
    resource.getrusage = lambda who: resource.struct_rusage((0.0,) * 16)
    return spin(seconds)
"""


@pytest.fixture
def box():
    with Sandbox(SOURCE, "m.py", "m") as sandbox:
        assert sandbox.load().raised is None
        yield sandbox


def test_a_call_is_stopped_once_it_has_used_its_cpu_time(box: Sandbox) -> None:
    with pytest.raises(CpuLimitReached, match=r"within 0\.3 s of CPU time"):
        box.call("spin", (30,), timeout=60, cpu_limit=0.3)
    assert box.last_cpu_seconds >= 0.3


def test_a_call_that_uses_no_cpu_time_is_stopped_as_idle(box: Sandbox) -> None:
    with pytest.raises(ChildIdle, match=r"used no CPU time for 2\.0 s"):
        box.call("nap", (60,), timeout=60, cpu_limit=0.3)
    assert IDLE_MIN_SECONDS == 2.0


def test_sleeping_within_the_limit_is_not_cpu_time(box: Sandbox) -> None:
    reply = box.call("nap", (0.3,), timeout=10, cpu_limit=1.0)
    assert reply.value == 0.3 and reply.seconds >= 0.3
    assert reply.cpu_seconds < 0.15


def test_the_kernel_counts_the_cpu_time_whatever_the_child_says(box: Sandbox) -> None:
    reply = box.call("spin_and_lie", (0.4,), timeout=10, cpu_limit=5.0)
    assert reply.value == 0.4
    assert reply.cpu_seconds >= 0.35  # clock ticks: 10 ms each


@pytest.mark.skipif(
    cgroups.unavailable() is not None or "cpuacct" not in (cgroups._bases()[0] or {}),
    reason=f"no cpuacct cgroup for the child: {cgroups.unavailable()}",
)
def test_a_grandchild_no_one_waits_for_counts_against_the_limit(box: Sandbox) -> None:
    # /proc counts a process's threads and the children it waited for; the child's cpuacct
    # group counts every process it ever had. 0.8 s of work in 0.8 s of sleep: not idle
    # long enough to be stopped as idle, so only the group's count can stop it
    with pytest.raises(CpuLimitReached, match=r"within 0\.3 s of CPU time"):
        box.call("spin_in_a_grandchild", (0.8,), timeout=30, cpu_limit=0.3)
    assert box.last_cpu_seconds >= 0.3


def test_the_calls_of_an_exercise_share_one_cpu_budget(box: Sandbox) -> None:
    learner = Learner(box, file_name="m.py", signatures={}, call_timeout=10.0, budget_seconds=1.0)
    outcome = learner.call("spin", 0.6)
    assert outcome.cpu_seconds >= 0.55
    with pytest.raises(LearnerError) as stopped:  # 0.4 s of the budget left for this call
        learner.call("spin", 0.6)
    assert stopped.value.status == "timeout" and stopped.value.reason == "cpu"
    assert "time budget ran out" in str(stopped.value)
    with pytest.raises(LearnerError) as refused:
        learner.call("spin", 0.01)
    assert refused.value.reason == "budget" and "1 s of CPU time" in str(refused.value)
