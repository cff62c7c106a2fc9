"""`nnlab grade-batch`: a class graded in parallel, each submission alone, in a stable order."""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
from pathlib import Path

import pytest
from classroom import make_class, needs_slugs, validate_report
from click.testing import CliRunner
from conftest import SOLUTIONS

from nnlab import batch, catalog
from nnlab.cli import cli
from nnlab.grading import grade


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def slugs() -> list[str]:
    return needs_slugs()


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory, slugs: list[str]) -> Path:
    root = tmp_path_factory.mktemp("class")
    make_class(root, slugs)
    return root


@pytest.fixture(scope="module")
def graded(klass: Path) -> list[dict]:
    """The whole class graded once through the CLI, as JSON."""
    code, out, err = run("grade-batch", str(klass), "--jobs", "2", "--format", "json")
    assert code == 1, err
    return json.loads(out)


# --- which folders, which shard --------------------------------------------------------------


def test_every_folder_directly_under_root_is_one_submission_sorted(klass: Path) -> None:
    names = [folder.name for folder in batch.discover(klass)]
    assert names == ["alice", "bob", "carol", "dave", "erin"]  # not .git, _scratch, notes.txt


def test_shard_is_a_stable_hash_of_the_folder_name() -> None:
    for name in ["alice", "bob", "Zoë", "s-0042"]:
        digest = hashlib.sha256(name.encode("utf-8")).digest()
        assert batch.shard_of(name, 4) == int.from_bytes(digest[:8], "big") % 4 + 1


def test_shards_partition_the_class_exactly() -> None:
    folders = [Path(f"student-{i:03d}") for i in range(60)]
    for n in (1, 2, 3, 7):
        shards = [batch.select_shard(folders, (k, n)) for k in range(1, n + 1)]
        names = sorted(folder.name for shard in shards for folder in shard)
        assert names == sorted(folder.name for folder in folders)
        assert all(shards), f"an empty shard out of {n} for 60 submissions"


@pytest.mark.parametrize("text", ["0/4", "5/4", "2", "a/b", "1/0", "-1/3"])
def test_bad_shard_is_a_one_line_usage_error(klass: Path, text: str) -> None:
    code, _, err = run("grade-batch", str(klass), "--shard", text)
    assert code == 2
    assert err.startswith("nnlab: error: ") and "--shard" in err
    assert len(err.strip().splitlines()) == 1


def test_missing_or_empty_root_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("grade-batch", str(tmp_path / "nowhere"))
    assert code == 2 and "folder not found" in err
    code, _, err = run("grade-batch", str(tmp_path))
    assert code == 2 and "no submission folders" in err


# --- the reports -----------------------------------------------------------------------------


def test_json_is_a_list_of_reports_sorted_with_every_exercise(
    graded: list[dict], slugs: list[str]
) -> None:
    validate_report(graded, batch=True)
    assert [r["submission"] for r in graded] == ["alice", "bob", "carol", "dave", "erin"]
    for record in graded:
        assert [e["exercise"] for e in record["exercises"]] == catalog.slugs()
        assert record["max_score"] == 100.0 * len(catalog.slugs())
    by_name = {r["submission"]: {e["exercise"]: e for e in r["exercises"]} for r in graded}
    for slug in slugs:
        assert by_name["alice"][slug]["status"] == "passed"
        assert by_name["bob"][slug]["score"] == 0
        assert by_name["dave"][slug]["status"] == "missing"
    assert by_name["carol"][slugs[0]]["status"] == "error"
    assert "SyntaxError" in by_name["carol"][slugs[0]]["message"]
    assert by_name["erin"][slugs[0]]["status"] == "error"
    for slug in catalog.slugs():
        if slug not in slugs:
            assert by_name["alice"][slug]["status"] == "missing"


def test_each_submission_gets_the_report_it_would_get_alone(
    graded: list[dict], klass: Path, slugs: list[str]
) -> None:
    """Neighbours that crash or fail change nothing: batch == grading the folder by itself."""
    for record in graded:
        alone = grade(
            klass / record["submission"], catalog.slugs(), submission_name=record["submission"]
        )
        assert record == alone.to_dict()


def test_jobs_do_not_change_the_result(klass: Path, graded: list[dict]) -> None:
    code, out, _ = run("grade-batch", str(klass), "--jobs", "1", "--format", "json")
    assert code == 1
    assert json.loads(out) == graded


def test_submissions_are_graded_from_a_private_copy(tmp_path: Path, slugs: list[str]) -> None:
    root = tmp_path / "class"
    make_class(root, slugs)
    secret = tmp_path / "secret.py"
    secret.write_text("raise SystemExit('must never be read')\n")
    (root / "dave" / f"{slugs[0]}.py").symlink_to(secret)  # points outside the submission
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    code, out, _ = run("grade-batch", str(root), "--format", "json")
    assert code == 1
    after = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert after == before  # nothing written into any submission (no .nnlab/progress.json)
    dave = next(r for r in json.loads(out) if r["submission"] == "dave")
    linked = dave["exercises"][catalog.slugs().index(slugs[0])]
    assert linked["status"] == "error"  # refused, with the reason, as `nnlab grade` does
    assert linked["message"].startswith(f"{slugs[0]}.py is a symbolic link (to {secret})")


def test_an_exercise_added_after_the_batch_started_is_an_error_that_says_grade_again(
    tmp_path: Path, slugs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the exercises some submission had at the start are collected; a file that
    appears later is not graded against nothing (nor reported missing)."""
    first, later = slugs[0], slugs[1]
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        for slug in (first, later):
            (tmp_path / name / f"{slug}.py").write_text((SOLUTIONS / f"{slug}.py").read_text())
    scanned = batch.submitted_slugs
    monkeypatch.setattr(  # as if the scan ran before `later`'s files were written
        batch,
        "submitted_slugs",
        lambda wanted, folders: [s for s in scanned(wanted, folders) if s != later],
    )
    result = batch.grade_batch(tmp_path, batch.BatchOptions(jobs=2, slugs=[first, later]))
    for report in result.reports:
        status = {e.exercise: e for e in report.exercises}
        assert status[first].status == "passed"
        assert status[later].status == "grader_error"  # the grader's, not the learner's
        assert "grade again" in status[later].message and later in status[later].message


def test_csv_has_one_row_per_submission(klass: Path, graded: list[dict]) -> None:
    code, out, _ = run("grade-batch", str(klass), "--format", "csv")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "submission,total," + ",".join(catalog.slugs())
    assert [line.split(",")[0] for line in lines[1:]] == [r["submission"] for r in graded]
    for line, record in zip(lines[1:], graded, strict=True):
        assert float(line.split(",")[1]) == pytest.approx(record["score"], abs=0.01)


def test_out_writes_the_file_and_the_progress_goes_to_stderr(klass: Path, tmp_path: Path) -> None:
    target = tmp_path / "grades.csv"
    code, out, err = run("grade-batch", str(klass), "--out", str(target), "--shard", "1/1")
    assert code == 1 and out == ""
    assert target.read_text().startswith("submission,total,")
    lines = [line for line in err.splitlines() if line.startswith("[")]
    assert [line.split("]")[0] for line in lines] == [f"[{n}/5" for n in range(1, 6)]
    assert "elapsed" in lines[-1] and "below full marks" in lines[-1]


def test_a_shard_grades_only_its_own_submissions(klass: Path) -> None:
    names = set()
    for k in (1, 2, 3):
        code, out, _ = run("grade-batch", str(klass), "--shard", f"{k}/3", "--format", "json")
        assert code in (0, 1)
        shard = [r["submission"] for r in json.loads(out)]
        assert all(batch.shard_of(name, 3) == k for name in shard)
        names |= set(shard)
    assert names == {"alice", "bob", "carol", "dave", "erin"}


def test_exit_status_0_when_everything_passes(tmp_path: Path, slugs: list[str]) -> None:
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        for slug in slugs:
            (tmp_path / name / f"{slug}.py").write_text((SOLUTIONS / f"{slug}.py").read_text())
    result = batch.grade_batch(tmp_path, batch.BatchOptions(jobs=2, slugs=slugs))
    assert result.all_passed and not result.crashed
    assert [r.submission for r in result.reports] == ["one", "two"]


# --- a grading that crashes or hangs stops only itself ---------------------------------------


def _misbehaving_grading(folder, name, slugs, extra, scratch, session=None):  # type: ignore[no-untyped-def]
    if name == "crash":
        os._exit(9)
    if name == "hang":
        time.sleep(600)
    if name == "raise":  # the engine itself raises: the worker reports it and carries on
        import nnlab.grading

        def broken_grade(*args, **kwargs):  # type: ignore[no-untyped-def]
            raise RuntimeError("the grader broke")

        original, nnlab.grading.grade = nnlab.grading.grade, broken_grade
        try:
            return ORIGINAL_GRADING(folder, name, slugs, extra, scratch, session)
        finally:
            nnlab.grading.grade = original
    return ORIGINAL_GRADING(folder, name, slugs, extra, scratch, session)


ORIGINAL_GRADING = batch._grade_one


@pytest.mark.skipif(
    "fork" not in __import__("multiprocessing").get_all_start_methods(), reason="needs fork"
)
def test_a_worker_that_crashes_hangs_or_raises_stops_only_itself(
    tmp_path: Path, slugs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    names = ["crash", "fine", "hang", "raise", "well", "zeta"]
    for name in names:
        (tmp_path / name).mkdir()
        (tmp_path / name / f"{slugs[0]}.py").write_text((SOLUTIONS / f"{slugs[0]}.py").read_text())
    monkeypatch.setattr(batch, "_grade_one", _misbehaving_grading)
    finished: list[tuple[str, bool]] = []
    options = batch.BatchOptions(
        jobs=2,  # workers are reused, and replaced when one dies or overruns
        slugs=slugs[:1],
        submission_timeout=3,
        on_done=lambda report, crashed: finished.append((report.submission, crashed)),
    )
    started = time.monotonic()
    result = batch.grade_batch(tmp_path, options)
    assert time.monotonic() - started < 30
    assert [r.submission for r in result.reports] == names
    assert result.crashed == ["crash", "hang", "raise"]
    by_name = {r.submission: r.exercises[0] for r in result.reports}
    for name in ("fine", "well", "zeta"):
        assert by_name[name].status == "passed"
    assert "crashed" in by_name["crash"].message
    assert "did not finish within 3 s" in by_name["hang"].message
    assert "the grader broke" in by_name["raise"].message
    for name in result.crashed:
        assert by_name[name].status == "grader_error" and by_name[name].score == 0
    assert sorted(finished) == [(name, name in result.crashed) for name in names]


# --- progress bar ----------------------------------------------------------------------------


def test_progress_redraws_one_line_on_a_terminal() -> None:
    stream = io.StringIO()
    progress = batch.BatchProgress(2, stream=stream, live=True)
    progress.start()
    progress.update(batch.failed_report("a", ["tensors"], "x"), True)
    progress.update(batch.failed_report("b", ["tensors"], "x"), False)
    progress.close()
    text = stream.getvalue()
    assert text.count("\r\033[K") == 3 and text.endswith("\n")
    assert "2/2" in text and "2 below full marks, 1 could not be graded" in text


# --- instructor checks -----------------------------------------------------------------------


def test_private_checks_are_added_to_the_hidden_ones(
    klass: Path, tmp_path: Path, slugs: list[str]
) -> None:
    slug = slugs[0]
    function = catalog.get(slug).functions[0]
    extra = tmp_path / "checks"
    extra.mkdir()
    (extra / f"test_{slug}_private.py").write_text(
        "from nnlab.checks import check, fail\n\n"
        f"@check({function!r}, hint='an instructor-only check')\n"
        "def test_instructor_only_check(learner):\n"
        "    fail('this instructor check always fails')\n"
    )
    code, out, _ = run("grade-batch", str(klass), "--checks", str(extra), "--format", "json")
    assert code == 1
    alice = next(r for r in json.loads(out) if r["submission"] == "alice")
    exercise = alice["exercises"][catalog.slugs().index(slug)]
    names = [c["name"] for c in exercise["checks"]]
    assert names[-1] == "instructor_only_check"
    assert exercise["status"] == "partial"
    assert exercise["checks"][-1]["message"] == "this instructor check always fails"


def test_a_private_check_file_that_cannot_be_imported_is_named_for_its_exercise_only(
    klass: Path, tmp_path: Path, slugs: list[str]
) -> None:
    """Once read by pytest as a Ctrl-C: the whole grading stopped as 'interrupted'."""
    slug = slugs[0]
    extra = tmp_path / "checks"
    extra.mkdir()
    (extra / f"test_{slug}_private.py").write_text("raise RuntimeError('a typo in my checks')\n")
    code, out, err = run("grade-batch", str(klass), "--checks", str(extra), "--format", "json")
    assert code == 3, err  # the instructor's file: the grading is unsound, said once on stderr
    assert err.strip().splitlines()[-1] == (
        f"nnlab: error: {slug}: the checks in test_{slug}_private.py could not be loaded "
        "(RuntimeError: a typo in my checks); please report this to the course authors "
        "(3 submissions: alice, bob, erin)"  # carol: a syntax error first; dave: empty
    )
    alice = next(r for r in json.loads(out) if r["submission"] == "alice")
    by_slug = {e["exercise"]: e for e in alice["exercises"]}
    broken = by_slug[slug]
    assert broken["status"] == "grader_error" and broken["score"] == 0
    assert broken["message"] == (
        f"the checks in test_{slug}_private.py could not be loaded "
        "(RuntimeError: a typo in my checks); please report this to the course authors"
    )
    assert all(by_slug[other]["status"] == "passed" for other in slugs[1:])


def test_the_time_limit_stops_the_submissions_sandbox_too(
    tmp_path: Path, slugs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A submission still importing when its batch time runs out leaves no child process behind."""
    from nnlab.sandbox.launcher import Sandbox

    root = tmp_path / "class"
    (root / "slow").mkdir(parents=True)
    (root / "slow" / f"{slugs[0]}.py").write_text("while True:\n    pass\n")
    pids = tmp_path / "pids"
    original_start = Sandbox.start

    def recording_start(self: Sandbox) -> None:
        original_start(self)
        with pids.open("a") as handle:
            handle.write(f"{self.process.pid}\n")

    monkeypatch.setattr(Sandbox, "start", recording_start)
    options = batch.BatchOptions(jobs=1, slugs=slugs[:1], submission_timeout=3)
    (report,) = batch.grade_batch(root, options).reports
    assert "did not finish within 3 s" in report.exercises[0].message
    (pid,) = [int(line) for line in pids.read_text().split()]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        if state == "Z":
            break
        time.sleep(0.1)
    else:
        assert not Path(f"/proc/{pid}").exists(), "the sandbox child outlived its submission"


def test_a_batch_leaves_no_temporary_files_behind(
    tmp_path: Path, slugs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    root = tmp_path / "class"
    make_class(root, slugs)
    result = batch.grade_batch(root, batch.BatchOptions(jobs=2, slugs=slugs))
    assert len(result.reports) == 5
    assert sorted(p.name for p in scratch.iterdir()) == []


def test_odd_folder_names_are_graded_and_written(tmp_path: Path, slugs: list[str]) -> None:
    root = tmp_path / "class"
    root.mkdir()
    odd = [b"J\xc3\xb6rg M\xc3\xbcller", b"bad-\xff-bytes", b"=formula"]
    for raw in odd:
        folder = Path(os.fsdecode(bytes(root) + b"/" + raw))
        folder.mkdir()
        (folder / f"{slugs[0]}.py").write_text((SOLUTIONS / f"{slugs[0]}.py").read_text())
    target = tmp_path / "grades.json"
    code, _, err = run("grade-batch", str(root), "--format", "json", "--out", str(target))
    assert code == 1, err
    names = [r["submission"] for r in json.loads(target.read_text(encoding="utf-8"))]
    assert sorted(names) == sorted(["Jörg Müller", "bad-\\xff-bytes", "=formula"])
    code, out, _ = run("grade-batch", str(root), "--format", "csv")
    assert "'=formula," in out and "Jörg Müller," in out


def test_ctrl_c_stops_the_batch_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    root = tmp_path / "class"
    for name in ("a", "b", "c"):
        (root / name).mkdir(parents=True)
        (root / name / "tensors.py").write_text("while True:\n    pass\n")
    out = tmp_path / "grades.csv"
    process = subprocess.Popen(
        [sys.executable, "-m", "nnlab", "grade-batch", str(root), "--jobs", "2", "--out", str(out)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    time.sleep(3)  # the workers are grading (each submission loops at import)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert stderr.strip().splitlines()[-1].startswith("nnlab: interrupted")
    assert "Traceback" not in stderr
    assert not out.exists()


def test_workers_are_pinned_one_per_core_only_when_there_is_one_per_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {2, 5}, raising=False)
    assert batch.cores_to_pin(2) == [2, 5]
    assert batch.cores_to_pin(1) == []  # a lone worker's TensorFlow child may use both
    assert batch.cores_to_pin(3) == []
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert batch.cores_to_pin(1) == []


@pytest.mark.skipif(
    "fork" not in __import__("multiprocessing").get_all_start_methods(), reason="needs fork"
)
def test_each_worker_grades_with_a_clone_of_the_supervisors_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nnlab.sandbox.template import Template

    if not os.path.exists(f"/proc/self/task/{os.getpid()}/children"):
        pytest.skip("the kernel does not list a process's children: no clones")
    for name in ("one", "two", "three"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "tensors.py").write_text((SOLUTIONS / "tensors.py").read_text())
    monkeypatch.setattr(Template, "_shared", {})  # a template of this test's own
    result = batch.grade_batch(tmp_path, batch.BatchOptions(jobs=2, slugs=["tensors"]))
    assert result.all_passed and not result.crashed
    base = Template._shared[()]
    try:
        with base.lock:
            while base._pump(0.5):  # the clones' pids, and their ends once their workers left
                pass
        clones = set(base.pids.values())
        assert len(clones) == 2, "one clone per worker, forked by the supervisor's template"
        assert clones <= set(base.exits), "every clone ended with its worker"
        # no Keras file anywhere: nothing of the Keras exercise is collected or started
        assert batch.submitted_slugs(["tensors", "keras_cnn"], [tmp_path / "one"]) == ["tensors"]
    finally:
        base.close()
