"""The distribution's name is one nobody else owns (`nnlab` on the public index is an
unrelated project): the same in pyproject, README, docs, the workflows and `export --from-index`,
and the workflows install from a wheel in the repository (or NNLAB_PACKAGE), never `nnlab`."""

from __future__ import annotations

import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT
from test_examples import WORKFLOWS, load

import nnlab
from nnlab.cli import cli

INSTALLS = [("classroom.yml", "run-autograding-tests"), ("grade-class.yml", "grade"), ("grade-class.yml", "merge")]  # fmt: skip


def test_the_distribution_is_nnlab_course_everywhere() -> None:
    assert nnlab.DISTRIBUTION == "nnlab-course" and nnlab.WHEEL_PREFIX == "nnlab_course"
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^name = "([^"]+)"', pyproject, re.M).group(1) == nnlab.DISTRIBUTION
    assert re.search(r'^nnlab = "nnlab.cli:main"$', pyproject, re.M)  # the command stays nnlab
    assert nnlab.DISTRIBUTION in (ROOT / "README.md").read_text()
    assert nnlab.DISTRIBUTION in (ROOT / "docs" / "getting-started.md").read_text()
    for name in ("classroom.yml", "grade-class.yml"):
        text = (WORKFLOWS / name).read_text()
        assert f"{nnlab.WHEEL_PREFIX}-*.whl" in text and nnlab.DISTRIBUTION in text


def test_nothing_installs_the_unrelated_nnlab_from_the_index() -> None:
    # `pip install [options] nnlab` or `nnlab==...`, quoted or not
    bare = re.compile(r"pip install(\s+-\S+)*\s+[\"']?nnlab(==[^\s\"']*)?[\"']?(\s|$)")
    documents = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
    for path in [*documents, *WORKFLOWS.glob("*"), ROOT / "nnlab" / "export.py"]:
        assert not bare.search(path.read_text()), path
    for name in ("classroom.yml", "grade-class.yml"):
        assert load(name)["env"]["NNLAB_PACKAGE"] == ""


def test_from_index_pins_the_distribution(tmp_path: Path) -> None:
    target = tmp_path / "autograder.zip"
    result = CliRunner().invoke(cli, ["export", "gradescope", "--from-index", "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert f"{nnlab.DISTRIBUTION}=={nnlab.__version__}" in result.output
    setup = zipfile.ZipFile(target).read("setup.sh").decode()
    assert f'"{nnlab.DISTRIBUTION}=={nnlab.__version__}"' in setup
    assert '"nnlab==' not in setup


def _install_step(workflow: str, job: str) -> tuple[str, dict[str, str]]:
    data = load(workflow)
    step = next(s for s in data["jobs"][job]["steps"] if s.get("id") == "install")
    return step["run"], {k: str(v) for k, v in data["env"].items()}


def _run_install(
    script: str, env: dict[str, str], repository: Path, bin_dir: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=repository,
        env={**os.environ, **env, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def fake_python(tmp_path: Path) -> Path:
    """A `python` that records the arguments pip would have been given."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    python = bin_dir / "python"
    python.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{tmp_path / "args.txt"}"\n')
    python.chmod(0o755)
    return bin_dir


@pytest.mark.parametrize(("workflow", "job"), INSTALLS)
def test_workflows_install_the_wheel_in_the_repository_by_default(
    tmp_path: Path, fake_python: Path, workflow: str, job: str
) -> None:
    script, env = _install_step(workflow, job)
    repository = tmp_path / "repo"
    (repository / ".github" / "nnlab").mkdir(parents=True)
    # nothing to install: a one-line error, not the unrelated project from the index
    done = _run_install(script, env, repository, fake_python)
    assert done.returncode == 2 and "::error::no nnlab wheel" in done.stdout
    assert not (tmp_path / "args.txt").exists()
    wheel = f"{nnlab.WHEEL_PREFIX}-{nnlab.__version__}-py3-none-any.whl"
    (repository / ".github" / "nnlab" / wheel).write_bytes(b"")
    done = _run_install(script, env, repository, fake_python)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "args.txt").read_text().split() == [
        "-m", "pip", "install", f".github/nnlab/{wheel}"
    ]  # fmt: skip
    spec = "nnlab-course @ git+https://example.invalid/course@v1"
    done = _run_install(script, {**env, "NNLAB_PACKAGE": spec}, repository, fake_python)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "args.txt").read_text().splitlines() == ["-m", "pip", "install", spec]
