"""Every report says how much isolation its grading got: full (root, cgroups, a world of its
own per child) or reduced, and what is reduced (nnlab.sandbox.isolation).

As root here the full case is real; the reduced ones are forced: the private world off,
the pivot_root replaced by covering (``world.NEW_ROOT``), cgroups or root missing.
"""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from classroom import validate_gradescope, validate_report
from click.testing import CliRunner

from nnlab import batch, grading
from nnlab.cli import cli
from nnlab.report import gradescope, html, json_report, junit, text
from nnlab.results import Report
from nnlab.sandbox import cgroups, isolation, launcher, world

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
SOLUTIONS = Path(__file__).resolve().parent.parent / "solutions"
V2 = "the unified cgroup v2 hierarchy is not supported yet"


@pytest.fixture(autouse=True)
def nothing_seen_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    """What earlier tests' children got less of is not this test's."""
    monkeypatch.setattr(isolation, "_seen", {})


@pytest.fixture
def learner(tmp_path: Path) -> Path:
    folder = tmp_path / "kim"
    folder.mkdir()
    shutil.copyfile(SOLUTIONS / "tensors.py", folder / "tensors.py")
    return folder


def graded(folder: Path) -> Report:
    return grading.grade(folder, ["tensors"], submission_name="kim")


def grade_text(folder: Path, *args: str) -> str:
    result = CliRunner().invoke(
        cli, ["grade", "tensors", "--dir", str(folder), "--no-progress", *args]
    )
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.skipif(
    not AS_ROOT or cgroups.unavailable() is not None, reason="full isolation needs root, cgroups"
)
def test_as_root_with_cgroups_every_report_says_full_and_the_text_report_is_unchanged(
    learner: Path,
) -> None:
    report = graded(learner)
    assert report.sandbox == {"isolation": "full", "reduced": []}
    data = json.loads(json_report.render(report))
    assert data["sandbox"] == {"isolation": "full", "reduced": []}
    validate_report(data)
    assert "sandbox" not in text.render(report)
    output = grade_text(learner)
    assert output.startswith("tensors — Tensors"), output
    assert "sandbox" not in output
    shown = gradescope.results(report)["output"]
    assert "sandbox" not in shown
    assert "sandbox" not in junit.render(report) and "sandbox" not in html.render(report)


@pytest.mark.skipif(not AS_ROOT, reason="the private world is made as root only")
def test_private_world_off_is_said_in_every_format(
    learner: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(world, "PRIVATE_WORLD", False)
    report = graded(learner)
    assert report.sandbox is not None
    assert report.sandbox["isolation"] == "reduced"
    assert isolation.NO_WORLD in report.sandbox["reduced"]
    data = json.loads(json_report.render(report))
    validate_report(data)
    assert Report.from_dict(data).sandbox == report.sandbox  # merge keeps it
    first = text.render(report).splitlines()[0]
    assert "sandbox: reduced isolation — " + isolation.NO_WORLD in first
    assert "docs/trust-model.md" in first
    output = grade_text(learner)  # streamed: once, above the first exercise
    assert output.splitlines()[0].startswith("sandbox: reduced isolation — private world off")
    assert output.count("sandbox:") == 1
    assert output.splitlines()[2].startswith("tensors — Tensors")
    results = gradescope.results(report)
    validate_gradescope(results)
    assert results["output"].count("sandbox: reduced isolation") == 1
    assert all("sandbox" not in test["output"] for test in results["tests"])
    suites = ET.fromstring(junit.render(report)).findall("testsuite")
    assert suites and all(
        suite.find("properties/property[@name='sandbox']")
        .get("value")
        .startswith(  # type: ignore[union-attr]
            "sandbox: reduced isolation — " + isolation.NO_WORLD
        )
        for suite in suites
    )
    assert html.render(report).count("sandbox: reduced isolation — ") == 1


def test_without_cgroups_the_polled_memory_limit_is_said(
    learner: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cgroups, "unavailable", lambda: V2)
    monkeypatch.setattr(cgroups, "for_child", lambda *args: None)
    report = graded(learner)
    expected = f"no cgroups ({V2}): memory limit polled, no CPU or process limits"
    if not AS_ROOT:
        expected = "no cgroups: memory limit polled, no CPU or process limits"
    assert report.sandbox is not None and expected in report.sandbox["reduced"]
    assert expected in text.render(report).splitlines()[0]


def test_not_root_says_no_user_switch_namespaces_or_cgroups(
    learner: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)  # the grader's: no user id to give
    monkeypatch.setattr(cgroups, "unavailable", lambda: "not running as root")
    monkeypatch.setattr(cgroups, "for_child", lambda *args: None)
    first = grade_text(learner).splitlines()[0]
    assert first.startswith("sandbox: reduced isolation — not root: no user switch"), first
    assert isolation.isolation_report() == {
        "isolation": "reduced",
        "reduced": [
            "not root: no user switch, private folders or namespaces",
            "no cgroups: memory limit polled, no CPU or process limits",
        ],
    }
    line = text.sandbox_line(isolation.isolation_report())
    assert line == (
        "sandbox: reduced isolation — not root: no user switch, private folders or "
        "namespaces; no cgroups: memory limit polled, no CPU or process limits "
        "(see Trust model: docs/trust-model.md)"
    )


@pytest.mark.skipif(not AS_ROOT, reason="a child's own root is made as root only")
def test_a_child_that_only_covered_the_grader_folders_is_noticed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(world, "NEW_ROOT", False)
    source = "import os\ndef root():\n    return sorted(os.listdir('/'))\n"
    with launcher.Sandbox(source, "tensors.py", "tensors") as box:
        assert box.load().raised is None
        in_sight = box.call("root", timeout=10).value
    assert "work" in in_sight  # the machine's root: covering, not a new root
    assert isolation.isolation_report()["reduced"] == [isolation.COVERED]


def test_what_a_child_got_less_of_is_compared_with_what_it_was_asked() -> None:
    asked = {"uid": 12345, "world": {"workdir": "/tmp/x"}, "pid_namespace": True}
    isolation.note_child(asked, {"user": True, "world": "new_root", "pid": True})
    assert list(isolation._seen) == []
    isolation.note_child(asked, {"user": False, "world": "none", "pid": False})
    seen = list(isolation._seen)
    assert seen == [isolation.STAYED_ROOT, isolation.NO_MOUNT_VIEW, isolation.NO_PID_NAMESPACE]
    isolation.note_child({"uid": None}, {"user": False, "world": "none", "pid": False})
    assert list(isolation._seen) == seen  # not asked: nothing missed


@pytest.mark.skipif(not AS_ROOT, reason="the private world is made as root only")
def test_grade_batch_carries_it_once_per_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(world, "PRIVATE_WORLD", False)
    for name in ("ann", "ben"):
        (tmp_path / name).mkdir()
        shutil.copyfile(SOLUTIONS / "tensors.py", tmp_path / name / "tensors.py")
    result = batch.grade_batch(tmp_path, batch.BatchOptions(jobs=1, slugs=["tensors"]))
    data = json.loads(json_report.render_batch(result.reports))
    validate_report(data, batch=True)
    assert [one["sandbox"]["isolation"] for one in data] == ["reduced", "reduced"]
    assert all(isolation.NO_WORLD in one["sandbox"]["reduced"] for one in data)
    combined = json.loads(gradescope.render_batch(result.reports))
    for one in combined.values():
        assert one["output"].count("sandbox: reduced isolation — private world off") == 1


@pytest.mark.skipif(not AS_ROOT, reason="a child's own root is made as root only")
def test_a_reduction_first_seen_after_the_first_exercise_is_said_before_the_total(
    learner: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first exercise is not submitted (no child): the line comes with the first child
    that said it got less, still once, above the total."""
    monkeypatch.setattr(world, "NEW_ROOT", False)
    shutil.copyfile(SOLUTIONS / "activations.py", learner / "activations.py")
    (learner / "tensors.py").unlink()
    result = CliRunner().invoke(
        cli, ["grade", "tensors", "activations", "--dir", str(learner), "--no-progress"]
    )
    lines = result.output.splitlines()
    said = [n for n, line in enumerate(lines) if line.startswith("sandbox: reduced isolation")]
    assert len(said) == 1, result.output
    assert isolation.COVERED in lines[said[0]]
    assert said[0] < next(n for n, line in enumerate(lines) if line.startswith("Total:"))


@pytest.mark.skipif(not AS_ROOT, reason="the private world is made as root only")
def test_watch_says_it_on_every_screen(learner: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nnlab import watching

    monkeypatch.setattr(world, "PRIVATE_WORLD", False)
    monkeypatch.setattr(watching, "watch", lambda path, slug, once: once("tensors"))
    result = CliRunner().invoke(cli, ["watch", "tensors", "--dir", str(learner)])
    lines = result.output.splitlines()
    assert lines[0].startswith("sandbox: reduced isolation — private world off"), result.output
    assert result.output.count("sandbox:") == 1


FORGER = """
import sys

def _forge():
    frame = sys._getframe(1)
    while frame is not None:  # the child's server, mid-import: its reply pipe
        server = frame.f_locals.get("self")
        if hasattr(server, "send") and hasattr(server, "replies"):
            server.send({"confined": {"user": False, "world": "none", "pid": False}})
            return True
        frame = frame.f_back
    return False

FORGED = _forge()

def forged():
    return FORGED
"""


@pytest.mark.skipif(
    not AS_ROOT or cgroups.unavailable() is not None, reason="full isolation needs root, cgroups"
)
def test_a_learner_cannot_change_what_its_child_said_it_got() -> None:
    """Only the first frame counts, sent before the learner's code ran: a frame the learner's
    code forges later is dropped (here one claiming the child got nothing)."""
    with launcher.Sandbox(FORGER, "tensors.py", "tensors") as box:
        assert box.load().raised is None
        assert box.call("forged", timeout=10).value is True  # it did send one
    assert isolation.isolation_report() == {"isolation": "full", "reduced": []}
