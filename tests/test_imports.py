"""Nothing heavy at CLI start-up: the CLI process never imports TensorFlow, Keras,
matplotlib or nbformat for NumPy work (TensorFlow alone takes seconds to import)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import EXERCISES

HEAVY = ("tensorflow", "keras", "matplotlib", "nbformat")

RUN = """
import sys
from nnlab.cli import cli
try:
    cli(sys.argv[1:], prog_name="nnlab")
except SystemExit:
    pass
print("HEAVY=" + ",".join(sorted({name.split(".")[0] for name in sys.modules} & set(%r))))
"""


def heavy_modules_after(*arguments: str, cwd: Path) -> list[str]:
    completed = subprocess.run(
        [sys.executable, "-c", RUN % (HEAVY,), *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    marker = [line for line in completed.stdout.splitlines() if line.startswith("HEAVY=")]
    assert marker, completed.stdout + completed.stderr
    return [name for name in marker[-1].removeprefix("HEAVY=").split(",") if name]


def test_list_and_help_import_nothing_heavy(tmp_path: Path) -> None:
    assert heavy_modules_after("list", cwd=tmp_path) == []
    assert heavy_modules_after("--help", cwd=tmp_path) == []


def test_grading_a_numpy_exercise_imports_nothing_heavy(tmp_path: Path) -> None:
    (tmp_path / "activations.py").write_text((EXERCISES / "activations.py").read_text())
    assert heavy_modules_after("grade", "activations", "--no-progress", cwd=tmp_path) == []


def test_the_check_really_sees_heavy_imports(tmp_path: Path) -> None:
    """The probe itself works: a command that draws a picture does import matplotlib."""
    (tmp_path / "activations.py").write_text((EXERCISES / "activations.py").read_text())
    found = heavy_modules_after(
        "plot", "activations", "--out", str(tmp_path / "a.png"), cwd=tmp_path
    )
    assert "matplotlib" in found
