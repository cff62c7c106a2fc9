"""The wheel ships exercises and checks inside the nnlab namespace, never solutions, and works installed."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, SOLUTIONS

from nnlab import catalog


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("nnlab_course-*.whl")
    return built


def test_wheel_ships_exercises_and_checks_as_package_data_and_no_solutions(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names}
    assert top_level == {"nnlab", f"{wheel.name.split('-py3')[0]}.dist-info"}
    for slug in catalog.slugs():
        assert f"nnlab/_data/exercises/{slug}.py" in names
        assert f"nnlab/_data/grader/test_{slug}.py" in names
    assert not any("solutions" in name for name in names)
    assert "nnlab/py.typed" in names


def test_installed_wheel_grades_from_its_packaged_data(wheel: Path, tmp_path: Path) -> None:
    environment = tmp_path / "venv"
    venv.create(environment, system_site_packages=True, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--force-reinstall",
            "-q",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    work = tmp_path / "work"
    work.mkdir()
    slug = catalog.slugs()[0]
    (work / f"{slug}.py").write_text((SOLUTIONS / f"{slug}.py").read_text())
    where = subprocess.run(
        [python, "-c", "import nnlab.resources as r; print(r.exercises_dir())"],
        cwd=work,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "site-packages/nnlab/_data/exercises" in where.stdout
    graded = subprocess.run(
        [environment / "bin" / "nnlab", "grade", slug], cwd=work, capture_output=True, text=True
    )
    assert graded.returncode == 0, graded.stdout + graded.stderr
