"""The examples work: GitHub Classroom workflows' shell steps run on a temporary class, private checks."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from classroom import make_class, needs_slugs
from conftest import ROOT, SOLUTIONS

from nnlab import catalog
from nnlab.grading import GradingOptions, grade

EXAMPLES = ROOT / "examples"
WORKFLOWS = EXAMPLES / "github-classroom"


def load(name: str) -> dict:
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load((WORKFLOWS / name).read_text())


@pytest.fixture(scope="module")
def shims(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`nnlab` and `python` on PATH, both this interpreter (as after `pip install nnlab`)."""
    folder = tmp_path_factory.mktemp("bin")
    for name, command in (
        ("nnlab", f'"{sys.executable}" -m nnlab'),
        ("python", f'"{sys.executable}"'),
    ):
        (folder / name).write_text(f'#!/bin/sh\nexec {command} "$@"\n')
        (folder / name).chmod(0o755)
    return folder


def substitute(script: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        expression = match.group(1).strip()
        assert expression in values, f"the test does not know ${{{{ {expression} }}}}"
        return values[expression]

    return re.sub(r"\$\{\{(.*?)\}\}", replace, script)


def run_steps(
    workflow: dict, job: str, cwd: Path, shims: Path, values: dict[str, str]
) -> dict[str, str]:
    """Run a job's `run:` steps as GitHub does (bash -eo pipefail), skipping installs and actions."""
    outputs: dict[str, str] = {}
    summary, output = cwd / "summary.md", cwd / "output.txt"
    steps = workflow["jobs"][job]["steps"]
    ran = 0
    for step in steps:
        if "run" not in step or step.get("id") == "install":
            continue
        output.write_text("")
        env = {
            **os.environ,
            **{k: str(v) for k, v in workflow.get("env", {}).items()},
            **{k: str(v) for k, v in step.get("env", {}).items()},
            "PATH": f"{shims}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_OUTPUT": str(output),
        }
        done = subprocess.run(
            [
                "bash",
                "--noprofile",
                "--norc",
                "-eo",
                "pipefail",
                "-c",
                substitute(step["run"], values),
            ],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, (
            f"step {step.get('name')!r} failed:\n{done.stdout}\n{done.stderr}"
        )
        outputs["stdout"] = outputs.get("stdout", "") + done.stdout
        for line in output.read_text().splitlines():
            key, _, value = line.partition("=")
            outputs[key] = value
        ran += 1
    assert ran, f"job {job} has no shell step to run"
    outputs["summary"] = summary.read_text() if summary.exists() else ""
    return outputs


# --- the student repository's workflow -------------------------------------------------------


def test_student_workflow_runs_on_push_and_installs_nnlab() -> None:
    workflow = load("classroom.yml")
    assert "push" in workflow["on"]
    job = workflow["jobs"]["run-autograding-tests"]
    assert job["name"] == "Autograding Tests"
    install = next(step for step in job["steps"] if step.get("id") == "install")
    assert "pip install" in install["run"]
    reporter = job["steps"][-1]
    assert reporter["uses"].startswith("classroom-resources/autograding-grading-reporter@")
    assert reporter["with"]["runners"] == "nnlab"
    assert "steps.nnlab.outputs.result" in reporter["env"]["NNLAB_RESULTS"]


def test_student_workflow_grades_the_repository_and_reports_points(
    tmp_path: Path, shims: Path
) -> None:
    slugs = needs_slugs()
    repository = tmp_path / "student-repo"
    repository.mkdir()
    shutil.copyfile(SOLUTIONS / f"{slugs[0]}.py", repository / f"{slugs[0]}.py")
    outputs = run_steps(load("classroom.yml"), "run-autograding-tests", repository, shims, {})
    total = 100.0 * len(catalog.slugs())
    assert outputs["points"] == "100" and float(outputs["max_points"]) == total
    assert f"::notice title=nnlab points::100/{total:g}" in outputs["stdout"]
    assert f"## nnlab: 100 / {total:g} points" in outputs["summary"]
    assert f"| {slugs[0]} | passed | 100 / 100 |" in outputs["summary"]
    payload = json.loads(base64.b64decode(outputs["result"]))
    assert payload["status"] == "fail" and payload["max_score"] == total
    assert sum(test["score"] for test in payload["tests"]) == 100
    assert [test["name"] for test in payload["tests"]] == catalog.slugs()
    assert {t["status"] for t in payload["tests"]} == {"pass", "fail"}


# --- the instructor repository's workflow ----------------------------------------------------


def test_instructor_workflow_is_a_shard_matrix_then_a_merge() -> None:
    workflow = load("grade-class.yml")
    grade_job, merge_job = workflow["jobs"]["grade"], workflow["jobs"]["merge"]
    shards = grade_job["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, len(shards) + 1))
    text = "\n".join(step.get("run", "") for step in grade_job["steps"])
    assert "--shard ${{ matrix.shard }}/${{ strategy.job-total }}" in text
    assert merge_job["needs"] == "grade"
    download = next(s for s in merge_job["steps"] if "download-artifact" in s.get("uses", ""))
    assert download["with"]["path"] == "shards" and download["with"]["merge-multiple"] is True


def test_instructor_workflow_grades_every_shard_and_merges_them(
    tmp_path: Path, shims: Path
) -> None:
    slugs = needs_slugs()
    workflow = load("grade-class.yml")
    repository = tmp_path / "instructor-repo"
    layout = make_class(repository / workflow["env"]["SUBMISSIONS"], slugs)
    shards = workflow["jobs"]["grade"]["strategy"]["matrix"]["shard"]
    merged = tmp_path / "merge-job"
    (merged / "shards").mkdir(parents=True)
    for shard in shards:
        values = {"matrix.shard": str(shard), "strategy.job-total": str(len(shards))}
        run_steps(workflow, "grade", repository, shims, values)
        # what upload-artifact + download-artifact (merge-multiple) do
        shutil.copyfile(
            repository / f"shard-{shard}.json", merged / "shards" / f"shard-{shard}.json"
        )
    outputs = run_steps(workflow, "merge", merged, shims, {})
    lines = (merged / "grades.csv").read_text().splitlines()
    assert lines[0] == "submission,total," + ",".join(catalog.slugs())
    assert [line.split(",")[0] for line in lines[1:]] == sorted(layout)
    assert [r["submission"] for r in json.loads((merged / "grades.json").read_text())] == sorted(
        layout
    )
    assert (merged / "grades.xml").read_text().startswith("<?xml")
    assert "## Class grades" in outputs["summary"] and lines[1] in outputs["summary"]


def test_instructor_workflow_uses_private_checks_when_present(tmp_path: Path, shims: Path) -> None:
    slugs = needs_slugs()
    if "activations" not in slugs:
        pytest.skip("the example private checks are for activations")
    workflow = load("grade-class.yml")
    repository = tmp_path / "instructor-repo"
    (repository / "submissions" / "alice").mkdir(parents=True)
    shutil.copyfile(
        SOLUTIONS / "activations.py", repository / "submissions" / "alice" / "activations.py"
    )
    shutil.copytree(EXAMPLES / "private-checks", repository / "private-checks")
    run_steps(
        workflow, "grade", repository, shims, {"matrix.shard": "1", "strategy.job-total": "1"}
    )
    (alice,) = json.loads((repository / "shard-1.json").read_text())
    checks = alice["exercises"][catalog.slugs().index("activations")]["checks"]
    assert "sigmoid_of_zero_is_one_half" in [c["name"] for c in checks]


# --- the private checks example --------------------------------------------------------------


def test_private_checks_example_passes_the_solution_and_fails_a_wrong_sigmoid(
    tmp_path: Path,
) -> None:
    needs_slugs()
    if not (SOLUTIONS / "activations.py").is_file():
        pytest.skip("activations has no solution yet")
    options = GradingOptions(extra_check_dirs=[EXAMPLES / "private-checks"])
    private = {"sigmoid_is_symmetric_about_one_half", "sigmoid_of_zero_is_one_half"}
    good = tmp_path / "good"
    good.mkdir()
    shutil.copyfile(SOLUTIONS / "activations.py", good / "activations.py")
    result = grade(good, ["activations"], options=options).exercises[0]
    assert private <= {c.name for c in result.checks}
    assert result.status == "passed"
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    source = (SOLUTIONS / "activations.py").read_text()
    source += "\n\ndef sigmoid(z):\n    import numpy as np\n    return np.tanh(np.asarray(z, dtype=float))\n"
    (wrong / "activations.py").write_text(source)
    result = grade(wrong, ["activations"], options=options).exercises[0]
    verdicts = {c.name: (c.status, c.message) for c in result.checks if c.name in private}
    # the second check of sigmoid in the file comes after the first (after= by default)
    assert verdicts["sigmoid_is_symmetric_about_one_half"][0] == "failed"
    assert verdicts["sigmoid_of_zero_is_one_half"] == (
        "blocked",
        "blocked by sigmoid_is_symmetric_about_one_half: fix sigmoid_is_symmetric_about_one_half first",
    )


def test_examples_are_documented() -> None:
    for folder in ("github-classroom", "private-checks"):
        assert (EXAMPLES / folder / "README.md").is_file()
    text = (WORKFLOWS / "classroom.yml").read_text()  # readable without PyYAML too
    assert "nnlab grade " in text and "NNLAB_EXERCISES" in text
    assert "nnlab merge" in (WORKFLOWS / "grade-class.yml").read_text()
