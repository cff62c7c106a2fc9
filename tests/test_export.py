"""`nnlab export gradescope`: the zip's layout, and its run_autograder run on a fake /autograder."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from classroom import needs_slugs, validate_gradescope
from click.testing import CliRunner
from conftest import EXERCISES, SOLUTIONS

from nnlab import __version__, catalog
from nnlab.cli import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default export: a wheel built from this checkout, bundled."""
    target = tmp_path_factory.mktemp("export") / "autograder.zip"
    code, out, err = run("export", "gradescope", "--out", str(target))
    assert code == 0, err
    assert "bundled nnlab_course-" in out
    return target


def unpack(bundle: Path, autograder: Path) -> Path:
    """Lay out a fake /autograder as Gradescope does: the zip in source/, run_autograder beside it."""
    source = autograder / "source"
    source.mkdir(parents=True)
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(source)
    for name in ("setup.sh", "run_autograder"):
        (source / name).chmod(0o755)
    shutil.copy(source / "run_autograder", autograder / "run_autograder")
    (autograder / "submission").mkdir()
    return autograder / "run_autograder"


def run_autograder(script: Path, autograder: Path, command: str | None = None) -> dict:
    env = {
        **os.environ,
        "NNLAB_AUTOGRADER_ROOT": str(autograder),
        "NNLAB_COMMAND": command or f"{sys.executable} -m nnlab",
    }
    done = subprocess.run(
        [str(script)], cwd=autograder, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((autograder / "results" / "results.json").read_text())


def test_zip_holds_setup_and_run_autograder_at_its_root(bundle: Path) -> None:
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        assert "setup.sh" in names and "run_autograder" in names
        wheels = [n for n in names if n.endswith(".whl")]
        assert wheels == [f"nnlab_course-{__version__}-py3-none-any.whl"]
        for name in ("setup.sh", "run_autograder"):
            mode = archive.getinfo(name).external_attr >> 16
            assert mode & stat.S_IXUSR, f"{name} is not executable"
            assert archive.read(name).startswith(b"#!/usr/bin/env bash\n")
        setup = archive.read("setup.sh").decode()
        assert f"pip install ${{NNLAB_PIP_OPTIONS:-}} ./{wheels[0]}" in setup
        assert 'ln -sf "$VENV/bin/nnlab" "$BIN/nnlab"' in setup
        runner = archive.read("run_autograder").decode()
        assert "--all" in runner and "--format gradescope" in runner
        assert '"${NNLAB_AUTOGRADER_ROOT:-/autograder}"' in runner
        assert '"$ROOT/submission"' in runner
        assert "results/results.json" in runner
        wheel_names = zipfile.ZipFile(archive.open(wheels[0])).namelist()
        assert "nnlab/cli.py" in wheel_names
        assert not any("solutions" in n for n in wheel_names)


def test_scripts_are_valid_bash(bundle: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(tmp_path)
    for name in ("setup.sh", "run_autograder"):
        subprocess.run(["bash", "-n", str(tmp_path / name)], check=True)


def test_from_index_pins_this_version_and_bundles_no_wheel(tmp_path: Path) -> None:
    target = tmp_path / "autograder.zip"
    code, out, _ = run("export", "gradescope", "--from-index", "--out", str(target))
    assert code == 0 and "package index" in out
    with zipfile.ZipFile(target) as archive:
        assert not any(n.endswith(".whl") for n in archive.namelist())
        setup = archive.read("setup.sh").decode()
        assert f'pip install ${{NNLAB_PIP_OPTIONS:-}} "nnlab-course=={__version__}"' in setup


def test_export_refuses_bad_arguments(tmp_path: Path) -> None:
    code, _, err = run(
        "export", "gradescope", "nonsense", "--from-index", "--out", str(tmp_path / "a.zip")
    )
    assert code == 2 and "unknown exercise" in err
    fake = tmp_path / "fake.whl"
    fake.write_text("x")
    code, _, err = run("export", "gradescope", "--wheel", str(fake), "--from-index")
    assert code == 2 and "one of --wheel and --from-index" in err


def test_run_autograder_grades_the_submission_into_results_json(
    bundle: Path, tmp_path: Path
) -> None:
    slugs = needs_slugs()
    autograder = tmp_path / "autograder"
    script = unpack(bundle, autograder)
    # a zipped folder lands one level down; a stray file at the top is ignored
    nested = autograder / "submission" / "my-work"
    nested.mkdir()
    shutil.copyfile(SOLUTIONS / f"{slugs[0]}.py", nested / f"{slugs[0]}.py")
    for slug in slugs[1:]:
        shutil.copyfile(EXERCISES / f"{slug}.py", autograder / "submission" / f"{slug}.py")
    (autograder / "submission" / "README.md").write_text("hello\n")
    results = run_autograder(script, autograder)
    validate_gradescope(results)
    assert results["score"] == pytest.approx(100.0)
    assert f"{slugs[0]}: 100/100 (passed)" in results["output"]
    missing = [t["name"] for t in results["tests"] if t["name"].endswith(": not submitted")]
    assert len(missing) == len(catalog.slugs()) - len(slugs)
    assert sorted(p.name for p in (autograder / "submission").rglob("*")) == sorted(
        ["my-work", f"{slugs[0]}.py", "README.md", *(f"{s}.py" for s in slugs[1:])]
    )


def test_run_autograder_writes_a_zero_result_when_nnlab_itself_fails(
    tmp_path: Path, bundle: Path
) -> None:
    autograder = tmp_path / "autograder"
    script = unpack(bundle, autograder)
    results = run_autograder(script, autograder, command="false")
    validate_gradescope(results)
    assert results["score"] == 0 and "could not grade" in results["output"]


def test_named_exercises_and_private_checks_are_bundled_and_run(tmp_path: Path) -> None:
    slugs = needs_slugs()
    slug = slugs[0]
    checks = tmp_path / "checks"
    checks.mkdir()
    function = catalog.get(slug).functions[0]
    (checks / f"test_{slug}_extra.py").write_text(
        "from nnlab.checks import check, fail\n\n"
        f"@check({function!r}, hint='instructor check')\n"
        "def test_instructor_extra(learner):\n"
        "    fail('always fails')\n"
    )
    target = tmp_path / "autograder.zip"
    code, _, err = run(
        "export",
        "gradescope",
        slug,
        "--from-index",
        "--checks",
        str(checks),
        "--hide-details",
        "--out",
        str(target),
    )
    assert code == 0, err
    with zipfile.ZipFile(target) as archive:
        assert f"checks/test_{slug}_extra.py" in archive.namelist()
        assert f"grade {slug} --dir" in archive.read("run_autograder").decode()
    autograder = tmp_path / "autograder"
    script = unpack(target, autograder)
    shutil.copyfile(SOLUTIONS / f"{slug}.py", autograder / "submission" / f"{slug}.py")
    results = run_autograder(script, autograder)
    validate_gradescope(results)
    names = [t["name"] for t in results["tests"]]
    assert all(name.startswith(f"{slug} ") for name in names)  # only the named exercise
    assert names[-1] == f"{slug} › instructor_extra"
    assert results["tests"][-1]["status"] == "failed"
    assert 0 < results["score"] < 100
    # private checks wait for the grades to be published; --hide-details keeps messages out
    assert results["tests"][-1]["visibility"] == "after_published"
    assert {t["visibility"] for t in results["tests"][:-1]} == {"visible"}
    assert "always fails" not in results["tests"][-1]["output"]
    assert "always fails" in results["tests"][-1]["extra_data"]["output"]


def test_setup_installs_the_bundled_wheel_and_run_autograder_uses_it(
    bundle: Path, tmp_path: Path
) -> None:
    """setup.sh as Gradescope runs it, but offline: a venv that sees this Python's packages."""
    slugs = needs_slugs()
    autograder = tmp_path / "autograder"
    script = unpack(bundle, autograder)
    env = {
        **os.environ,
        "NNLAB_PYTHON": sys.executable,
        "NNLAB_VENV": str(tmp_path / "venv"),
        "NNLAB_BIN": str(tmp_path / "bin"),
        "NNLAB_VENV_OPTIONS": "--system-site-packages",
        "NNLAB_PIP_OPTIONS": "--no-index --no-deps --quiet",
    }
    done = subprocess.run(
        ["bash", str(autograder / "source" / "setup.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"nnlab, version {__version__}" in done.stdout
    installed = tmp_path / "bin" / "nnlab"
    where = subprocess.run(
        [str(tmp_path / "venv" / "bin" / "python"), "-c", "import nnlab; print(nnlab.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert str(tmp_path / "venv") in where.stdout  # the wheel's copy, not this checkout
    shutil.copyfile(SOLUTIONS / f"{slugs[0]}.py", autograder / "submission" / f"{slugs[0]}.py")
    results = run_autograder(script, autograder, command=str(installed))
    validate_gradescope(results)
    assert results["score"] == pytest.approx(100.0)
