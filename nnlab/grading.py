"""Grading: run an exercise's hidden checks against a learner's file.

For each exercise the engine parses the learner's source here (no code runs),
starts a sandboxed child that imports it, and runs the exercise's pytest checks
in this process with :class:`ExercisePlugin`, which hands the checks a
:class:`~nnlab.checks.Learner` and records each verdict. Data flows one way:
catalogue -> workspace file -> child -> plain results -> comparator -> result objects.
"""

from __future__ import annotations

import contextlib
import gc
import io
import marshal
import os
import re
import sys
import types
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from _pytest.runner import runtestprotocol

from nnlab import catalog, visibility
from nnlab.checks import (
    CheckFailed,
    CheckInfo,
    Learner,
    LearnerError,
    check_info,
    take_failing_call,
)
from nnlab.notebook import relabel
from nnlab.resources import grader_dir
from nnlab.results import (
    EXERCISE_HUNDREDTHS,
    GRADER_ERROR,
    CheckResult,
    ExerciseResult,
    Report,
    share,
)
from nnlab.sandbox.isolation import isolation_report
from nnlab.sandbox.launcher import Sandbox
from nnlab.sandbox.replies import ChildTimeout
from nnlab.sandbox.template import Template
from nnlab.sandbox.world import keep_hidden
from nnlab.text import clean
from nnlab.workspace import SOURCE_LIMIT, Submission, WorkspaceError, find_submission

T = TypeVar("T")


@dataclass(frozen=True)
class Limits:
    """Time limits and the memory limit for one exercise.

    The time limits are CPU time of the child (its threads and the processes it waited
    for), read by the parent from /proc: importing the file, one call (a check's
    ``timeout=`` replaces it), and all the calls of the exercise. CPU time is what a loaded
    machine does not stretch, so the same files get the same grade at load 1 and at load
    40. The wall clock only guards against a child that never ends, at ~30 times these
    (``sandbox.launcher.wall_guard``); a child that uses no CPU time for as long as its
    limit (asleep, blocked) is stopped then.
    """

    load_seconds: float
    call_seconds: float
    exercise_seconds: float
    memory_bytes: int = 2 * 1024**3


NUMPY_LIMITS = Limits(load_seconds=20.0, call_seconds=10.0, exercise_seconds=180.0)
# TensorFlow itself needs about 0.5 GiB of data memory and 0.7 GiB resident to train a small
# model. Its threads count: a call's CPU time can exceed its wall time (OMP_NUM_THREADS is at
# most 4 in the child, TensorFlow's own pools one thread per core), hence the wide limits.
TENSORFLOW_LIMITS = Limits(
    load_seconds=90.0, call_seconds=120.0, exercise_seconds=600.0, memory_bytes=4 * 1024**3
)


def limits_for(exercise: catalog.Exercise, options: GradingOptions | None = None) -> Limits:
    if options is not None and options.limits is not None:
        return options.limits
    return TENSORFLOW_LIMITS if exercise.uses_tensorflow else NUMPY_LIMITS


class ExerciseNotLoaded(Exception):
    """The learner's module could not be imported, so no check can run."""


@dataclass
class GradingOptions:
    extra_check_dirs: Sequence[Path] = ()
    on_exercise: Callable[[ExerciseResult], None] | None = None
    # (slug, line) while a long call runs, e.g. the epochs of a Keras model; display only
    on_progress: Callable[[str, str], None] | None = None
    # the same limits for every exercise instead of the defaults (tests lower them)
    limits: Limits | None = None
    # run only the checks of these functions (`nnlab grade EXERCISE FUNCTION`): the result
    # holds those checks, worth what they are worth in the whole exercise
    functions: Sequence[str] = ()


def grade(
    folder: Path,
    slugs: Iterable[str],
    *,
    include_missing: bool = True,
    submission_name: str | None = None,
    options: GradingOptions | None = None,
    session: CheckSession | None = None,
) -> Report:
    """Grade the exercises ``slugs`` of the submission in ``folder``.

    ``session``, when given, is a running :class:`CheckSession` that has collected the checks
    of these exercises (grade-batch grades every submission of a worker in one); otherwise
    one is started for this submission alone.
    """
    options = options or GradingOptions()
    folder = Path(folder)
    # out of every child's sight: an instructor's checks, and the folder beside this one
    # (the other submissions of a class)
    keep_hidden([*options.extra_check_dirs, folder.resolve().parent])
    plan = []
    for slug in slugs:
        exercise = catalog.get(slug)
        submission = find_submission(folder, slug)
        if submission is not None or include_missing:
            plan.append((exercise, submission))
    name = submission_name if submission_name is not None else str(folder)
    if session is None:
        submitted = [exercise for exercise, submission in plan if submission is not None]
        warm_template(submitted)
        fresh = CheckSession([exercise.slug for exercise in submitted], options.extra_check_dirs)
        return fresh.run(lambda active: _grade_plan(plan, name, options, active))
    return _grade_plan(plan, name, options, session)


def _grade_plan(
    plan: Sequence[tuple[catalog.Exercise, Submission | None]],
    name: str,
    options: GradingOptions,
    session: CheckSession,
) -> Report:
    report = Report(submission=name)
    # The next exercise's child starts while this one is graded: its interpreter start-up
    # (NumPy import, or TensorFlow's) overlaps the checks instead of adding to them.
    upcoming: _Prepared | None = None
    current: _Prepared | None = None
    try:
        for index, (exercise, submission) in enumerate(plan):
            current = upcoming or prepare_exercise(exercise, submission, options, session)
            upcoming = None
            if index + 1 < len(plan):
                upcoming = prepare_exercise(*plan[index + 1], options, session)
            result = finish_exercise(current, session)
            current = None
            report.exercises.append(result)
            if options.on_exercise:
                options.on_exercise(result)
    finally:
        # whatever escaped (even while the next exercise was prepared), no child outlives it
        for prepared in (current, upcoming):
            if prepared is not None and prepared.sandbox is not None:
                prepared.sandbox.close()
    report.sandbox = isolation_report()  # what the sandbox managed in this process so far
    return report


def preload_for(exercise: catalog.Exercise) -> tuple[str, ...]:
    """What the sandbox template of ``exercise`` imports before it forks a child."""
    return ("tensorflow", "keras") if exercise.uses_tensorflow else ()


def template_running(exercise: catalog.Exercise) -> bool:
    """Whether this process already has the sandbox template ``exercise`` needs (for a Keras
    exercise: TensorFlow imported once, each child forked from it)."""
    template = Template._shared.get(preload_for(exercise))
    return (
        template is not None and template.owner == os.getpid() and template.process.poll() is None
    )


def warm_template(exercises: Sequence[catalog.Exercise]) -> None:
    """Start the template the first of ``exercises`` needs, so that its interpreter starts
    while the checks are collected."""
    if exercises:
        Template.shared(preload_for(exercises[0]))


def check_files(slug: str, extra_dirs: Sequence[Path] = ()) -> list[Path]:
    """The hidden checks of ``slug``, then any instructor's checks named ``test_<slug>*.py``."""
    files = [grader_dir() / f"test_{slug}.py"]
    for directory in extra_dirs:
        files += sorted(Path(directory).glob(f"test_{slug}.py"))
        files += sorted(Path(directory).glob(f"test_{slug}_*.py"))
    return [path for path in files if path.is_file()]


@dataclass
class _Prepared:
    """An exercise ready to be graded: its child already started, or its verdict already known."""

    result: ExerciseResult
    submission: Submission | None = None
    source: str = ""
    sandbox: Sandbox | None = None
    plugin: ExercisePlugin | None = None


def prepare_exercise(
    exercise: catalog.Exercise,
    submission: Submission | None,
    options: GradingOptions,
    session: CheckSession,
) -> _Prepared:
    """Read and parse the learner's file here (nothing runs) and start its child."""
    if submission is None:
        return _Prepared(
            ExerciseResult(
                exercise.slug,
                f"{exercise.slug}.py",
                status="missing",
                message=f"{exercise.slug}.py was not submitted (`nnlab start {exercise.slug}` creates it)",
            )
        )
    result = ExerciseResult(
        exercise.slug, submission.path.name, status="graded", message=submission.note
    )
    try:
        source = submission.source()
    except WorkspaceError as error:  # a link, not a regular file, too large: says which
        result.status, result.message = "error", str(error)
        return _Prepared(result)
    except (OSError, ValueError) as error:
        result.status, result.message = "error", f"{submission.path.name}: {clean(error)}"
        return _Prepared(result)
    compiled = compile_source(source, submission.path.name)
    if compiled.problem:
        result.status, result.message = "error", compiled.problem
        return _Prepared(_in_notebook_terms(result, submission, source))
    if compiled.warnings:
        result.message = "\n".join(filter(None, [result.message, *compiled.warnings]))
    problem = session.problem(exercise.slug)
    if problem:
        result.status, result.message = GRADER_ERROR, problem
        return _Prepared(result)
    probes = exercise.probe_path
    limits = limits_for(exercise, options)
    sandbox = Sandbox(
        source,
        f"{exercise.slug}.py",
        exercise.slug,
        code=marshal.dumps(compiled.code),
        probes=probes if probes.is_file() else None,
        load_timeout=limits.load_seconds,
        memory_limit=limits.memory_bytes,
        preload=preload_for(exercise),
        on_progress=(
            (lambda line: options.on_progress(exercise.slug, line)) if options.on_progress else None
        ),
    )
    plugin = ExercisePlugin(exercise, sandbox, limits, functions=options.functions)
    try:
        sandbox.start()
    except BaseException:
        sandbox.close()
        raise
    return _Prepared(result, submission, source, sandbox, plugin)


def finish_exercise(prepared: _Prepared, session: CheckSession) -> ExerciseResult:
    """Run the checks against the started child, then kill its whole tree."""
    result, sandbox, plugin = prepared.result, prepared.sandbox, prepared.plugin
    if sandbox is None or plugin is None or prepared.submission is None:
        return result
    try:
        session.run_exercise(plugin)
    finally:
        sandbox.close()
    if plugin.load_error:
        result.status, result.message = "error", plugin.load_error
    declared = [
        (Path(str(item.path)), _check_name(item))
        for item in session.items.get(plugin.exercise.slug, [])
    ]
    result.checks = mark_blocked(plugin.results, plugin.origins, declared)
    result.finish()
    if plugin.functions:
        _points_of_part(result, session.items.get(plugin.exercise.slug, []))
    return _in_notebook_terms(result, prepared.submission, prepared.source)


def _points_of_part(result: ExerciseResult, items: Sequence[pytest.Item]) -> None:
    """For checks of some functions only: the exercise's total is what these checks are
    worth in the whole exercise, so that each keeps its points of a full grading."""
    shares = share(EXERCISE_HUNDREDTHS, [(check_info(i) or CheckInfo("")).weight for i in items])
    worth = {_check_name(item): points for item, points in zip(items, shares, strict=True)}
    for check in result.checks:
        check.max_points = worth.get(check.name, 0)
    result.max_points = sum(check.max_points for check in result.checks)


def visibility_of(item: pytest.Item) -> str:
    """Who sees the check's result (see nnlab.visibility); ValueError for a check file whose
    ``VISIBILITY`` is not one of the four."""
    info = check_info(item)
    return visibility.of_item(item, info.visibility if info else None)


def _in_notebook_terms(
    result: ExerciseResult, submission: Submission, source: str
) -> ExerciseResult:
    """For a notebook, messages say 'cell 5, line 3' rather than a line of the assembled module."""
    if not submission.is_notebook:
        return result
    return relabel(result, source, submission.path.name)


@dataclass
class Compiled:
    """The learner's source compiled (never run) here: the code its child will run, or why
    there is none, and what the compiler warned about (``line N: ...``)."""

    code: types.CodeType | None = None
    problem: str | None = None
    warnings: list[str] = field(default_factory=list)


def compile_source(source: str, file_name: str) -> Compiled:
    """Compile the learner's source as the child would import it (no -O: asserts stay).

    The child runs this code instead of compiling the file again; compiling is not running,
    so nothing of the learner's runs here. The compiler's warnings (a SyntaxWarning such
    as '"is" with a literal') are kept for the report instead of going to our stderr.
    Compiling costs this process memory and time in proportion to the source (25 MB take
    4.5 GB): a source longer than the files nnlab reads (SOURCE_LIMIT) is not compiled.
    What the compiler quotes of the source is shown inert (see nnlab.text).
    """
    if len(source) > SOURCE_LIMIT:
        return Compiled(
            problem=f"{file_name} is longer than {SOURCE_LIMIT:,} characters; it is not graded"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            code = compile(source, file_name, "exec", dont_inherit=True, optimize=0)
        except SyntaxError as error:
            where = f"line {error.lineno}" if error.lineno else "an unknown line"
            text = (error.text or "").strip()
            text = text if len(text) <= 160 else text[:157] + "..."
            shown = f": {text}" if text else ""
            problem = f"SyntaxError in {file_name}, {where}: {error.msg}{shown}"
            return Compiled(problem=clean(problem, 1000))
        except (ValueError, RecursionError, MemoryError) as error:
            reason = str(error) or type(error).__name__
            return Compiled(problem=clean(f"{file_name} cannot be compiled: {reason}", 1000))
    notes = []
    for warning in caught[:5]:
        line = f"line {warning.lineno}: " if warning.lineno else ""
        notes.append(
            clean(f"{file_name} {line}{warning.category.__name__}: {warning.message}", 500)
        )
    return Compiled(code=code, warnings=notes)


def find_syntax_error(source: str, file_name: str) -> str | None:
    """Compile (never run) the learner's source; a one-line reason when it does not parse."""
    return compile_source(source, file_name).problem


@contextlib.contextmanager
def _isolated_pytest_environment() -> Iterator[None]:
    """Keep the learner's own pytest settings and plugins out of the grading run."""
    saved = {
        name: os.environ.get(name)
        for name in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    }
    os.environ.pop("PYTEST_ADDOPTS", None)
    os.environ.pop("PYTEST_PLUGINS", None)
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_checks(files: Sequence[Path], plugin: Any, *, collect_only: bool = False) -> int:
    """Run pytest in this process on the check files, quietly, with nothing but our plugin."""
    arguments = [
        *(str(path) for path in files),
        "-p",
        "no:terminal",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:warnings",
        "-p",
        "no:legacypath",
        # plugins a grading run never needs; unraisableexception alone costs ~50 ms of gc.collect
        *("-p", "no:unraisableexception", "-p", "no:threadexception", "-p", "no:faulthandler"),
        *("-p", "no:doctest", "-p", "no:junitxml", "-p", "no:pastebin", "-p", "no:stepwise"),
        *("-p", "no:logging"),
        # no output capture: the checks print nothing (stdout is swallowed below), and
        # capturing fd 2 would hide the progress lines a long check sends to stderr
        "--capture=no",
        "--import-mode=importlib",
        "--noconftest",
        "--rootdir",
        str(grader_dir()),
        "-c",
        str(Path(__file__).with_name("checks.ini")),
    ]
    # The hidden checks fail through nnlab.checks with their own messages, never a bare
    # `assert`: rewriting their assertions would only slow their import (an AST round trip,
    # ~30 ms for the nine NumPy exercises). An instructor's checks keep pytest's messages.
    home = grader_dir().resolve()
    if all(path.resolve().parent == home for path in files):
        arguments.append("--assert=plain")
    if collect_only:
        arguments.append("--collect-only")
    with _isolated_pytest_environment(), contextlib.redirect_stdout(io.StringIO()):
        return int(pytest.main(arguments, plugins=[plugin]))


class CheckSession:
    """One pytest session that collects the checks of several exercises once and runs them often.

    Starting a pytest session costs ~13 ms and collecting an exercise's checks (importing the
    check module, building its items) ~15 ms: `nnlab grade` collects a submission's exercises
    together, and a grade-batch worker collects once for every submission it grades. All the
    grading happens in ``driver`` (see :meth:`run`), called from pytest's own run loop, so the
    checks' set-up and tear-down work as in any pytest run; :meth:`run_exercise` runs one
    exercise's checks against the :class:`ExercisePlugin` of one learner's child.
    """

    def __init__(self, slugs: Iterable[str], extra_dirs: Sequence[Path] = ()) -> None:
        self.files = {slug: check_files(slug, extra_dirs) for slug in dict.fromkeys(slugs)}
        self.items: dict[str, list[pytest.Item]] = {slug: [] for slug in self.files}
        self.broken: dict[str, str] = {}  # slug -> why a check file of it could not be loaded
        self._current: ExercisePlugin | None = None
        self._driver: Callable[[CheckSession], Any] | None = None
        self._results: list[Any] = []
        self._raised: BaseException | None = None
        self._interrupted = False
        self._stdout: Any = sys.stdout
        self._plain: dict[str, bool] = {}

    def run(self, driver: Callable[[CheckSession], T]) -> T:
        """Collect the checks, then return ``driver(self)``, called inside the session."""
        files = list(dict.fromkeys(path for paths in self.files.values() for path in paths))
        if not files:
            return driver(self)
        self._driver = driver
        self._stdout = sys.stdout  # pytest's output is swallowed, the driver's is not
        code = run_checks(files, self)
        if self._raised is not None:
            raise self._raised
        if self._interrupted:
            raise KeyboardInterrupt
        if not self._results:
            raise RuntimeError(f"the checks could not be run (pytest exit status {code})")
        return self._results[0]

    def problem(self, slug: str) -> str | None:
        """Why the checks of ``slug`` cannot run, or None."""
        if slug not in self.files:  # grade-batch collects what the class had when it started
            return (
                f"{slug}'s checks were not loaded: no submission had {slug} when this "
                "grading started (was the file added since?); grade again"
            )
        if not self.files.get(slug):
            return f"no checks found for {slug}"
        return self.broken.get(slug)

    def run_exercise(self, plugin: ExercisePlugin) -> None:
        items = self.items.get(plugin.exercise.slug, [])
        if plugin.functions:
            items = [
                i for i in items if (check_info(i) or CheckInfo("")).function in plugin.functions
            ]
        plain = self._all_plain(plugin.exercise.slug)
        self._current = plugin
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # the checks print nothing to show
                for index, item in enumerate(items):
                    if plain:
                        _run_plain_check(item, plugin)
                        continue
                    following = items[index + 1] if index + 1 < len(items) else None
                    runtestprotocol(item, log=False, nextitem=following)
        finally:
            self._current = None

    def _all_plain(self, slug: str) -> bool:
        """Whether every check of ``slug`` is a plain function of the `learner` fixture alone,
        with no mark but nnlab's (decided once per session)."""
        if slug not in self._plain:
            self._plain[slug] = all(_is_plain_check(item) for item in self.items.get(slug, []))
        return self._plain[slug]

    # --- pytest hooks ---------------------------------------------------------------------

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "nnlab_check(info): a graded nnlab check")

    def pytest_keyboard_interrupt(self) -> None:
        # pytest swallows a Ctrl-C during collection and returns; an interrupted grading
        # must not read as finished
        self._interrupted = True

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector) -> Any:
        report = yield
        if report.failed:
            path = Path(str(collector.path)).resolve()
            lines = str(report.longrepr).strip().splitlines() or ["unknown error"]
            reason = lines[-1].removeprefix("E ").strip()[:300]
            for slug, files in self.files.items():
                if any(path == candidate.resolve() for candidate in files):
                    self.broken.setdefault(
                        slug,
                        f"the checks in {path.name} could not be loaded ({reason}); "
                        "please report this to the course authors",
                    )
        return report

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        owner = {path.resolve(): slug for slug, paths in self.files.items() for path in paths}
        for item in session.items:
            slug = owner.get(Path(str(item.path)).resolve())
            if slug is not None:
                self.items[slug].append(item)
                try:
                    visibility_of(item)
                except ValueError as error:
                    self.broken.setdefault(slug, f"the checks could not be loaded: {error}")
        # what exists now (pytest, NumPy, the collected checks) lives as long as the session:
        # frozen, the collector no longer walks it again and again while gradings run
        gc.freeze()
        try:
            assert self._driver is not None
            with contextlib.redirect_stdout(self._stdout):
                self._results.append(self._driver(self))
        except BaseException as error:  # raised again by run(), once pytest has finished
            self._raised = error
        return True

    @pytest.fixture
    def learner(self) -> Learner:
        if self._current is None:
            raise RuntimeError("a check ran outside an exercise")
        return self._current.learner()

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        if self._current is not None:
            self._current.before_check(item)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[Any]
    ) -> pytest.TestReport | None:
        if self._current is None:
            return None
        return self._current.record(item, call)


_REraised = (KeyboardInterrupt, pytest.exit.Exception)


def _is_plain_check(item: pytest.Item) -> bool:
    return (
        type(item) is pytest.Function
        and set(getattr(item, "fixturenames", ())) <= {"learner"}
        and all(mark.name == "nnlab_check" for mark in item.iter_markers())
    )


def _run_plain_check(item: pytest.Item, plugin: ExercisePlugin) -> None:
    """Run one plain check (see CheckSession._all_plain) as pytest would, without the hooks.

    What pytest does for such a check is: our set-up hook, the `learner` fixture (nothing to
    tear down), the function, a report of each phase. Done here directly, a check costs
    a few microseconds instead of ~0.1 ms of hook calls; the hidden checks are all plain, an
    instructor's check with other fixtures or marks runs the whole pytest protocol.
    """
    plugin.before_check(item)
    setup = pytest.CallInfo.from_call(plugin.learner, when="setup", reraise=_REraised)
    if setup.excinfo is not None:
        plugin.judge(item, setup)
        return
    learner = setup.result
    function: Any = item.obj  # type: ignore[attr-defined]
    call = pytest.CallInfo.from_call(
        lambda: function(learner=learner), when="call", reraise=_REraised
    )
    plugin.judge(item, call)


class ExercisePlugin:
    """One exercise of one submission: provides `learner` to its checks, records each verdict."""

    def __init__(
        self,
        exercise: catalog.Exercise,
        sandbox: Sandbox,
        limits: Limits,
        *,
        functions: Sequence[str] = (),
    ) -> None:
        self.exercise = exercise
        self.functions = tuple(functions)
        self.sandbox = sandbox
        self.limits = limits
        self.results: list[CheckResult] = []
        self.origins: list[tuple[Path, CheckInfo]] = []  # for each result, where it was declared
        self.load_error: str | None = None
        self._learner: Learner | None = None

    def learner(self) -> Learner:
        if self._learner is None and self.load_error is None:
            self._learner = self._load()
        if self._learner is None:
            raise ExerciseNotLoaded(self.load_error)
        return self._learner

    def _load(self) -> Learner | None:
        file_name = f"{self.exercise.slug}.py"
        try:
            reply = self.sandbox.load()
        except Exception as failure:  # a time-out or crash while importing
            self.load_error = f"{file_name} could not be loaded: {failure}"
            if isinstance(failure, ChildTimeout):
                self.load_error += (
                    " (an endless loop or long work at the top level of the file? "
                    "Keep it inside functions)"
                )
            return None
        if reply.raised is not None:
            self.load_error = (
                f"{file_name} raised while being imported: {reply.raised.describe(file_name)}"
                + standalone_advice(
                    reply.raised.message if reply.raised.is_a("ImportError") else ""
                )
            )
            return None
        return Learner(
            self.sandbox,
            file_name=file_name,
            signatures=catalog.signatures(self.exercise.slug),
            call_timeout=self.limits.call_seconds,
            budget_seconds=self.limits.exercise_seconds,
        )

    def before_check(self, item: pytest.Item) -> None:
        take_failing_call()  # a check's failing call is its own
        if self._learner is not None:
            info = check_info(item)
            timeout = info.timeout if info and info.timeout else self.limits.call_seconds
            self._learner.call_timeout = timeout
            self._learner.default_timeout = timeout

    def record(self, item: pytest.Item, call: pytest.CallInfo[Any]) -> pytest.TestReport:
        """Record the verdict and hand pytest a light report.

        pytest's own report renders a full traceback for every failure (~40 ms each); the
        verdict never uses it, so a failing stub grades as fast as a passing answer.
        """
        report = _light_report(item, call)
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.judge(item, call)
        return report

    def judge(self, item: pytest.Item, call: pytest.CallInfo[Any]) -> None:
        """Record the verdict of a check's set-up (when it failed) or call; a plain check
        comes here directly, without a report that no one reads."""
        excinfo = call.excinfo
        skipped = excinfo is not None and excinfo.errisinstance(pytest.skip.Exception)
        self.results.append(self._verdict(item, call, excinfo is None, skipped))
        self.origins.append((Path(str(item.path)), check_info(item) or CheckInfo(function="")))

    def _verdict(
        self, item: pytest.Item, call: pytest.CallInfo[Any], passed: bool, skipped: bool
    ) -> CheckResult:
        info = check_info(item) or CheckInfo(function="")
        result = CheckResult(
            name=_check_name(item),
            function=info.function,
            kind=info.kind,
            status="passed",
            weight=info.weight,
            hint=info.hint,
            visibility=visibility_of(item),
            hints=info.hints or (info.hint,),
        )
        if passed:
            return result
        error = call.excinfo.value if call.excinfo else None
        if isinstance(error, ExerciseNotLoaded):
            result.status, result.message = "error", "not run: the file could not be loaded"
        elif isinstance(error, LearnerError):
            result.status, result.message = error.status, str(error)
        elif isinstance(error, CheckFailed):
            result.status, result.message = "failed", str(error)
        elif isinstance(error, AssertionError):
            message = _without_check_source(str(error))
            result.status, result.message = "failed", message or "a check assertion failed"
        elif skipped:  # the check's choice, not a verdict on the learner's code
            result.status = GRADER_ERROR
            result.message = f"the check skipped itself ({error}); a check must pass or fail"
        else:  # not the learner's code: the check itself (or its set-up) raised
            kind = type(error).__name__ if error else "error"
            result.status = GRADER_ERROR
            result.message = f"the check itself failed ({kind}: {error}); please report this to the course authors"
        if result.status in ("failed", "error"):
            result.failing_call = take_failing_call()
        return result


_WHERE_CLAUSE = re.compile(r"^\s*\+\s+(where|and)\s")


def _without_check_source(message: str) -> str:
    """A bare ``assert`` of an instructor's check as pytest explains it, without the lines
    that quote the check's own source (`` +  where 42.0 = secret_formula(1.0)``): the values
    compared stay, the check's code does not reach the learner's report."""
    return "\n".join(line for line in message.splitlines() if not _WHERE_CLAUSE.match(line))


def standalone_advice(message: str) -> str:
    """For "No module named 'activations'" (another exercise's file): why, and what to do."""
    found = re.search(r"No module named '([\w.]+)'", message)
    if not found or found.group(1).split(".")[0] not in catalog.slugs():
        return ""
    return (
        f". Each exercise file must stand alone: it is graded by itself, so importing "
        f"{found.group(1).split('.')[0]} (another exercise's file) fails when graded; copy "
        "what you need from it into this file."
    )


def mark_blocked(
    results: list[CheckResult],
    origins: Sequence[tuple[Path, CheckInfo]],
    declared: Sequence[tuple[Path, str]] = (),
) -> list[CheckResult]:
    """One mistake, one message: a failing check whose ``after`` checks did not all pass
    becomes ``blocked`` (0 points, no hint) and names the failing check to fix first.

    ``after`` (see :func:`nnlab.checks.check`) names checks of the same file; None means
    the first check of the same function in that file. A check blocked by a check that is
    blocked itself names the root: the first failure that is its own. A declaration that
    names no check of the file is the grader's mistake: that check is a grader_error. A
    check of the file that did not run (``grade EXERCISE FUNCTION``), ``declared`` among
    all the exercise's checks, blocks nothing.
    """
    entries = list(zip(results, origins, strict=True))
    index: dict[tuple[Path, str], int] = {}
    first: dict[tuple[Path, str], int] = {}
    for position, (result, (path, info)) in enumerate(entries):
        index.setdefault((path, result.name), position)
        first.setdefault((path, info.function), position)
    known = set(index) | set(declared)
    depends: list[list[int]] = []
    for position, (result, (path, info)) in enumerate(entries):
        if info.after is None:
            basic = first[path, info.function]
            depends.append([basic] if basic != position else [])
            continue
        unknown = [name for name in info.after if (path, name) not in known]
        if unknown:
            result.status = GRADER_ERROR
            result.message = (
                f"the check declares after={unknown[0]!r}, which is no check in {path.name}; "
                "please report this to the course authors"
            )
        depends.append([index[path, name] for name in info.after if (path, name) in index])

    def blocker(position: int, seen: frozenset[int]) -> int | None:
        """The failing check whose own failure blocks ``position``; None if there is none."""
        for other in depends[position]:
            if other in seen or results[other].status in ("passed", GRADER_ERROR):
                continue  # a check that could not judge blocks nothing
            deeper = blocker(other, seen | {other})
            return other if deeper is None else deeper
        return None

    for position, result in enumerate(results):
        if result.status in ("passed", GRADER_ERROR) or result.message.startswith("not run"):
            continue  # the grader's or the exercise's own problem, never hidden behind a check
        cause = blocker(position, frozenset({position}))
        if cause is not None:
            name = results[cause].name
            result.status, result.hint, result.blocked_by = "blocked", "", name
            result.message = f"blocked by {name}: fix {name} first"
    return results


def _light_report(item: pytest.Item, call: pytest.CallInfo[Any]) -> pytest.TestReport:
    excinfo = call.excinfo
    longrepr: Any = None
    if excinfo is None:
        outcome = "passed"
    elif excinfo.errisinstance(pytest.skip.Exception):
        outcome, longrepr = "skipped", (str(item.path), 0, str(excinfo.value))
    else:
        outcome, longrepr = "failed", f"{excinfo.typename}: {excinfo.value}"[:2000]
    return pytest.TestReport(
        item.nodeid,
        item.location,
        dict.fromkeys(item.keywords, 1),
        outcome,
        longrepr,
        call.when,
        duration=call.duration,
        start=call.start,
        stop=call.stop,
    )


def _check_name(item: pytest.Item) -> str:
    name = item.name
    return name[len("test_") :] if name.startswith("test_") else name


@dataclass
class CollectedCheck:
    name: str
    info: CheckInfo | None
    path: Path


class _Collector:
    """pytest plugin that collects checks (with a dummy `learner`) without running them."""

    def __init__(self) -> None:
        self.checks: list[CollectedCheck] = []

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "nnlab_check(info): a graded nnlab check")

    @pytest.fixture
    def learner(self) -> None:
        return None

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            self.checks.append(
                CollectedCheck(_check_name(item), check_info(item), Path(str(item.path)))
            )


def collect_checks(slug: str, extra_dirs: Sequence[Path] = ()) -> list[CollectedCheck]:
    """The checks of an exercise with their metadata, without running any (for hints, verify)."""
    catalog.get(slug)
    collector = _Collector()
    files = check_files(slug, extra_dirs)
    if files:
        run_checks(files, collector, collect_only=True)
    return collector.checks
