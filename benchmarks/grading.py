"""How long grading takes on this machine: `python benchmarks/grading.py`.

Every figure is the median wall time of several runs of the real command line in a fresh
process (what a learner or a CI job pays), printed with the floor beside it. Timings are
measured here and quoted in docs/performance.md; tests never assert them.

    python benchmarks/grading.py               # everything (the Keras figures take ~a minute)
    python benchmarks/grading.py --quick       # NumPy figures only, fewer runs
    python benchmarks/grading.py --runs 7 --only activations,batch

Figures (targets from the performance issue, on 2 cores):
  floor          python -c "import numpy, pytest, click"
  startup        nnlab --version
  activations    nnlab grade activations, correct answer           target <= 1.0 s
  numpy-all      every NumPy exercise of the course, correct answers
  full           every exercise incl. both Keras ones, correct      target <= 45 s
  batch          grade-batch of 10 NumPy-only submissions, --jobs 2 target <= 3x numpy-all
                 (each batch run right after one `nnlab grade` of a submission; the
                 ratio is the median of those pairs, steadier than a ratio of medians)
  conv2d         the reference conv2d beside tf.nn.conv2d          target <= 2x
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
sys.path.insert(0, str(ROOT))

from nnlab import catalog  # noqa: E402  (after the path fix, so a checkout works uninstalled)

NNLAB = [sys.executable, "-m", "nnlab"]


def timed(command: list[str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if completed.returncode not in (0, 1):  # 1 = some check failed: still a grading
        raise RuntimeError(f"{' '.join(command)} failed:\n{completed.stderr[-2000:]}")
    if "grade" in command and "json" in command:  # a figure is only honest for a full grading
        report = json.loads(completed.stdout)
        if report["score"] != report["max_score"]:
            short = [e["exercise"] for e in report["exercises"] if e["status"] != "passed"]
            raise RuntimeError(f"the model answers did not earn full marks: {short}")
    return seconds


def median_of(runs: int, measure: Callable[[], float]) -> tuple[float, float]:
    times = [measure() for _ in range(runs)]
    return statistics.median(times), min(times)


def submission(folder: Path, slugs: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for slug in slugs:
        shutil.copyfile(SOLUTIONS / f"{slug}.py", folder / f"{slug}.py")
    return folder


def grade_command(folder: Path, slugs: list[str]) -> list[str]:
    return [*NNLAB, "grade", *slugs, "--dir", str(folder), "--no-progress", "--format", "json"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median shown)")
    parser.add_argument("--quick", action="store_true", help="NumPy figures only, 3 runs")
    parser.add_argument("--only", default="", help="comma-separated figure names")
    options = parser.parse_args()
    runs = 3 if options.quick else options.runs
    wanted = set(filter(None, options.only.split(",")))
    numpy_slugs = [e.slug for e in catalog.EXERCISES if not e.uses_tensorflow]
    every_slug = catalog.slugs()
    present = {path.stem for path in SOLUTIONS.glob("*.py")}
    rows: list[tuple[str, str, float | None, float | None, str]] = []
    ratios: list[float] = []  # batch / one submission, each pair measured back to back
    scratch = Path(tempfile.mkdtemp(prefix="nnlab-bench-"))

    def want(name: str, heavy: bool = False) -> bool:
        if wanted:
            return name in wanted
        return not (heavy and options.quick)

    def record(name: str, what: str, measure: Callable[[], float], target: str, n: int) -> None:
        print(f"  measuring {name} ({n} runs) ...", file=sys.stderr)
        median, fastest = median_of(n, measure)
        rows.append((name, what, median, fastest, target))

    try:
        if want("floor") or want("activations"):
            record(
                "floor",
                'python -c "import numpy, pytest, click"',
                lambda: timed([sys.executable, "-c", "import numpy, pytest, click"]),
                "",
                runs,
            )
        if want("startup"):
            record("startup", "nnlab --version", lambda: timed([*NNLAB, "--version"]), "", runs)
        if want("activations") and "activations" in present:
            folder = submission(scratch / "one", ["activations"])
            command = grade_command(folder, ["activations"])
            record(
                "activations", "nnlab grade activations", lambda: timed(command), "<= 1.0 s", runs
            )
        numpy_present = [slug for slug in numpy_slugs if slug in present]
        # one NumPy-only submission graded: a figure of its own, and the batch's yardstick
        one = grade_command(submission(scratch / "numpy", numpy_present), numpy_present)
        if (want("numpy-all") or want("batch")) and numpy_present:
            record(
                "numpy-all",
                f"nnlab grade ({len(numpy_present)} NumPy exercises)",
                lambda: timed(one),
                "",
                runs,
            )
        if want("batch") and numpy_present and _has_command("grade-batch"):
            root = scratch / "class"
            for index in range(10):
                submission(root / f"learner-{index:02d}", numpy_present)
            command = [*NNLAB, "grade-batch", str(root), "--jobs", "2", "--format", "csv"]
            # each batch right after one submission: the ratio compares two runs made under
            # the same load, which a shared machine changes from minute to minute
            pairs = max(3, runs)
            print(
                f"  measuring batch ({pairs} runs, each beside one submission) ...", file=sys.stderr
            )
            times = []
            for _ in range(pairs):
                single = timed(one)
                times.append(timed(command))
                ratios.append(times[-1] / single)
            rows.append(
                (
                    "batch",
                    "grade-batch of 10 NumPy-only submissions --jobs 2",
                    statistics.median(times),
                    min(times),
                    "<= 3x numpy-all",
                )
            )
            # the same command on a class of one: how the batch itself scales, apart from
            # `nnlab grade`, whose one grading also uses the second core (the next
            # exercise's child starts, the last one's ends, beside the checks)
            lone = scratch / "class-of-one"
            submission(lone / "learner-00", numpy_present)
            single_batch = [*NNLAB, "grade-batch", str(lone), "--jobs", "2", "--format", "csv"]
            record(
                "batch-of-1",
                "grade-batch of 1 of them --jobs 2",
                lambda: timed(single_batch),
                "",
                runs,
            )
        if want("full", heavy=True) and set(every_slug) <= present:
            folder = submission(scratch / "full", every_slug)
            command = grade_command(folder, every_slug)
            record("full", "nnlab grade --all (11 exercises)", lambda: timed(command), "<= 45 s", 3)
        conv_script = ROOT / "benchmarks" / "conv2d.py"
        if want("conv2d", heavy=True) and conv_script.is_file():
            print("  measuring conv2d (benchmarks/conv2d.py) ...", file=sys.stderr)
            subprocess.run([sys.executable, str(conv_script)], check=False)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print_table(rows, ratios)


def _has_command(name: str) -> bool:
    completed = subprocess.run([*NNLAB, name, "--help"], capture_output=True)
    return completed.returncode == 0


def print_table(
    rows: list[tuple[str, str, float | None, float | None, str]], ratios: list[float]
) -> None:
    floor = next((median for name, _, median, _, _ in rows if name == "floor"), None)
    batch = next((median for name, _, median, _, _ in rows if name == "batch"), None)
    print(f"\nnnlab grading benchmark — {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{'figure':<12} {'median':>9} {'fastest':>9}  {'target':<16} {'ratio':<18} command")
    for name, what, median, fastest, target in rows:
        ratio = ""
        if name == "activations" and floor:
            ratio = f"{median / floor:.1f}x the floor"
        elif name == "batch" and ratios:
            ratio = f"{statistics.median(ratios):.1f}x one submission"
        elif name == "batch-of-1" and batch:
            ratio = f"batch is {batch / median:.1f}x this"
        print(f"{name:<12} {median:>8.2f}s {fastest:>8.2f}s  {target:<16} {ratio:<18} {what}")
    if ratios:
        shown = ", ".join(f"{r:.1f}" for r in sorted(ratios))
        print(f"batch / one submission, each pair run back to back: median of {shown}")


if __name__ == "__main__":
    main()
