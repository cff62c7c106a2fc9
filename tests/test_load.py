"""The same files get the same grade on a loaded machine: graded at rest, then beside 20 busy
processes per core (load ~40 on two cores), the reports agree in every score, status and
check's points. The files: the model answers of convolution and network; the loop answer
of convolution, which is correct and fails only the speed check (its call on the large batch
is stopped at its CPU budget, ~20 s on the clock beside the burners); and a convolution
answer that is slower than the model answer but within the budget.

Selected with ``-m load``; part of the default suite (~40 s).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, SOLUTIONS

from nnlab.grading import grade
from nnlab.sandbox.template import Template

pytestmark = [
    pytest.mark.load,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]

LOOP_ANSWERS = Path(__file__).resolve().parent / "loop_answers"
CORES = 2  # the grading and the burners share these (the course machine's count)
BURNERS_PER_CORE = 20


def load_benchmark() -> Any:
    """benchmarks/load.py: its burners and its measure of the slowdown."""
    spec = importlib.util.spec_from_file_location(
        "nnlab_load_benchmark", ROOT / "benchmarks" / "load.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def unhurried_convolution(cpu_seconds: float) -> str:
    """The model answer, which also spins for ``cpu_seconds`` of CPU time on the large batch:
    within the speed budget, and ~20 times as long on the clock beside the burners (past the
    5 s that the wall-clock speed check allowed before CPU time was measured)."""
    source = (SOLUTIONS / "convolution.py").read_text()
    head = 'def conv2d(x, kernel, bias=None, stride=1, padding="valid"):\n'
    assert head in source
    spin = (
        "    if np.size(x) > 100_000:\n"
        "        started = __import__('time').process_time()\n"
        f"        while __import__('time').process_time() < started + {cpu_seconds}:\n"
        "            pass\n"
    )
    return source.replace(head, head + spin)


def verdicts(folder: Path, slugs: list[str]) -> list[tuple]:
    report = grade(folder, slugs)
    return [
        (e.exercise, e.status, e.score, [(c.name, c.status, c.score) for c in e.checks])
        for e in report.exercises
    ]


@pytest.fixture
def two_cores() -> Any:
    """This process, its templates and their children on at most CORES cores, so that the
    burners load them as on the course machine whatever the machine; restored after."""
    if not hasattr(os, "sched_setaffinity"):
        pytest.skip("needs CPU affinity")
    before = os.sched_getaffinity(0)
    Template.close_shared()  # started again, on these cores, by the next grading
    os.sched_setaffinity(0, sorted(before)[:CORES])
    try:
        yield len(os.sched_getaffinity(0))
    finally:
        Template.close_shared()
        os.sched_setaffinity(0, before)


def test_the_same_files_get_the_same_grades_beside_cpu_burners(
    tmp_path: Path, two_cores: int
) -> None:
    model, loop, unhurried = tmp_path / "model", tmp_path / "loop", tmp_path / "unhurried"
    for folder in (model, loop, unhurried):
        folder.mkdir()
    for slug in ("convolution", "network"):
        shutil.copyfile(SOLUTIONS / f"{slug}.py", model / f"{slug}.py")
    shutil.copyfile(LOOP_ANSWERS / "convolution.py", loop / "convolution.py")
    (unhurried / "convolution.py").write_text(unhurried_convolution(0.3))
    cases = [
        (model, ["convolution", "network"]),
        (loop, ["convolution"]),
        (unhurried, ["convolution"]),
    ]

    at_rest = [verdicts(folder, slugs) for folder, slugs in cases]
    benchmark = load_benchmark()
    with benchmark.burners(BURNERS_PER_CORE * two_cores, seconds=120) as started:
        time.sleep(1.0)  # started and busy
        slowdown = benchmark.slowdown()
        loaded = [verdicts(folder, slugs) for folder, slugs in cases]
        running = sum(process.poll() is None for process in started)
    assert running == len(started), "a burner ended before the grading did"
    # the burners did load the machine: a busy loop took several times its CPU time
    assert slowdown > 5, f"a busy loop took only {slowdown:.1f}x its CPU time beside the burners"
    assert loaded == at_rest
    # and the grades are what they should be: full marks, and the loop fails only the speed check
    (conv, network), (loop_conv,), (unhurried_conv,) = at_rest
    assert unhurried_conv[1] == "passed"
    assert conv[1] == network[1] == "passed"
    failed = [(name, status) for name, status, _ in loop_conv[3] if status != "passed"]
    assert failed == [("conv2d_is_fast_on_a_batch_of_32_images", "failed")]
