"""Grades beside a loaded machine: `python benchmarks/load.py`.

Grades a class of 40 NumPy submissions (model answers, broken answers from tests/broken,
and slow-but-correct loop answers from tests/loop_answers, mixed) with
`nnlab grade-batch --jobs 2`, once at rest and once beside CPU burners (by default 20 busy
processes per core the grading may use: load ~40 on two cores), and prints both times and
whether the grades are identical: every submission's score, and every exercise's and
check's status and points. Time limits that decide a grade are CPU time of the child, so
they must be (see docs/performance.md, "Time limits on a loaded machine").

    python benchmarks/load.py                 # the class of 40, burners at 20 per core
    python benchmarks/load.py --burners 60 --size 20

The burners are bounded in time (--burner-seconds) and killed when the run ends. Timings
are printed for people to read; tests never assert them (tests/test_load.py grades a few
files beside burners and compares the reports).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
BROKEN = ROOT / "tests" / "broken"
LOOP_ANSWERS = ROOT / "tests" / "loop_answers"
sys.path.insert(0, str(ROOT))

from nnlab import catalog  # noqa: E402  (after the path fix, so a checkout works uninstalled)

NNLAB = [sys.executable, "-m", "nnlab"]
# Broken answers that mishandle the seed (tests/broken/*/*seed*.py) may draw from the operating
# system's entropy (a generator without a seed): their grades can differ from one grading to
# the next at any load (adam/train_ignores_the_seed does), so they prove nothing here.
BURNER = (
    "import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end:\n    pass\n"
)


@contextlib.contextmanager
def burners(count: int, seconds: float) -> Iterator[list[subprocess.Popen]]:
    """``count`` busy-loop processes, each ending by itself after ``seconds`` and killed
    (by its own id) when the block ends, whatever happens in it."""
    started: list[subprocess.Popen] = []
    try:
        for _ in range(count):
            started.append(
                subprocess.Popen(
                    [sys.executable, "-S", "-c", BURNER.format(seconds=seconds)],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        yield started
    finally:
        for process in started:
            with contextlib.suppress(OSError):
                process.kill()
        for process in started:
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                process.wait(timeout=10)


def slowdown(seconds: float = 0.05) -> float:
    """Wall time over CPU time of a short busy loop here: ~1 at rest, ~load / cores beside
    burners (tells that they run)."""
    wall, cpu = time.perf_counter(), time.process_time()
    while time.process_time() - cpu < seconds:
        pass
    return (time.perf_counter() - wall) / (time.process_time() - cpu)


def make_class(root: Path, size: int) -> dict[str, str]:
    """``size`` submissions of every NumPy exercise: mostly model answers; every third
    student has one exercise replaced by a broken answer, every tenth by a loop answer."""
    slugs = [e.slug for e in catalog.EXERCISES if not e.uses_tensorflow]
    slugs = [slug for slug in slugs if (SOLUTIONS / f"{slug}.py").is_file()]
    broken = sorted(
        path for slug in slugs for path in (BROKEN / slug).glob("*.py") if "seed" not in path.stem
    )
    loops = sorted(path for path in LOOP_ANSWERS.glob("*.py") if path.stem in slugs)
    layout = {}
    for index in range(size):
        folder = root / f"learner-{index:02d}"
        folder.mkdir(parents=True)
        files = {slug: SOLUTIONS / f"{slug}.py" for slug in slugs}
        what = "model answers"
        if index % 10 == 9 and loops:
            loop = loops[(index // 10) % len(loops)]
            files[loop.stem] = loop
            what = f"loop answer {loop.stem}"
        elif index % 3 == 2 and broken:
            bad = broken[(index * 7) % len(broken)]
            files[bad.parent.name] = bad
            what = f"broken {bad.parent.name}/{bad.stem}"
        for slug, source in files.items():
            shutil.copyfile(source, folder / f"{slug}.py")
        layout[folder.name] = what
    return layout


def grade_class(root: Path, jobs: int, out: Path) -> float:
    command = [*NNLAB, "grade-batch", str(root), "--jobs", str(jobs), "--format", "json"]
    started = time.perf_counter()
    completed = subprocess.run([*command, "--out", str(out)], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if completed.returncode not in (0, 1):  # 1 = some submission lost points: a grading
        raise RuntimeError(f"{' '.join(command)} failed:\n{completed.stderr[-2000:]}")
    return seconds


def grades(path: Path) -> dict[str, Any]:
    """What must not depend on the load: scores, and every exercise's and check's status
    and points (messages may quote measured times)."""
    reports = json.loads(path.read_text())
    return {
        report["submission"]: (
            report["score"],
            [
                (
                    exercise["exercise"],
                    exercise["status"],
                    exercise["score"],
                    [(c["name"], c["status"], c["score"]) for c in exercise["checks"]],
                )
                for exercise in report["exercises"]
            ],
        )
        for report in reports
    }


def differences(rest: dict[str, Any], loaded: dict[str, Any]) -> list[str]:
    found = []
    for name in sorted(set(rest) | set(loaded)):
        if rest.get(name) == loaded.get(name):
            continue
        if name not in rest or name not in loaded:
            found.append(f"{name}: only in one report")
            continue
        (score, exercises), (other_score, other_exercises) = rest[name], loaded[name]
        lines = [f"{name}: score {score} at rest, {other_score} beside the burners"]
        for (slug, status, points, checks), (_, status2, points2, checks2) in zip(
            exercises, other_exercises, strict=False
        ):
            if (status, points, checks) != (status2, points2, checks2):
                changed = [
                    f"{a[0]} {a[1]}->{b[1]}"
                    for a, b in zip(checks, checks2, strict=False)
                    if a != b
                ]
                lines.append(f"  {slug}: {status} {points} -> {status2} {points2}; {changed}")
        found.append("\n".join(lines))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=40, help="submissions in the class")
    parser.add_argument("--jobs", type=int, default=2)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    parser.add_argument("--burners", type=int, default=20 * (cores or 1))
    parser.add_argument("--burner-seconds", type=float, default=900.0)
    options = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="nnlab-load-"))
    try:
        layout = make_class(scratch / "class", options.size)
        kinds: dict[str, int] = {}
        for what in layout.values():
            kind = what.split()[0]
            kinds[kind] = kinds.get(kind, 0) + 1
        print(f"class of {options.size}: {kinds}; grade-batch --jobs {options.jobs}")
        load_before = os.getloadavg()[0]
        rest_seconds = grade_class(scratch / "class", options.jobs, scratch / "rest.json")
        print(f"at rest (load average {load_before:.1f}): {rest_seconds:.1f} s")
        with burners(options.burners, options.burner_seconds):
            time.sleep(2.0)  # started and busy
            factor = slowdown()
            loaded_seconds = grade_class(scratch / "class", options.jobs, scratch / "loaded.json")
            load_after = os.getloadavg()[0]
        print(
            f"beside {options.burners} burners (a busy loop here took {factor:.0f}x its CPU "
            f"time on the clock; load average {load_after:.1f} at the end): {loaded_seconds:.1f} s"
        )
        rest, loaded = grades(scratch / "rest.json"), grades(scratch / "loaded.json")
        found = differences(rest, loaded)
        scores = sorted(score for score, _ in rest.values())
        print(f"scores at rest: {scores[0]:g} to {scores[-1]:g}, {len(set(scores))} distinct")
        if found:
            print(f"grades DIFFER for {len(found)} of {len(rest)} submissions:")
            print("\n".join(found))
            sys.exit(1)
        print(f"grades identical for all {len(rest)} submissions (scores, statuses, points)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
