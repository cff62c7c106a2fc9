"""`nnlab verify --mutants`: how many single-change variants of the model answers the checks kill.

For each exercise the mutants of :mod:`nnlab.mutation` (a sample of ``count`` of them,
chosen by ``seed``, with ``--max``) are written one per submission folder, beside the model
answer itself, and graded by one grade-batch (:func:`nnlab.batch.grade_folders`: ``jobs``
gradings at once, each in the sandbox). A mutant is

- *killed* when a check fails for it (any status but ``passed``: failed, error, timeout,
  blocked) or its module does not load;
- *equivalent* when no check fails and it gives the model answer's results on the broad
  random probe of :mod:`nnlab.probe_inputs` (the mutant and the model answer each run in a
  sandbox child, the parent compares the replies); a killed mutant is never probed: a check
  already told it apart;
- *surviving* otherwise: a behaviour the checks let through. Each survivor is reported
  with its diff; one that ``solutions/harmless_mutants.toml`` names is labelled harmless,
  with the reason there (it still counts against the kill rate);
- *not graded* when the grading itself failed (a check's own error, a crashed worker).

The kill rate is killed / (generated - equivalent - not graded); the course aims at
:data:`TARGET` per exercise.

With ``check_dirs`` (an instructor's ``--checks`` folders) the gradings run the course's
checks and the private ones together, and kills are attributed: a mutant survives *your*
checks when no private check fails for it, whatever the course's checks do (the report says
when the course's checks catch it). Only mutants that can change a function the private
checks name are generated.

The Keras exercises (``keras_model``, ``keras_cnn``) get the Keras subset of operators of
:mod:`nnlab.mutation` (their model answers mark the code the contracts leave to the
learner's design ``pragma: no mutate``; the report counts what that leaves out). Their
gradings share the batch's TensorFlow template (a fork per grading, ~4 s of training
each); their probe (:func:`nnlab.probe_inputs.keras_calls`) compares descriptions of the
models, fit settings, histories and figures that the trusted helpers of
``grader/probes/keras.py`` make in the child (:func:`_keras_answers`).
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nnlab import catalog, mutation, probe_inputs
from nnlab.resources import grader_dir, source_checkout

TARGET = 0.95
HARMLESS_FILE = "solutions/harmless_mutants.toml"  # in the source checkout
PROBE_SECONDS = 60.0  # per function's calls, in the probe
STATUSES = ("equivalent", "killed", "surviving", "not graded")


@dataclass
class Outcome:
    mutant: mutation.Mutant
    status: str = "surviving"  # one of STATUSES
    killed_by: list[str] = field(default_factory=list)  # the failing checks that count
    course_kills: bool = False  # with private checks: whether the course's checks kill it
    note: str = ""
    harmless: str = ""  # a survivor's reason, from HARMLESS_FILE: it changes nothing that matters


@dataclass
class ExerciseAnalysis:
    slug: str
    available: int = 0  # mutants before sampling
    quiet: int = 0  # mutants not made: on lines marked ``pragma: no mutate``
    outcomes: list[Outcome] = field(default_factory=list)
    skipped: str = ""  # why the exercise was not analysed
    problem: str = ""  # what makes its figures meaningless (the solution fails)

    def counts(self, function: str | None = None) -> dict[str, int]:
        chosen = [o for o in self.outcomes if function is None or o.mutant.function == function]
        counts = {"generated": len(chosen)} | {status: 0 for status in STATUSES}
        for outcome in chosen:
            counts[outcome.status] += 1
        return counts

    def kill_rate(self, function: str | None = None) -> float | None:
        counts = self.counts(function)
        judged = counts["killed"] + counts["surviving"]
        return counts["killed"] / judged if judged else None

    @property
    def functions(self) -> list[str]:
        return list(dict.fromkeys(o.mutant.function for o in self.outcomes))


@dataclass
class Analysis:
    exercises: list[ExerciseAnalysis]
    seconds: float = 0.0
    private: bool = False
    seed: int = 0

    @property
    def below_target(self) -> list[ExerciseAnalysis]:
        return [
            e
            for e in self.exercises
            if e.problem or (e.kill_rate() is not None and e.kill_rate() < TARGET)  # type: ignore[operator]
        ]


def analyse(
    slugs: Sequence[str] = (),
    *,
    jobs: int = 0,
    count: int | None = None,
    seed: int = 0,
    check_dirs: Sequence[Path] = (),
    progress: Callable[[str], None] = lambda line: None,
) -> Analysis:
    """Generate, grade and probe the mutants of ``slugs`` (default: every exercise, or those
    the ``check_dirs`` have checks for). Raises :class:`nnlab.verification.NotACheckout`
    outside a source checkout and :class:`nnlab.verification.BadChecksFolder` for a
    ``--checks`` folder it refuses."""
    from nnlab import verification
    from nnlab.grading import collect_checks

    started = time.monotonic()
    root = source_checkout()
    if root is None:
        raise verification.NotACheckout(
            "verify --mutants needs a source checkout of nnlab (with solutions/); "
            "this is an installed copy"
        )
    check_dirs = [Path(directory) for directory in check_dirs]
    private: dict[str, list[Path]] = {}
    for directory in check_dirs:
        for slug, files in verification.private_check_files(directory).items():
            private.setdefault(slug, []).extend(files)
    if not slugs and check_dirs:
        slugs = [slug for slug in catalog.slugs() if slug in private]
    chosen = [catalog.get(slug) for slug in slugs] if slugs else list(catalog.EXERCISES)
    analysis = Analysis([], private=bool(check_dirs), seed=seed)
    counted: dict[str, set[str] | None] = {}  # exercise -> the checks whose failure kills
    hidden = grader_dir().resolve()
    for exercise in chosen:
        slug = exercise.slug
        result = ExerciseAnalysis(slug)
        analysis.exercises.append(result)
        solution = root / "solutions" / f"{slug}.py"
        if not solution.is_file():
            result.skipped = f"no solutions/{slug}.py in this checkout"
            continue
        functions: list[str] = []
        if check_dirs:
            if slug not in private:
                result.skipped = "no private checks for it"
                continue
            unloadable = verification._load_problems(private[slug])
            if unloadable:
                result.problem = "; ".join(unloadable)
                continue
            found = [
                c for c in collect_checks(slug, check_dirs) if c.path.resolve().parent != hidden
            ]
            counted[slug] = {c.name for c in found}
            functions = list(dict.fromkeys(c.info.function for c in found if c.info))
        else:
            counted[slug] = None
        text = solution.read_text(encoding="utf-8")
        every = mutation.mutants(slug, text, functions=functions)
        result.available = len(every)
        if mutation.quiet_lines(text):  # the mutants those lines would have had
            everywhere = mutation.mutants(slug, text, functions=functions, pragmas=False)
            result.quiet = len(everywhere) - len(every)
        result.outcomes = [Outcome(m) for m in mutation.sample(every, count, seed)]

    graded = [e for e in analysis.exercises if e.outcomes]
    total = sum(len(e.outcomes) for e in graded)
    if graded:
        progress(f"grading {total} mutants of {len(graded)} exercises")
        with tempfile.TemporaryDirectory(prefix="nnlab-mutants-") as scratch:
            reports = _grade(Path(scratch), root, graded, jobs, check_dirs, progress)
        for exercise in graded:
            _classify(exercise, reports, counted[exercise.slug])
        _probe(graded, seed, progress)
        _label_harmless(graded, root)
    analysis.seconds = time.monotonic() - started
    return analysis


HarmlessKey = tuple[str, str, str, str]  # (exercise, function, change, the line, stripped)


def harmless_mutants(root: Path) -> dict[HarmlessKey, str]:
    """The survivors the course leaves on purpose (``HARMLESS_FILE``), with their reasons."""
    import tomllib

    path = root / HARMLESS_FILE
    if not path.is_file():
        return {}
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("harmless", [])
    return {
        (e["exercise"], e["function"], e["change"], e["line"].strip()): e["reason"] for e in entries
    }


def harmless_key(mutant: mutation.Mutant, text: str) -> HarmlessKey:
    """How ``HARMLESS_FILE`` names ``mutant`` of the model answer ``text``."""
    line = text.splitlines()[mutant.line - 1].strip()
    return mutant.slug, mutant.function, mutant.change, line


def _label_harmless(exercises: Sequence[ExerciseAnalysis], root: Path) -> None:
    known = harmless_mutants(root)
    for exercise in exercises:
        text = (root / "solutions" / f"{exercise.slug}.py").read_text(encoding="utf-8")
        for outcome in exercise.outcomes:
            if outcome.status == "surviving":
                outcome.harmless = known.get(harmless_key(outcome.mutant, text), "")


def _grade(
    scratch: Path,
    root: Path,
    exercises: Sequence[ExerciseAnalysis],
    jobs: int,
    check_dirs: Sequence[Path],
    progress: Callable[[str], None],
) -> dict[str, Any]:
    """Folder name -> its report (None when its grading crashed)."""
    from nnlab import batch

    folders = []
    for exercise in exercises:
        slug = exercise.slug
        answers = [(f"{slug}-0000-solution", (root / "solutions" / f"{slug}.py").read_text())]
        answers += [(o.mutant.name, o.mutant.source) for o in exercise.outcomes]
        for name, text in answers:
            folder = scratch / name
            folder.mkdir()
            (folder / f"{slug}.py").write_text(text, encoding="utf-8")
            folders.append(folder)
    done = [0]
    step = max(1, len(folders) // 10)

    def on_done(report: Any, crashed: bool) -> None:
        done[0] += 1
        if done[0] % step == 0 or done[0] == len(folders):
            progress(f"graded {done[0]}/{len(folders)}")

    options = batch.BatchOptions(
        jobs=jobs,
        slugs=[exercise.slug for exercise in exercises],
        extra_check_dirs=check_dirs,
        on_done=on_done,
    )
    result = batch.grade_folders(folders, options)
    reports: dict[str, Any] = {report.submission: report for report in result.reports}
    for name in result.crashed:
        reports[name] = None
    return reports


def _failing(result: Any, counted: set[str] | None) -> list[str]:
    from nnlab.results import GRADER_ERROR

    failing = [
        check.name
        for check in result.checks
        if (counted is None or check.name in counted)
        and check.status not in ("passed", GRADER_ERROR)
    ]
    if not result.checks and result.status == "error":
        failing = [f"(it does not load: {result.message})"]
    return failing


def _classify(
    exercise: ExerciseAnalysis, reports: dict[str, Any], counted: set[str] | None
) -> None:
    from nnlab.results import GRADER_ERROR

    def result_of(name: str) -> Any:
        report = reports.get(name)
        if report is None:
            return None
        return next((e for e in report.exercises if e.exercise == exercise.slug), None)

    reference = result_of(f"{exercise.slug}-0000-solution")
    if reference is None or reference.status != "passed":
        shown = reference.status if reference is not None else "not graded"
        exercise.problem = f"the model answer does not earn full marks ({shown}): no figures"
        for outcome in exercise.outcomes:
            outcome.status = "not graded"
        return
    for outcome in exercise.outcomes:
        result = result_of(outcome.mutant.name)
        errors = [] if result is None else [c for c in result.checks if c.status == GRADER_ERROR]
        if result is None or result.status == GRADER_ERROR or errors:
            outcome.status = "not graded"
            outcome.note = "the grading itself failed" + (f" ({errors[0].name})" if errors else "")
            continue
        outcome.killed_by = _failing(result, counted)
        outcome.course_kills = bool(_failing(result, None)) and counted is not None
        if outcome.killed_by:
            outcome.status = "killed"


def _probe(
    exercises: Sequence[ExerciseAnalysis], seed: int, progress: Callable[[str], None]
) -> None:
    """Set aside the equivalent mutants among those no check killed (nor any check at all)."""
    for exercise in exercises:
        unkilled = [
            o
            for o in exercise.outcomes
            if o.status == "surviving" and not o.course_kills and not exercise.problem
        ]
        if not unkilled:
            continue
        slug = exercise.slug
        functions = list(catalog.signatures(slug))
        keras = catalog.get(slug).uses_tensorflow
        probe = (probe_inputs.keras_calls if keras else probe_inputs.calls)(slug, functions, seed)
        if not probe:
            for outcome in unkilled:
                outcome.note = "not probed: no probe inputs for this exercise"
            continue
        progress(f"{slug}: probing {len(unkilled)} mutants no check kills")
        root = source_checkout()
        assert root is not None
        reference = _run(slug, (root / "solutions" / f"{slug}.py").read_text(), probe, functions)
        if isinstance(reference, str):
            exercise.problem = f"the probe cannot run the model answer: {reference}"
            continue
        for outcome in unkilled:
            reached = [f for f in outcome.mutant.reaches if f in probe]
            got = _run(slug, outcome.mutant.source, probe, reached)
            if isinstance(got, str):
                outcome.note = f"the probe tells it apart: {got}"
                continue
            differs = next(
                (
                    (function, number)
                    for function in reached
                    for number, (ours, theirs) in enumerate(
                        zip(reference[function], got[function], strict=True)
                    )
                    if not _agree(ours, theirs)
                ),
                None,
            )
            if differs is None:
                outcome.status = "equivalent"
            else:
                function, number = differs
                outcome.note = f"the probe tells it apart: call {number + 1} of {function}"
                ours, theirs = reference[function][number], got[function][number]
                gap = (
                    probe_inputs.difference(ours[1], theirs[1])
                    if ours[0] == theirs[0] == "value"
                    else None
                )
                if gap is not None:
                    outcome.note += f", values differ by up to {gap:.3g}"
                    if ours[1] is not None and _dtypes(ours[1]) != _dtypes(theirs[1]):
                        outcome.note += " and in dtype"


def _dtypes(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for item in value.values() for t in _dtypes(item)]
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in _dtypes(item)]
    return [str(getattr(value, "dtype", type(value).__name__))]


def _agree(ours: tuple[str, Any], theirs: tuple[str, Any]) -> bool:
    if ours[0] != theirs[0]:
        return False
    if ours[0] == "raised":
        return ours[1] == theirs[1]
    return probe_inputs.same(ours[1], theirs[1])


Replies = dict[str, list[tuple[str, Any]]]  # function -> ("value", v) or ("raised", type)


def _run(
    slug: str, source: str, probe: dict[str, list[Any]], functions: Sequence[str]
) -> Replies | str:
    """Each function's probe replies, ("value", v) or ("raised", type), from a sandbox child
    running ``source``; or why the child could not answer. A Keras exercise's child has its
    trusted helpers (``grader/probes/keras.py``) and limits, as in grading."""
    from nnlab.grading import limits_for
    from nnlab.sandbox.launcher import Sandbox
    from nnlab.sandbox.replies import SandboxFailure

    exercise = catalog.get(slug)
    keras = exercise.uses_tensorflow
    limits = limits_for(exercise)
    replies: Replies = {}
    try:
        with Sandbox(
            source,
            f"{slug}.py",
            slug,
            probes=exercise.probe_path if keras else None,
            load_timeout=limits.load_seconds if keras else 30.0,
            memory_limit=limits.memory_bytes,
        ) as sandbox:
            loaded = sandbox.load()
            if loaded.raised is not None:
                return f"importing it raised {loaded.raised.type}"
            for function in functions:
                if function in probe:
                    answer = _keras_answers if keras else _answers
                    replies[function] = answer(sandbox, function, probe[function])
    except SandboxFailure as error:
        return f"{type(error).__name__}: {error}"
    return replies


def _answers(sandbox: Any, function: str, calls: list[Any]) -> list[tuple[str, Any]]:
    answers = sandbox.call_many(function, calls, timeout=PROBE_SECONDS)
    return [
        ("raised", a.raised.type) if a.raised is not None else ("value", a.value) for a in answers
    ]


def _keras_answers(sandbox: Any, function: str, calls: list[Any]) -> list[tuple[str, Any]]:
    """Each call's objects stay in the child; the trusted helpers describe them (see
    :func:`nnlab.probe_inputs.keras_calls`)."""

    def helper(name: str, *args: Any) -> Any:
        return sandbox.call(name, args, timeout=PROBE_SECONDS, probe=True).value

    answers: list[tuple[str, Any]] = []
    for call in calls:
        if call["kind"] == "build":
            args = call["args"]
        elif call["kind"] == "train":
            name, network_args = call["network"]
            helper("seed", call["seed"])
            model = helper(name, *network_args)
            helper("watch_fit", model, "probe", True)
            args = (model, *call["args"])
        else:
            args = (helper("make_history", call["history"]),)
        reply = sandbox.call(function, args, call.get("kwargs", {}), timeout=PROBE_SECONDS)
        if reply.raised is not None:
            answers.append(("raised", reply.raised.type))
        elif call["kind"] == "build":
            answers.append(("value", helper("describe_model", reply.value)))
        elif call["kind"] == "train":
            history = helper("history_values", reply.value)
            answers.append(("value", {"history": history, "fit": helper("fit_report", model)}))
        else:
            answers.append(("value", helper("describe_figure", reply.value)))
    return answers


# --- the report ------------------------------------------------------------------------------


def _figures(counts: dict[str, int]) -> str:
    text = (
        f"{counts['generated']} generated, {counts['equivalent']} equivalent, "
        f"{counts['killed']} killed, {counts['surviving']} surviving"
    )
    return text + (f", {counts['not graded']} not graded" if counts["not graded"] else "")


def _rate(rate: float | None) -> str:
    if rate is None:
        return "no mutant judged"
    return f"{math.floor(1000 * rate) / 10:.1f}% killed"  # rounded down: 94.95% is below 95%


def report_lines(analysis: Analysis, *, diffs: bool = True) -> list[str]:
    """The text report: per exercise and function, then every survivor with its diff."""
    lines: list[str] = []
    whose = "your checks" if analysis.private else "the checks"
    for exercise in analysis.exercises:
        if exercise.skipped:
            lines.append(f"{exercise.slug}: skipped ({exercise.skipped})")
            continue
        if exercise.problem and not exercise.outcomes:
            lines.append(f"{exercise.slug}: {exercise.problem}")
            continue
        sampled = (
            f" (a sample of {len(exercise.outcomes)} of {exercise.available})"
            if len(exercise.outcomes) < exercise.available
            else ""
        )
        quiet = (
            f" ({exercise.quiet} more on lines marked `{mutation.PRAGMA}`)"
            if exercise.quiet
            else ""
        )
        lines.append(
            f"{exercise.slug}: {_figures(exercise.counts())}{sampled}{quiet}: "
            f"{_rate(exercise.kill_rate())}"
        )
        if exercise.problem:
            lines.append(f"  ✗ {exercise.problem}")
        for function in exercise.functions:
            lines.append(f"  {function}: {_figures(exercise.counts(function))}")
        for function in exercise.functions:
            survivors = [
                o
                for o in exercise.outcomes
                if o.status == "surviving" and o.mutant.function == function
            ]
            if not survivors:
                continue
            many = "mutant" if len(survivors) == 1 else "mutants"
            lines.append(f"  {whose} for {function} miss {len(survivors)} {many}:")
            for outcome in survivors:
                mutant = outcome.mutant
                where = "" if mutant.where == function else f" (in {mutant.where})"
                notes = [outcome.note] if outcome.note else []
                if outcome.harmless:
                    notes.insert(0, f"harmless: {outcome.harmless}")
                if outcome.course_kills:
                    notes.append("the course's checks kill it")
                note = f" [{'; '.join(notes)}]" if notes else ""
                lines.append(
                    f"    {mutant.name} {mutant.operator}, {mutant.description}{where}{note}"
                )
                if diffs:
                    lines += [f"      {line}" for line in mutant.diff.rstrip("\n").splitlines()]
        equivalent = [o.mutant for o in exercise.outcomes if o.status == "equivalent"]
        if equivalent:
            lines.append("  set aside as equivalent (the probe finds no difference):")
            lines += [
                f"    {m.name} {m.function}: {m.operator}, {m.description}" for m in equivalent
            ]
    judged = [e for e in analysis.exercises if e.outcomes]
    totals = {key: sum(e.counts()[key] for e in judged) for key in ("generated", *STATUSES)}
    lines.append(
        f"total: {_figures(totals)} over {len(judged)} exercises "
        f"in {analysis.seconds:.0f} s (seed {analysis.seed})"
    )
    return lines


# --- the JSON report -------------------------------------------------------------------------

SCHEMA = "nnlab-mutants/1"


def report_data(analysis: Analysis) -> dict[str, Any]:
    """The report as plain data (``--json FILE``): per exercise its figures, per function
    its counts, and every mutant with its status, the checks that killed it and its diff."""

    def rate(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    exercises = []
    for exercise in analysis.exercises:
        exercises.append(
            {
                "exercise": exercise.slug,
                "skipped": exercise.skipped or None,
                "problem": exercise.problem or None,
                "available": exercise.available,
                "sampled": len(exercise.outcomes),
                "not_mutated": exercise.quiet,
                "counts": exercise.counts(),
                "kill_rate": rate(exercise.kill_rate()),
                "functions": {
                    function: exercise.counts(function)
                    | {"kill_rate": rate(exercise.kill_rate(function))}
                    for function in exercise.functions
                },
                "mutants": [
                    {
                        "name": o.mutant.name,
                        "function": o.mutant.function,
                        "where": o.mutant.where,
                        "operator": o.mutant.operator,
                        "line": o.mutant.line,
                        "column": o.mutant.column,
                        "change": o.mutant.change,
                        "status": o.status,
                        "killed_by": o.killed_by,
                        "course_kills": o.course_kills if analysis.private else None,
                        "note": o.note or None,
                        "harmless": o.harmless or None,
                        "diff": o.mutant.diff,
                    }
                    for o in exercise.outcomes
                ],
            }
        )
    judged = [e for e in analysis.exercises if e.outcomes]
    totals = {key: sum(e.counts()[key] for e in judged) for key in ("generated", *STATUSES)}
    return {
        "schema": SCHEMA,
        "seed": analysis.seed,
        "private_checks": analysis.private,
        "target": TARGET,
        "seconds": round(analysis.seconds, 1),
        "totals": totals,
        "below_target": [e.slug for e in analysis.below_target],
        "exercises": exercises,
    }
