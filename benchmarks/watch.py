"""Cold grade against warm re-grade under `nnlab watch`: `python benchmarks/watch.py`.

For each Keras exercise (the model answer), in one run on this machine:

  tf-import   python -c "import tensorflow"                         one TensorFlow import
  cold        nnlab grade EXERCISE in a fresh process                 what a plain re-grade costs
  warm        nnlab watch EXERCISE: from a save of the file to the    target <= one TF import
              end of the new report (TensorFlow already loaded)

The warm figure is the median of --saves saves after the first grading. Figures are read
by people (docs/performance.md quotes them), never asserted by tests.

    python benchmarks/watch.py
    python benchmarks/watch.py --only keras_model --saves 2
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
KERAS = ("keras_model", "keras_cnn")
DONE = "save it to grade again"  # the last line of each report under watch


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def seconds_of(command: list[str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=environment(), capture_output=True, check=False)
    return time.perf_counter() - started


class Reports:
    """Counts the reports `nnlab watch` prints, and when each ended."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.ends: list[float] = []
        self.changed = threading.Condition()
        threading.Thread(target=self._read, args=(process,), daemon=True).start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if DONE in line:
                with self.changed:
                    self.ends.append(time.perf_counter())
                    self.changed.notify_all()

    def wait(self, count: int, timeout: float = 900) -> float:
        with self.changed:
            if not self.changed.wait_for(lambda: len(self.ends) >= count, timeout=timeout):
                raise TimeoutError(f"report {count} did not come within {timeout:.0f} s")
            return self.ends[count - 1]


def warm_regrades(slug: str, folder: Path, saves: int) -> list[float]:
    """Seconds from each save to the end of the report it caused, after a first grading."""
    command = [sys.executable, "-m", "nnlab", "watch", slug, "--dir", str(folder)]
    process = subprocess.Popen(
        command, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        reports = Reports(process)
        reports.wait(1)
        times = []
        for number in range(2, saves + 2):
            target = folder / f"{slug}.py"
            saved = time.perf_counter()
            target.write_text(target.read_text() + f"\n# save {number}\n")
            times.append(reports.wait(number) - saved)
        return times
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(KERAS), help="Keras exercises, comma-separated")
    parser.add_argument("--saves", type=int, default=3, help="warm re-grades per exercise")
    options = parser.parse_args()
    slugs = [slug for slug in options.only.split(",") if slug]
    print(f"nnlab watch benchmark on {os.cpu_count()} cores (wall seconds)")
    tf_import = seconds_of([sys.executable, "-c", "import tensorflow"])
    print(f"  {'tf-import':<12} {tf_import:6.1f}   python -c 'import tensorflow'")
    for slug in slugs:
        with tempfile.TemporaryDirectory(prefix="nnlab-watch-") as home:
            folder = Path(home)
            shutil.copyfile(SOLUTIONS / f"{slug}.py", folder / f"{slug}.py")
            cold = seconds_of(
                [sys.executable, "-m", "nnlab", "grade", slug, "--no-progress", "--dir", home]
            )
            warm = warm_regrades(slug, folder, options.saves)
        middle = statistics.median(warm)
        verdict = "within" if middle <= tf_import else "ABOVE"
        print(f"  {slug:<12} cold {cold:6.1f}   nnlab grade {slug}")
        print(
            f"  {slug:<12} warm {middle:6.1f}   under nnlab watch, median of {len(warm)} saves "
            f"({', '.join(f'{t:.1f}' for t in warm)}): {verdict} one TF import ({tf_import:.1f})"
        )


if __name__ == "__main__":
    main()
