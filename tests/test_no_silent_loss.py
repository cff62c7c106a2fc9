"""No silent loss: --out never replaces another class unasked, --only/--update regrade into a
class report, a single grading is named by its folder, odd folder names stay apart and
reversible, and a grade-batch that is killed leaves no worker and no scratch folder."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import BROKEN, EXERCISES, SOLUTIONS

from nnlab import batch
from nnlab.cli import cli
from nnlab.report import existing

SLUG = "activations"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("nnlab: error: ")]


def student(root: Path, name: str | bytes, source: Path | None) -> Path:
    raw = name if isinstance(name, bytes) else name.encode()
    folder = Path(os.fsdecode(bytes(root) + b"/" + raw))
    folder.mkdir(parents=True)
    if source is not None:
        shutil.copyfile(source, folder / f"{SLUG}.py")
    return folder


def grade_ada(klass: Path, *options: str) -> tuple[int, str, str]:
    """`nnlab grade SLUG` of the class's folder ada, without the progress line."""
    return run("grade", SLUG, "--dir", str(klass / "ada"), "--no-progress", *options)


@pytest.fixture
def klass(tmp_path: Path) -> Path:
    root = tmp_path / "class"
    student(root, "ada", SOLUTIONS / f"{SLUG}.py")
    student(root, "ben", BROKEN / SLUG / sorted(os.listdir(BROKEN / SLUG))[0])
    student(root, "cleo", EXERCISES / f"{SLUG}.py")
    return root


# --- --out ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("format_name", ["csv", "json", "junit", "gradescope"])
def test_out_refuses_to_replace_a_class_with_fewer_submissions(
    klass: Path, tmp_path: Path, format_name: str
) -> None:
    target = tmp_path / f"grades.{format_name}"
    code, _, err = run(
        "grade-batch", str(klass), SLUG, "--format", format_name, "--out", str(target)
    )
    assert code == 1, err
    assert existing.submissions_in(target) == {"ada", "ben", "cleo"}
    whole = target.read_bytes()
    # the same class again: replaced without a word
    code, _, err = run(
        "grade-batch", str(klass), SLUG, "--format", format_name, "--out", str(target)
    )
    assert code == 1 and errors(err) == []
    # one submission only: refused before any grading, the class kept
    code, _, err = run(
        "grade-batch", str(klass), SLUG, "--only", "ada", "--format", format_name,
        "--out", str(target),
    )  # fmt: skip
    assert code == 2
    (line,) = errors(err)
    assert f"{target} holds 2 submissions this report does not (ben, cleo)" in line
    assert "--update" in line and "--force" in line
    assert target.read_bytes() == whole
    # --force replaces it, after a backup
    code, _, err = run(
        "grade-batch", str(klass), SLUG, "--only", "ada", "--format", format_name,
        "--out", str(target), "--force",
    )  # fmt: skip
    assert code == 0, err
    assert existing.submissions_in(target) == {"ada"}
    backup = target.with_name(target.name + ".bak")
    assert backup.read_bytes() == whole
    assert f"kept the previous {target} as {backup}" in err


def test_out_refuses_a_file_that_is_not_a_report(klass: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.csv"
    notes.write_text("name,mark\nada,A\n")
    code, _, err = run("grade-batch", str(klass), SLUG, "--out", str(notes))
    assert code == 2 and "is not an nnlab report" in errors(err)[0]
    assert notes.read_text() == "name,mark\nada,A\n"


def test_grade_may_write_its_own_report_again_but_not_over_a_class(
    klass: Path, tmp_path: Path
) -> None:
    target = tmp_path / "ada.json"
    for _ in range(2):
        code, _, err = grade_ada(klass, "--format", "json", "--out", str(target))
        assert code == 0, err
    text = tmp_path / "ada.txt"
    for _ in range(2):
        code, _, _ = grade_ada(klass, "--out", str(text))
        assert code == 0
    grades = tmp_path / "grades.json"
    run("grade-batch", str(klass), SLUG, "--format", "json", "--out", str(grades))
    code, _, err = grade_ada(klass, "--format", "json", "--out", str(grades))
    assert code == 2 and "holds 2 submissions" in errors(err)[0]


def test_merge_refuses_to_replace_a_bigger_class(klass: Path, tmp_path: Path) -> None:
    grades = tmp_path / "grades.csv"
    run("grade-batch", str(klass), SLUG, "--out", str(grades))
    shard = tmp_path / "ada.json"
    grade_ada(klass, "--format", "json", "--out", str(shard))
    code, _, err = run("merge", str(shard), "--out", str(grades))
    assert code == 2 and "holds 2 submissions" in errors(err)[0]


# --- --only / --update -------------------------------------------------------------------------


def test_update_regrades_named_students_into_the_class_report(klass: Path, tmp_path: Path) -> None:
    grades = tmp_path / "grades.json"
    code, _, _ = run("grade-batch", str(klass), SLUG, "--format", "json", "--out", str(grades))
    assert code == 1
    before = {r["submission"]: r for r in json.loads(grades.read_text())}
    assert before["ben"]["score"] < 100
    # ben fixes his file; dan joins late
    shutil.copyfile(SOLUTIONS / f"{SLUG}.py", klass / "ben" / f"{SLUG}.py")
    student(klass, "dan", SOLUTIONS / f"{SLUG}.py")
    csv_out = tmp_path / "grades.csv"
    code, out, err = run(
        "grade-batch", str(klass), "--only", "ben,dan", "--update", str(grades),
        "--out", str(csv_out),
    )  # fmt: skip
    assert code == 0, err  # both regraded submissions pass
    assert out == ""
    assert f"Updated {grades}: 2 regraded, 4 submissions" in err
    after = {r["submission"]: r for r in json.loads(grades.read_text())}
    assert after["ben"]["score"] == after["dan"]["score"] == 100
    assert after["ada"] == before["ada"] and after["cleo"] == before["cleo"]  # kept as they were
    # the updated report is the one a full grading of the class gives, byte for byte
    fresh = tmp_path / "fresh.json"
    run("grade-batch", str(klass), SLUG, "--format", "json", "--out", str(fresh))
    assert grades.read_bytes() == fresh.read_bytes()
    assert csv_out.read_text().splitlines()[1:] == [
        "ada,100,100",
        "ben,100,100",
        "cleo,0,0",
        "dan,100,100",
    ]


def test_only_and_update_refuse_what_they_cannot_do(klass: Path, tmp_path: Path) -> None:
    code, _, err = run("grade-batch", str(klass), SLUG, "--only", "zed")
    assert code == 2 and errors(err) == [
        f"nnlab: error: --only: no submission folder named 'zed' under {klass}"
    ]
    code, _, err = run(
        "grade-batch", str(klass), "--only", "ada", "--update", str(tmp_path / "none.json")
    )
    assert code == 2 and "file not found" in errors(err)[0]
    grades = tmp_path / "grades.json"
    run("grade-batch", str(klass), SLUG, "--format", "json", "--out", str(grades))
    code, _, err = run(
        "grade-batch", str(klass), "tensors", "--only", "ada", "--update", str(grades)
    )
    assert code == 2 and f"grades {SLUG}, not tensors" in errors(err)[0]
    csv_file = tmp_path / "grades.csv"
    run("grade-batch", str(klass), SLUG, "--out", str(csv_file))
    code, _, err = run("grade-batch", str(klass), "--only", "ada", "--update", str(csv_file))
    assert code == 2 and "not JSON" in errors(err)[0]


# --- names -------------------------------------------------------------------------------------


def test_a_single_grading_is_named_by_its_folder_or_by_name(klass: Path, tmp_path: Path) -> None:
    code, out, _ = grade_ada(klass, "--format", "json")
    assert json.loads(out)["submission"] == "ada"
    code, out, _ = grade_ada(klass, "--format", "json", "--name", "s-0042")
    assert json.loads(out)["submission"] == "s-0042"
    # merged with the class's shards, kim's own grading is the same submission, not a second one
    shard = tmp_path / "shard.json"
    run(
        "grade-batch",
        str(klass),
        SLUG,
        "--only",
        "ben,cleo",
        "--format",
        "json",
        "--out",
        str(shard),
    )
    single = tmp_path / "ada.json"
    grade_ada(klass, "--format", "json", "--out", str(single))
    code, out, _ = run("merge", str(shard), str(single), "--format", "json")
    whole = tmp_path / "whole.json"
    run("grade-batch", str(klass), SLUG, "--format", "json", "--out", str(whole))
    assert code == 0 and out == whole.read_text()


def test_folder_names_that_are_not_utf8_stay_apart_and_give_the_folder_back(
    tmp_path: Path,
) -> None:
    raws = [b"bad-\xff", b"bad-\xfe", b"bad-\\xff", b"J\xc3\xb6rg", b"half-\xc3", b"a\\b"]
    names = [batch.submission_name(Path(os.fsdecode(raw))) for raw in raws]
    assert names == ["bad-\\xff", "bad-\\xfe", "bad-\\\\xff", "Jörg", "half-\\xc3", "a\\\\b"]
    assert [batch.folder_bytes(name) for name in names] == raws
    root = tmp_path / "class"
    for raw in raws[:3]:
        student(root, raw, SOLUTIONS / f"{SLUG}.py")
    code, out, err = run("grade-batch", str(root), SLUG, "--format", "json")
    assert code == 0, err
    assert [r["submission"] for r in json.loads(out)] == sorted(names[:3])
    code, out, _ = run("grade-batch", str(root), SLUG, "--only", "bad-\\xfe")
    assert out.splitlines()[1:] == ["bad-\\xfe,100,100"]


def test_two_folders_under_one_name_are_refused(tmp_path: Path) -> None:
    folders = [tmp_path / "x" / "kim", tmp_path / "y" / "kim"]
    with pytest.raises(batch.BatchError, match="would both be named 'kim'"):
        batch.unique_names(folders)


# --- killing grade-batch -------------------------------------------------------------------------


def _workers(supervisor: int) -> set[int]:
    """The supervisor's forked workers: its children running the same command line."""
    try:
        children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
        mine = Path(f"/proc/{supervisor}/cmdline").read_bytes()
    except OSError:
        return set()
    found = set()
    for child in children:
        try:
            if Path(f"/proc/{child}/cmdline").read_bytes() == mine:
                found.add(int(child))
        except OSError:
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _start_hanging_class(tmp_path: Path) -> tuple[subprocess.Popen, set[int], Path]:
    if not Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists():
        pytest.skip("the kernel does not list a process's children")
    root = tmp_path / "class"
    for name in ("a", "b", "c"):
        student(root, name, None)
        (root / name / f"{SLUG}.py").write_text("while True:\n    pass\n")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "nnlab", "grade-batch", str(root), SLUG, "--jobs", "2",
         "--out", str(tmp_path / "grades.csv")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(scratch)},
    )  # fmt: skip
    workers: set[int] = set()
    for _ in range(300):  # until both workers are grading (each submission loops at import)
        workers = _workers(process.pid)
        if len(workers) == 2 and any(scratch.glob("nnlab-batch-*/submission-*")):
            break
        time.sleep(0.1)
    assert len(workers) == 2, "the workers did not start"
    return process, workers, scratch


def _gone(pids: set[int]) -> bool:
    for _ in range(100):
        if not any(_alive(pid) for pid in pids):
            return True
        time.sleep(0.1)
    return False


def test_sigterm_stops_every_worker_and_removes_the_scratch_folder(tmp_path: Path) -> None:
    process, workers, scratch = _start_hanging_class(tmp_path)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stderr
    assert stderr.strip().splitlines()[-1].startswith("nnlab: terminated (SIGTERM)")
    assert "Traceback" not in stderr
    assert _gone(workers)
    # the batch's scratch folder is gone (a killed sandbox child's own folder, named by its
    # worker, is swept by the next grading: see the SIGKILL test)
    assert list(scratch.glob("nnlab-batch-*")) == []
    assert not (tmp_path / "grades.csv").exists()


def test_sigkill_ends_the_workers_and_the_next_run_sweeps_what_was_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    process, workers, scratch = _start_hanging_class(tmp_path)
    process.kill()
    process.communicate(timeout=60)
    assert _gone(workers), "a worker outlived its killed supervisor"
    left = list(scratch.glob("nnlab-batch-*"))
    assert [p.name.split("-")[2] for p in left] == [str(process.pid)]
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setattr(batch.processes, "_swept", set())
    root = tmp_path / "next"
    student(root, "ada", SOLUTIONS / f"{SLUG}.py")
    assert batch.grade_batch(root, batch.BatchOptions(jobs=1, slugs=[SLUG])).all_passed
    # (the sandbox's own nnlab-child-*/nnlab-template-* folders are the sandbox's to sweep)
    assert list(scratch.glob("nnlab-batch-*")) == []
