"""Where one grading's time goes: `python benchmarks/grading.py` says how long, this says why.

A correct NumPy-only submission (the model answers) is graded again and again in one warm
process pinned to one core, as a grade-batch worker grades its submissions. For each
exercise it prints the CPU time of the grading process (checks, inputs, references,
comparisons, the parent's side of every call) and of its sandbox template with the
children it forked (the learner's code, the child's side of every call, forking and
ending each child), with the round trips each exercise makes. Then what a child costs
however little it does (started, module loaded, one call, closed), what each further
round trip costs, and what that leaves for the learners' code and the checks' own work.

    python benchmarks/breakdown.py             # 20 gradings per exercise
    python benchmarks/breakdown.py --runs 40   # steadier

Linux only (the template's CPU is read from /proc). Figures wander by 10-30% on a shared
machine; the split between the rows is what to read.
"""

from __future__ import annotations

import argparse
import marshal
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the CLI sets it for a grading

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from nnlab import catalog, grading  # noqa: E402  (after the path fix: a checkout works uninstalled)
from nnlab.sandbox import cgroups, world  # noqa: E402
from nnlab.sandbox.channel import Channel  # noqa: E402
from nnlab.sandbox.launcher import Sandbox  # noqa: E402
from nnlab.sandbox.template import Template  # noqa: E402

TRIVIAL = "import numpy as np\n\n\ndef add_one(x):\n    return x + 1\n"
EXTRA_CALLS = 20  # what a busier trivial child makes more: the cost of a round trip


class Clock:
    """CPU seconds of this process, and of the template with the children it reaped."""

    def __init__(self, template: Template) -> None:
        self.stat = f"/proc/{template.process.pid}/stat"
        self.tick = os.sysconf("SC_CLK_TCK")

    def read(self) -> tuple[float, float]:
        with open(self.stat) as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        # utime, stime, cutime, cstime: the template's and its reaped children's (in ticks,
        # 10 ms apiece: hence many runs); this process's own in microseconds
        template = sum(int(field) for field in fields[11:15]) / self.tick
        return time.process_time(), template

    def per_run(self, runs: int, work: Callable[[], object]) -> tuple[float, float]:
        """Milliseconds of CPU per run of ``work``: (this process, template + children)."""
        own_before, template_before = self.read()
        for _ in range(runs):
            work()
        own_after, template_after = self.read()
        return (
            (own_after - own_before) / runs * 1e3,
            (template_after - template_before) / runs * 1e3,
        )


def count_round_trips() -> Counter[str]:
    """Count the messages each sandbox sends its child, by module (a call, or a group)."""
    sent: Counter[str] = Counter()
    channel_of = Sandbox._channel

    def counting(self: Sandbox) -> Channel:
        # every request goes through the channel the sandbox hands out: count its sends
        channel = channel_of(self)
        if "send" not in vars(channel):
            send, module = channel.send, self.module_name

            def counted_send(header: dict, blobs: list) -> None:
                sent[module] += 1
                send(header, blobs)

            channel.send = counted_send  # type: ignore[method-assign]
        return channel

    Sandbox._channel = counting  # type: ignore[method-assign]
    return sent


def one_child(calls: int) -> None:
    """A sandbox as a grading makes one: started, a trivial module loaded, called, closed."""
    code = marshal.dumps(compile(TRIVIAL, "trivial.py", "exec"))
    with Sandbox(TRIVIAL, "trivial.py", "trivial", code=code) as sandbox:
        sandbox.load()
        for _ in range(calls):
            sandbox.call("add_one", (np.ones(3),), timeout=10.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="gradings per exercise")
    options = parser.parse_args()
    if not sys.platform.startswith("linux"):
        sys.exit("breakdown.py reads the template's CPU time from /proc: Linux only")
    if hasattr(os, "sched_setaffinity"):  # one core, as a grade-batch worker runs
        os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})
    slugs = [exercise.slug for exercise in catalog.EXERCISES if not exercise.uses_tensorflow]
    folder = Path(tempfile.mkdtemp(prefix="nnlab-breakdown-"))
    try:
        for slug in slugs:
            shutil.copyfile(ROOT / "solutions" / f"{slug}.py", folder / f"{slug}.py")
        template = Template.shared(())
        if template is None:
            sys.exit("no sandbox template here (NNLAB_TEMPLATE=0?): nothing to break down")
        clock = Clock(template)
        sent = count_round_trips()
        rows: list[tuple[str, float, float, float]] = []

        def drive(session: grading.CheckSession) -> None:
            grading.grade(folder, slugs, session=session)  # warm: caches, first-time paths
            for slug in slugs:
                sent.clear()
                own, forked = clock.per_run(
                    options.runs, lambda slug=slug: grading.grade(folder, [slug], session=session)
                )
                rows.append((slug, own, forked, sent[slug] / options.runs))

        grading.CheckSession(slugs).run(drive)
        one_child(1)  # warm
        bare = clock.per_run(options.runs * 5, lambda: one_child(1))
        busy = clock.per_run(options.runs * 5, lambda: one_child(1 + EXTRA_CALLS))
        shared = None
        if world.PRIVATE_WORLD and os.geteuid() == 0:  # the same child without its world
            world.PRIVATE_WORLD, for_child = False, cgroups.for_child
            cgroups.for_child = lambda *args: None  # type: ignore[assignment]
            try:
                one_child(1)
                shared = clock.per_run(options.runs * 5, lambda: one_child(1))
            finally:
                world.PRIVATE_WORLD, cgroups.for_child = True, for_child
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print_breakdown(rows, bare, busy, options.runs)
    if shared is not None:
        print(
            f"Of a child's {sum(bare):.1f} ms, its world of its own as root (PID, mount, IPC and "
            f"network namespaces, empty temporary folders, cgroups): "
            f"{sum(bare) - sum(shared):.1f} ms ({sum(shared):.1f} ms without; the kernel's "
            "later teardown of a network namespace is not counted)"
        )


def print_breakdown(
    rows: list[tuple[str, float, float, float]],
    bare: tuple[float, float],
    busy: tuple[float, float],
    runs: int,
) -> None:
    print(f"\nOne grading of a correct NumPy-only submission, CPU per grading ({runs} runs)")
    print(f"{'exercise':<13} {'grader':>9} {'children':>9} {'total':>9} {'round trips':>12}")
    for slug, own, forked, trips in rows:
        print(f"{slug:<13} {own:>7.1f}ms {forked:>7.1f}ms {own + forked:>7.1f}ms {trips:>12.0f}")
    own = sum(row[1] for row in rows)
    forked = sum(row[2] for row in rows)
    trips = sum(row[3] for row in rows)
    total = own + forked
    print(f"{'all':<13} {own:>7.1f}ms {forked:>7.1f}ms {total:>7.1f}ms {trips:>12.0f}")
    child = sum(bare)
    trip = (sum(busy) - child) / EXTRA_CALLS
    children = len(rows) * child
    calls = max(0.0, trips - len(rows)) * trip  # the first message of each child is its load
    print(
        f"\nA child that does almost nothing (started, loaded, one call, closed): "
        f"{child:.1f} ms ({bare[0]:.1f} grader, {bare[1]:.1f} template and child)"
    )
    print(f"Each further round trip with a small array: {trip * 1e3:.0f} µs")
    print(
        f"So of the {total:.0f} ms: {len(rows)} children {children:.0f} ms "
        f"({children / total:.0%}), {trips - len(rows):.0f} more round trips {calls:.0f} ms "
        f"({calls / total:.0%}), and {total - children - calls:.0f} ms "
        f"({(total - children - calls) / total:.0%}) for the learners' code and the checks' "
        "own work (inputs, references, comparisons, moving the arrays)"
    )


if __name__ == "__main__":
    main()
