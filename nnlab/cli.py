"""The `nnlab` command line: option parsing only; the work lives in the library modules."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from nnlab import catalog, workspace
from nnlab.catalog import UnknownExercise
from nnlab.text import clean
from nnlab.version import __version__
from nnlab.workspace import WorkspaceError

# Each command imports the library modules it needs when it runs, for speed: `nnlab list`
# and `--help` never wait for pytest, NumPy or matplotlib (tests/test_imports.py).

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
GRADE_FORMATS = ["text", "json", "junit", "gradescope", "csv"]
BATCH_FORMATS = ["csv", "json", "junit", "gradescope"]


# exit statuses (GRADING.md): what CI acts on
PASSED, LOST_POINTS, USAGE, UNSOUND = 0, 1, 2, 3


class NnlabError(click.ClickException):
    """A usage or input error: one line on stderr, exit status 2."""

    exit_code = USAGE

    def show(self, file: object = None) -> None:
        click.echo(f"nnlab: error: {self.format_message()}", err=True)


class NnlabGroup(click.Group):
    """Usage errors (a mistyped command or option, a missing argument) in one line too."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as error:
            raise _one_line(error) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            raise _one_line(error) from None


def _one_line(error: click.UsageError) -> click.ClickException:
    if isinstance(error, click.exceptions.NoArgsIsHelpError):
        return error  # `nnlab export` alone: the help is the answer
    path = error.ctx.command_path if error.ctx else "nnlab"
    examples = [
        line.strip().removeprefix("Example:").strip()
        for line in ((error.ctx.command.help or "") if error.ctx else "").splitlines()
        if line.strip().startswith("Example:")
    ]
    if isinstance(error, click.MissingParameter) and examples:
        return NnlabError(f"{error.format_message()} For example: {examples[0]}")
    return NnlabError(f"{error.format_message()} (`{path} --help` shows how to use it)")


def _folder(path: str) -> Path:
    """The workspace folder: a real folder (not a link), its `.nnlab` not a link either."""
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise NnlabError(f"not a folder: {path} (--dir takes the folder that holds your exercises)")
    if not folder.is_dir() and not folder.is_symlink():
        raise NnlabError(f"folder not found: {path}")
    try:
        return workspace.require_folder(folder)
    except WorkspaceError as error:
        raise NnlabError(str(error)) from None


force_option = click.option(
    "--force",
    is_flag=True,
    help="Replace an --out file that holds other submissions or is not an nnlab report "
    "(a backup is kept beside it).",
)


def _guard_out(out: str | None, names: Any, force: bool) -> None:
    """Refuse (exit 2), before any grading, an --out that cannot be written or whose
    replacement would lose submissions; with --force, keep a backup of it first."""
    if not out:
        return
    from nnlab.report import existing

    parent = Path(out).parent
    if not parent.is_dir():
        what = "not a folder" if parent.exists() else "no such folder"
        raise NnlabError(f"could not write {out}: {parent} is {what}")
    why = existing.refusal(Path(out), names)
    if why is None:
        return
    if not force or Path(out).is_dir():
        raise NnlabError(why)
    backup = workspace.backup_path(Path(out))
    try:
        workspace.atomic_write(backup, Path(out).read_bytes())
    except OSError as error:
        raise NnlabError(f"could not keep a backup of {out}: {error.strerror or error}") from None
    click.echo(f"nnlab: kept the previous {out} as {backup}", err=True)


def _write(out: str, text: str) -> None:
    try:
        workspace.atomic_write(Path(out), text)
    except OSError as error:
        raise NnlabError(f"could not write {out}: {error.strerror or error}") from None


def _unsound(lines: list[str]) -> NoReturn:
    """The grading itself is unsound: one line per problem on stderr, exit status 3."""
    for line in lines:
        click.echo(f"nnlab: error: {line}", err=True)
    sys.exit(UNSOUND)


def _render(render: Any, what: Any, format_name: str, **options: Any) -> tuple[str, list[str]]:
    """A writer's output, and the line that says what it could not write (status 3), never a
    traceback or a report that silently lacks what it should hold. A writer that failed
    for some submissions still wrote the others (nnlab.report.WriterFailed): kept."""
    from nnlab.report import WriterFailed

    try:
        return str(render(what, format_name, **options)), []
    except WriterFailed as failure:
        return failure.output, [str(failure)]
    except Exception as error:
        why = f"{type(error).__name__}: {error}"
        _unsound([f"the {format_name} writer failed ({why}); no report was written"])


def _shorten(names: list[str], shown: int = 3) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


def class_problems(reports: Any) -> list[str]:
    """The problems of several reports, one line per distinct reason, naming where it happened
    (exercises or checks) and in which submissions."""
    grouped: dict[str, tuple[list[str], list[str]]] = {}
    for one in reports:
        for where, reason in one.problems:
            places, names = grouped.setdefault(reason, ([], []))
            if where not in places:
                places.append(where)
            if one.submission not in names:
                names.append(one.submission)
    lines = []
    for reason, (places, names) in grouped.items():
        count = f"{len(names)} submission{'' if len(names) == 1 else 's'}"
        lines.append(f"{_shorten(places)}: {reason} ({count}: {_shorten(names)})")
    return lines


def _exercise_and_function(names: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Exercises to grade, or (``EXERCISE FUNCTION``) one exercise and one of its functions."""
    if len(names) == 2 and names[1] not in catalog.slugs():
        slug = _exercise(names[0]).slug
        if names[1] in catalog.signatures(slug):
            return (slug,), (names[1],)
    return tuple(_exercise(slug).slug for slug in names), ()


def _exercise(slug: str) -> catalog.Exercise:
    try:
        return catalog.get(slug)
    except UnknownExercise as error:
        # a learner may type the file's name (`nnlab grade activations.py`) or capitals
        name = Path(slug)
        if name.parent == Path(".") and name.suffix in ("", ".py", ".ipynb"):
            with contextlib.suppress(UnknownExercise):
                return catalog.get(name.stem.lower())
        raise NnlabError(str(error)) from None


dir_option = click.option(
    "--dir", "folder", default=".", show_default=True, metavar="W", help="The workspace folder."
)
report_out_option = click.option(
    "--out", type=click.Path(dir_okay=False, writable=True), help="Write the report to this file."
)
checks_option = click.option(
    "--checks",
    "extra_checks",
    multiple=True,
    type=click.Path(file_okay=False, exists=True),
    help="A folder of extra (instructor) checks named test_<exercise>*.py.",
)

no_hints_option = click.option(
    "--no-hints",
    is_flag=True,
    help="Gradescope: leave the hints (level 1) out of what students see.",
)
hide_details_option = click.option(
    "--hide-details",
    is_flag=True,
    help="Gradescope: show students whether each check passed, not its message or hint.",
)


@click.group(cls=NnlabGroup, context_settings=CONTEXT, invoke_without_command=True)
@click.version_option(__version__, "--version", prog_name="nnlab")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """nnlab: a neural-network course that grades itself.

    \b
    Start with:  nnlab list
                 nnlab start tensors
                 nnlab grade tensors
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@cli.command("list")
@dir_option
def list_command(folder: str) -> None:
    """List every exercise in course order with your status.

    Example: nnlab list --dir ~/nn-course
    """
    path = _folder(folder)
    progress = workspace.load_progress(path)
    rows = [
        (
            str(number),
            exercise.slug,
            exercise.title,
            exercise.topic,
            workspace.status_line(path, exercise.slug, progress),
        )
        for number, exercise in enumerate(catalog.EXERCISES, start=1)
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        number, slug, title, topic, status = row
        colour = (
            "green"
            if status == "passed"
            else ("bright_black" if status == "not started" else "yellow")
        )
        click.echo(
            f"{number:>{widths[0]}}. {slug:<{widths[1]}}  {title:<{widths[2]}}  "
            f"{topic:<{widths[3]}}  " + click.style(status, fg=colour)
        )


class ProgressLine:
    """What is happening while an exercise is graded, on stderr, within a second or two:
    the exercise being graded, TensorFlow being imported, a Keras model's epochs.

    On a terminal one line is rewritten in place and wiped before the report goes on;
    elsewhere (CI logs, pipes) each step of a long grading is a line of its own.
    """

    def __init__(self, *, watching: bool = False) -> None:
        self.live = sys.stderr.isatty()
        self.dirty = False
        self.watching = watching

    def show(self, slug: str, line: str) -> None:
        text = f"  {slug}: {line}"
        if self.live:
            click.echo(f"\r\033[K{text[:150]}", err=True, nl=False)
            self.dirty = True
        else:
            click.echo(text, err=True)

    def waiting(self, slug: str) -> None:
        """Name the exercise being graded until its report block replaces it; for a Keras
        exercise whose TensorFlow is not loaded yet, say that this is what takes the time
        (in a CI log too: it takes long enough to wonder)."""
        from nnlab import grading

        exercise = catalog.get(slug)
        if exercise.uses_tensorflow and not grading.template_running(exercise):
            when = "first grade only" if self.watching else "`nnlab watch` keeps it loaded"
            self.show(slug, f"importing TensorFlow ({when})...")
        elif self.live:
            self.show(slug, "grading...")

    def clear(self) -> None:
        if self.dirty:
            click.echo("\r\033[K", err=True, nl=False)
            self.dirty = False


@cli.command()
@click.argument("exercise")
@dir_option
@click.option("--notebook", is_flag=True, help="Write EXERCISE.ipynb instead of EXERCISE.py.")
@click.option(
    "--force", is_flag=True, help="Start over: keep a backup of your file, then write a fresh stub."
)
def start(exercise: str, folder: str, notebook: bool, force: bool) -> None:
    """Write an exercise's stub into your workspace.

    Never overwrites your work: without --force it refuses, with --force it first
    keeps a backup beside your file.

    Example: nnlab start activations
    """
    slug = _exercise(exercise).slug
    path = _folder(folder)
    try:
        written, backup = workspace.start(path, slug, notebook=notebook, force=force)
    except WorkspaceError as error:
        raise NnlabError(str(error)) from None
    except OSError as error:
        raise NnlabError(f"could not write into {folder}: {error.strerror or error}") from None
    if backup:
        click.echo(f"Kept your previous file as {backup}")
    click.echo(f"Wrote {written}")
    if notebook:
        click.echo(
            f"Next: open {Path(written).name} in Jupyter or VS Code, fill in each function's cell, "
            f"save, then run `nnlab grade {slug}` (or the grading cell at the end)."
        )
    else:
        click.echo(
            f"Next: read the instructions at the top, fill in each function, then run `nnlab grade {slug}`."
        )


@cli.command()
@click.argument("exercises", nargs=-1)
@dir_option
@click.option(
    "--all",
    "grade_all",
    is_flag=True,
    help="Grade every exercise of the course; absent files count as missing.",
)
@click.option(
    "--format",
    "format_name",
    type=click.Choice(GRADE_FORMATS),
    default="text",
    show_default=True,
    help="text for people; the others for programs and grading platforms.",
)
@report_out_option
@checks_option
@click.option(
    "--no-progress", is_flag=True, help="Do not record the scores in .nnlab/progress.json."
)
@hide_details_option
@no_hints_option
@click.option("-v", "--verbose", is_flag=True, help="List every check, not only the failing ones.")
@click.option(
    "--name",
    "submission",
    metavar="NAME",
    help="The submission's name in the report (default: the folder's name, as grade-batch names it).",
)
@force_option
def grade(
    exercises: tuple[str, ...],
    folder: str,
    grade_all: bool,
    format_name: str,
    out: str | None,
    extra_checks: tuple[str, ...],
    no_progress: bool,
    hide_details: bool,
    no_hints: bool,
    verbose: bool,
    submission: str | None,
    force: bool,
) -> None:
    """Grade exercises with the hidden checks.

    With no EXERCISE, grades every exercise file present in the workspace. A function
    whose checks all pass is one line (-v lists every check); under a failing check,
    `nnlab hint` and `nnlab repro` commands give a hint and the failing call.
    `nnlab grade EXERCISE FUNCTION` runs that function's checks only (nothing is recorded).

    \b
    Exit status: 0    every check passed
                 1    points lost: a check failed, an exercise is missing, or a file
                      cannot be loaded (syntax error, crash or time-out at import,
                      invalid notebook; the reason is also on stderr)
                 2    a usage or input error (unknown exercise, folder not found)
                 3    the grading itself is unsound: a check raised, an instructor's
                      check file does not load, the grader or a report writer failed
                      (one line per problem on stderr)
                 130  interrupted (Ctrl-C): nothing is recorded

    \b
    Example: nnlab grade activations
             nnlab grade activations sigmoid
             nnlab grade --all --format json --out report.json
    """
    from nnlab.sandbox.template import Template

    Template.shared()  # started first: its NumPy import overlaps ours of pytest and the checks
    from nnlab import grading, report
    from nnlab.sandbox.isolation import isolation_report

    path = _folder(folder)
    exercises, functions = _exercise_and_function(exercises)
    if functions:
        no_progress = True  # a part of an exercise is not its score
    if hide_details and format_name != "gradescope":
        raise NnlabError("--hide-details applies to --format gradescope only")
    if no_hints and format_name != "gradescope":
        raise NnlabError("--no-hints applies to --format gradescope only")
    if grade_all and exercises:
        raise NnlabError("name exercises to grade or give --all (every exercise), not both")
    if grade_all:
        slugs = catalog.slugs()
    elif exercises:
        slugs = [slug for slug in catalog.slugs() if slug in set(exercises)]
    else:
        slugs = workspace.present_slugs(path)
        if not slugs:
            where = "this folder" if folder == "." else folder
            raise NnlabError(
                f"no exercise files in {where} (start one with `nnlab start {catalog.slugs()[0]}`, "
                "or name the folder with --dir)"
            )
    from nnlab.batch import submission_name

    name = submission if submission is not None else submission_name(path.resolve())
    _guard_out(out, [name], force)
    streaming = format_name == "text" and out is None
    progress = ProgressLine() if format_name == "text" else None

    revealed = workspace.revealed_hints(path)
    shown_header: list[str] = []  # the sandbox line printed above the first block

    def show_header(line: str) -> None:
        if line and line not in shown_header:
            click.echo(click.style(line, fg="bright_black") + "\n")
        shown_header.append(line)

    def show_exercise(result: Any) -> None:
        if progress:
            progress.clear()
        if not shown_header:  # what the sandbox managed so far: at least this exercise's child
            show_header(report.text.sandbox_line(isolation_report()))
        block = report.text.exercise_block(
            result,
            verbose=verbose,
            commands=True,
            revealed=revealed.get(result.exercise, {}),
        )
        click.echo(block + "\n")
        following = slugs[slugs.index(result.exercise) + 1 :] if result.exercise in slugs else []
        if progress and following:
            progress.waiting(following[0])

    if progress and streaming and slugs:
        progress.waiting(slugs[0])

    options = grading.GradingOptions(
        extra_check_dirs=[Path(p) for p in extra_checks],
        on_exercise=show_exercise if streaming else None,
        on_progress=progress.show if progress else None,
        functions=functions,
    )
    try:
        result = grading.grade(
            path, slugs, include_missing=True, submission_name=name, options=options
        )
    except KeyboardInterrupt:
        if progress:
            progress.clear()
        click.echo(
            "nnlab: interrupted: this grading was not finished, so nothing was recorded", err=True
        )
        sys.exit(130)
    except Exception as error:  # the grader, not the learner: never a traceback
        if progress:
            progress.clear()
        _unsound([f"the grading failed ({type(error).__name__}: {error}); nothing was recorded"])
    if progress:
        progress.clear()
    unwritten: list[str] = []
    if streaming:  # a child that got less than the first ones (rare): said before the total
        show_header(report.text.sandbox_line(result.sandbox))
    if streaming and functions:
        part = result.exercises[0]
        click.echo(
            f"{functions[0]}: {report.text.points(part.score)}/{report.text.points(part.max_score)}"
            f" (not recorded); `nnlab grade {part.exercise}` grades the whole exercise."
        )
    elif streaming:
        click.echo(report.text.summary(result))
    else:
        if format_name == "text":
            rendered, unwritten = _render(
                lambda r, _: report.text.render(
                    r, verbose=verbose, commands=True, revealed=revealed
                ),
                result,
                format_name,
            )
        else:
            rendered, unwritten = _render(
                report.render,
                result,
                format_name,
                hide_details=hide_details,
                no_hints=no_hints,
            )
        if out and rendered:
            if format_name == "text":
                rendered = click.unstyle(rendered)  # colour codes belong on terminals, not in files
            _write(out, rendered)
            click.echo(f"Wrote {out}: {result.score:.1f}/{result.max_score:.0f}")
        else:
            click.echo(rendered, nl=False)
    if not no_progress:
        try:
            workspace.record_report(path, result)
        except (OSError, WorkspaceError) as error:
            click.echo(f"nnlab: warning: could not record progress: {error}", err=True)
    unreadable = [e for e in result.exercises if report.text.not_loaded(e) and e.message]
    if unreadable:  # the learner's file: points lost, and the reason on stderr too
        click.echo(f"nnlab: error: {clean(unreadable[0].message)}", err=True)
    if result.problems or unwritten:
        _unsound(unwritten + class_problems([result]))
    sys.exit(PASSED if result.all_passed else LOST_POINTS)


@cli.command()
@click.argument("exercise")
@dir_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Where to save the PNG (default: EXERCISE.png in the workspace).",
)
def plot(exercise: str, folder: str, out: str | None) -> None:
    """Draw your functions beside the reference ones and save a PNG.

    Your code runs in a separate process, as when grading. Pictures exist for
    activations, derivatives, convolution, pooling and keras_model.

    Example: nnlab plot activations --out activations.png
    """
    from nnlab import plots

    slug = _exercise(exercise).slug
    path = _folder(folder)
    try:
        picture = plots.draw(slug, path)
        target = picture.save(Path(out) if out else path / f"{slug}.png")
    except plots.PlotError as error:
        raise NnlabError(str(error)) from None
    except OSError as error:
        raise NnlabError(f"could not write the picture: {error}") from None
    click.echo(f"Wrote {target}")
    for note in picture.notes:
        click.echo(f"  ✗ {note}")


@cli.command()
@click.argument("exercise")
@click.argument("check", required=False)
@dir_option
@click.option("--all", "every_level", is_flag=True, help="Show every level at once.")
@checks_option
def hint(
    exercise: str,
    check: str | None,
    folder: str,
    every_level: bool,
    extra_checks: tuple[str, ...] = (),
) -> None:
    """Reveal the next level of a check's hint.

    CHECK is a check's name as the report shows it, or a function's name (its check that
    failed at your last grading); with neither, the first check that failed. Level 1
    names the concept or the mistake, level 2 the place in the computation, level 3 is
    nearly the answer. Levels you have seen are kept in .nnlab/progress.json and shown
    again. Without CHECK and with no failure recorded, lists level 1 of every check.
    With --checks, the extra checks graded with `nnlab grade --checks` have their hints too.

    Example: nnlab hint activations sigmoid
    """
    from nnlab import hints
    from nnlab.grading import collect_checks

    slug = _exercise(exercise).slug
    checks = collect_checks(slug, [Path(folder) for folder in extra_checks])
    # levels are recorded where the learner works on the exercise, not in any folder
    where = Path(folder)
    path = where if where.is_dir() and workspace.find_submission(where, slug) else None
    failing = workspace.load_progress(path).get(slug, {}).get("failing", []) if path else []
    try:
        found = hints.choose(slug, checks, check, failing)
    except hints.HintError as error:
        raise NnlabError(str(error)) from None
    if found is None:
        _list_hints(slug, checks, set(failing), every_level)
        return
    try:
        shown = hints.reveal(path, slug, found, every_level=every_level)
    except OSError as error:
        click.echo(f"nnlab: warning: could not record the hint: {error}", err=True)
        shown = hints.reveal(None, slug, found, every_level=every_level)
    click.echo(f"{slug} · " + "\n".join(shown.lines()))


@cli.command()
@click.argument("exercise", required=False)
@dir_option
@click.option("-v", "--verbose", is_flag=True, help="List every check, not only the failing ones.")
def watch(exercise: str | None, folder: str, verbose: bool) -> None:
    """Grade again each time you save your file. Ctrl-C stops.

    Grades EXERCISE (with none: the exercise file saved last, then whichever you save),
    clears the screen and shows the report, then waits for the next save. TensorFlow is
    imported once, at the first grading of a Keras exercise, and stays loaded.

    Example: nnlab watch activations
    """
    from nnlab import grading, watching
    from nnlab.report import text

    slug = _exercise(exercise).slug if exercise else None
    path = _folder(folder)
    if slug is None and not workspace.present_slugs(path):
        raise NnlabError(
            f"no exercise files in {folder} to watch (start one with "
            f"`nnlab start {catalog.slugs()[0]}`)"
        )
    progress = ProgressLine(watching=True)

    def grade_once(current: str) -> None:
        click.clear()  # on a terminal only
        progress.waiting(current)
        options = grading.GradingOptions(on_progress=progress.show)
        try:
            result = grading.grade(path, [current], options=options)
        except KeyboardInterrupt:
            raise
        except Exception as error:  # the grader, not the learner: say so and keep watching
            progress.clear()
            click.echo(
                f"nnlab: error: the grading failed ({type(error).__name__}: {error})", err=True
            )
            return
        progress.clear()
        revealed = workspace.revealed_hints(path).get(current, {})
        header = text.sandbox_line(result.sandbox)  # reduced isolation: said on every screen
        if header:
            click.echo(click.style(header, fg="bright_black") + "\n")
        block = text.exercise_block(
            result.exercises[0], verbose=verbose, commands=True, revealed=revealed
        )
        click.echo(block + "\n")
        click.echo(text.summary(result))
        try:
            workspace.record_report(path, result)
        except OSError as error:
            click.echo(f"nnlab: warning: could not record progress: {error}", err=True)
        click.echo(
            f"\nWatching {result.exercises[0].file}: save it to grade again (Ctrl-C to stop)."
        )

    if slug is not None and workspace.find_submission(path, slug) is None:
        click.echo(f"Waiting for {slug}.py or {slug}.ipynb in {folder} (Ctrl-C to stop).")
    try:
        watching.watch(path, slug, grade_once)
    except KeyboardInterrupt:
        progress.clear()
        click.echo("\nStopped watching.")
    sys.exit(PASSED)


@cli.command()
@click.argument("exercise")
@click.argument("check", required=False)
@dir_option
def repro(exercise: str, check: str | None, folder: str) -> None:
    """Write a script that makes a check's failing call again.

    Grades the exercise (CHECK: a check's name, or a function's name for its first failing
    check; none: the first failing check), then writes .nnlab/repro/<check>.py and the
    input arrays beside it as .npy files. The script imports your file, calls the function
    and prints the expected result against yours, with the first index where they differ.
    It needs only NumPy: run it with python, python -i or a debugger.

    Example: nnlab repro activations tanh
    """
    from nnlab import grading, hints
    from nnlab import repro as reproducing
    from nnlab.report.text import not_loaded

    found = _exercise(exercise)
    slug = found.slug
    path = _folder(folder)
    submission = workspace.find_submission(path, slug)
    if submission is None:
        raise NnlabError(f"no {slug}.py or {slug}.ipynb in {folder} (`nnlab start {slug}`)")
    if found.uses_tensorflow:  # no grading (a training): the model, as the checks read it
        _repro_keras(path, folder, found, check, submission)
        return
    functions: tuple[str, ...] = ()
    named = None
    if check:
        try:
            named = hints.choose(slug, grading.collect_checks(slug), check, [])
        except hints.HintError as error:
            raise NnlabError(str(error)) from None
        functions = (hints.function_of(named),) if named else ()
    options = grading.GradingOptions(functions=functions)
    result = grading.grade(path, [slug], options=options).exercises[0]
    if not_loaded(result):
        click.echo(f"nnlab: error: {result.message}", err=True)
        sys.exit(LOST_POINTS)
    failing = [c for c in result.checks if c.status != "passed"]
    if named is not None and check in (named.name, f"test_{named.name}"):
        failing = [c for c in failing if c.name == named.name]
    target = next((c for c in failing if c.failing_call is not None), None)
    what = f"{check} of {slug}" if check else slug
    if not failing:
        click.echo(f"{what}: every check passes now; nothing to reproduce.")
        return
    if target is None:
        first = failing[0]
        click.echo(
            f"nnlab: {first.name} failed, but not in one call with an expected result that a "
            f"script can repeat: {first.message.splitlines()[0] if first.message else ''}",
            err=True,
        )
        sys.exit(LOST_POINTS)
    try:
        source = submission.source()
        written = reproducing.write(
            path, slug, target.name, target.failing_call, submission, source
        )
    except reproducing.ReproError as error:
        raise NnlabError(str(error)) from None
    except (OSError, ValueError) as error:
        raise NnlabError(f"could not write the script: {error}") from None
    shown = written.script.relative_to(path) if folder == "." else written.script
    click.echo(f"{target.name}: {target.message.splitlines()[0]}")
    click.echo(f"Wrote {shown} (and {len(written.data)} data file(s) beside it).")
    click.echo(f"Run it: python {shown}")


def _repro_keras(
    path: Path, folder: str, exercise: catalog.Exercise, check: str | None, submission: Any
) -> None:
    from nnlab import repro as reproducing

    entry = workspace.load_progress(path).get(exercise.slug, {})
    name = check or next(iter(entry.get("failing", [])), None) or "model"
    try:
        written = reproducing.write_keras(
            path,
            exercise.slug,
            name.removeprefix("test_"),
            "",
            submission,
            submission.source(),
            exercise.stub_path.read_text(encoding="utf-8"),
        )
    except reproducing.ReproError as error:
        raise NnlabError(str(error)) from None
    except (OSError, ValueError) as error:
        raise NnlabError(f"could not write the script: {error}") from None
    shown = written.script.relative_to(path) if folder == "." else written.script
    click.echo(f"Wrote {shown}: it builds your model and prints its layers and compile settings.")
    click.echo(f"Run it: python {shown}")


def _list_hints(slug: str, checks: list[Any], failing: set[str], every_level: bool) -> None:
    from nnlab import hints

    click.echo(f"Hints for {slug}" + (" (★ = failed at your last grading)" if failing else ""))
    current = None
    for found in checks:
        function = hints.function_of(found)
        if function != current:
            click.echo(f"\n{function}")
            current = function
        star = "★ " if found.name in failing else "  "
        texts = hints.levels(found)
        click.echo(f"  {star}{found.name}: {texts[0] if texts else ''}")
        if every_level:
            for number, text in enumerate(texts[1:], start=2):
                click.echo(f"      level {number}: {text}")


@cli.command()
@click.argument("exercises", nargs=-1)
@click.option(
    "--with-tensorflow",
    is_flag=True,
    help="Also run the tests that prove the references agree with TensorFlow (tests/test_reference_*.py).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Gradings run at once (default: the number of cores).",
)
@click.option(
    "--checks",
    "extra_checks",
    multiple=True,
    type=click.Path(file_okay=False, exists=True),
    help="A folder of private checks (test_<exercise>*.py) to hold to the same rules; "
    "without EXERCISEs, the exercises it has checks for.",
)
@click.option(
    "--mutants",
    is_flag=True,
    help="Mutation analysis instead: grade single-change variants of the model answers and "
    "report per function the ones the checks miss, with their diffs.",
)
@click.option(
    "--max",
    "max_mutants",
    type=click.IntRange(min=1),
    default=None,
    help="With --mutants: a sample of at most N mutants per exercise.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="With --mutants: picks the sample and the probe's random inputs.",
)
@click.option(
    "--json",
    "json_out",
    type=click.Path(dir_okay=False),
    default=None,
    help="With --mutants: also write the report as JSON (schema nnlab-mutants/1) to FILE.",
)
def verify(
    exercises: tuple[str, ...],
    with_tensorflow: bool,
    jobs: int | None,
    extra_checks: tuple[str, ...],
    mutants: bool,
    max_mutants: int | None,
    seed: int,
    json_out: str | None,
) -> None:
    """Self-check: solutions pass, stubs and do-nothing answers fail.

    Run from a checkout; also checks that every check has a hint and a weight, and names
    every check that a do-nothing answer (every function returning 0.0, None, its first
    argument, zeros, ones, its shape, or raising) passes.

    Checks every exercise, or the EXERCISEs named. Exit status 1 when a problem is found.

    Example: nnlab verify --with-tensorflow

    Example: nnlab verify --checks private-checks

    With --mutants: exit status 1 when an exercise's checks kill less than 95% of its
    non-equivalent mutants.

    Example: nnlab verify --mutants activations --max 20 --jobs 2
    """
    from nnlab import verification

    exercises = tuple(_exercise(slug).slug for slug in exercises)
    if mutants:
        if with_tensorflow:
            raise NnlabError("--with-tensorflow does not apply to --mutants")
        _verify_mutants(exercises, jobs, extra_checks, max_mutants, seed, json_out)
        return
    if max_mutants is not None:
        raise NnlabError("--max needs --mutants")
    if json_out is not None:
        raise NnlabError("--json needs --mutants")
    try:
        problems = verification.verify(
            progress=lambda line: click.echo(line, err=True),
            slugs=list(exercises),
            jobs=jobs or 0,
            with_tensorflow=with_tensorflow,
            check_dirs=[Path(folder) for folder in extra_checks],
        )
    except (verification.NotACheckout, verification.BadChecksFolder) as error:
        raise NnlabError(str(error)) from None
    if problems:
        for problem in problems:
            click.echo(f"✗ {problem}")
        sys.exit(1)
    click.echo(
        "✓ every solution earns full marks, every stub and do-nothing answer earns none, "
        "every check has a hint and a weight"
    )


def _refuse_to_replace(path: Path, schema: str) -> None:
    """Refuse an output file that exists and is not an earlier report of ``schema``."""
    import json

    if not os.path.lexists(path):
        return
    try:
        earlier = json.loads(path.read_text(encoding="utf-8"))
        ours = isinstance(earlier, dict) and earlier.get("schema") == schema
    except (OSError, ValueError):
        ours = False
    if not ours or path.is_symlink() or not path.is_file():
        raise NnlabError(f"{path} exists and is not an earlier {schema} report: not replacing it")


def _verify_mutants(
    exercises: tuple[str, ...],
    jobs: int | None,
    extra_checks: tuple[str, ...],
    max_mutants: int | None,
    seed: int,
    json_out: str | None = None,
) -> None:
    from nnlab import mutation_analysis, verification

    if json_out is not None:
        _refuse_to_replace(Path(json_out), mutation_analysis.SCHEMA)
    try:
        analysis = mutation_analysis.analyse(
            exercises,
            jobs=jobs or 0,
            count=max_mutants,
            seed=seed,
            check_dirs=[Path(folder) for folder in extra_checks],
            progress=lambda line: click.echo(line, err=True),
        )
    except (verification.NotACheckout, verification.BadChecksFolder) as error:
        raise NnlabError(str(error)) from None
    for line in mutation_analysis.report_lines(analysis):
        click.echo(line)
    if json_out is not None:
        import json

        data = json.dumps(mutation_analysis.report_data(analysis), indent=1, ensure_ascii=False)
        _write(json_out, data + "\n")
        click.echo(f"Wrote {json_out}", err=True)
    below = analysis.below_target
    if below:
        names = ", ".join(exercise.slug for exercise in below)
        target = f"{100 * mutation_analysis.TARGET:.0f}%"
        click.echo(f"✗ below the {target} kill rate (or no figures): {names}")
        sys.exit(1)


@cli.command("grade-batch")
@click.argument("root")
@click.argument("exercises", nargs=-1)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Submissions graded at once (default: the number of cores).",
)
@click.option(
    "--shard",
    metavar="K/N",
    help="Grade only shard K of N (K from 1 to N): a stable hash of each folder name picks its shard.",
)
@click.option(
    "--format", "format_name", type=click.Choice(BATCH_FORMATS), default="csv", show_default=True
)
@report_out_option
@checks_option
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=None,
    help="Seconds after which one submission's grading is stopped (default: the sum of its exercises' limits).",
)
@click.option(
    "--only",
    multiple=True,
    metavar="NAME",
    help="Grade only this submission (a folder under ROOT, named as in the reports); "
    "repeat it, or separate names with commas.",
)
@click.option(
    "--update",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="A class report (--format json) to regrade into: the graded submissions' records "
    "replace theirs (or are added), the others are kept, and FILE is written back.",
)
@force_option
def grade_batch(
    root: str,
    exercises: tuple[str, ...],
    jobs: int | None,
    shard: str | None,
    format_name: str,
    out: str | None,
    extra_checks: tuple[str, ...],
    timeout: float | None,
    only: tuple[str, ...],
    update: str | None,
    force: bool,
) -> None:
    """Grade a class: every submission folder under ROOT.

    One row or record per submission.

    Each folder directly under ROOT is one submission, graded from a private copy in
    its own process. With EXERCISE names, only those are graded and totals are out of
    their sum; otherwise every exercise of the course is reported (absent ones as missing).

    \b
    Exit status: 0  every check of every submission passed
                 1  some submission lost points
                 2  a usage or input error
                 3  the grading is unsound: a check raised, an instructor's check file
                    does not load, a submission crashed the grader, a report writer
                    failed, every submission is empty (one line per problem on stderr)

    With --only NAME, grades only the named submissions; with --update FILE.json as
    well, regrades them into that class report (its exercises are graded unless
    EXERCISEs are named) and writes it back; --out then also writes the updated class.
    An --out file holding submissions the new report lacks is refused unless --force.

    \b
    Example: nnlab grade-batch submissions/ --jobs 4 --format csv --out grades.csv
             nnlab grade-batch submissions/ tensors activations --out grades.csv
             nnlab grade-batch submissions/ --only kim --update grades.json
    """
    named = {_exercise(slug).slug for slug in exercises}
    slugs = [slug for slug in catalog.slugs() if slug in named]
    from nnlab.sandbox.template import Template

    Template.shared()  # started first, beside our imports: every worker gets a clone of it
    from nnlab import batch, report

    try:
        selected = batch.parse_shard(shard) if shard else None
        folders = batch.discover(Path(root))
    except batch.BatchError as error:
        raise NnlabError(str(error)) from None
    if not folders:
        raise NnlabError(f"no submission folders under {root}")
    everyone, folders = folders, batch.select_shard(folders, selected)
    if only:
        folders = _only(folders, only, root)
    kept: list[Any] = []
    if update:
        kept, slugs = _class_to_update(update, slugs)
    names = [batch.submission_name(folder) for folder in folders]
    regraded = set(names)
    kept = [one for one in kept if one.submission not in regraded]
    _guard_out(out, names + [one.submission for one in kept], force)
    for folder in folders:
        why = batch.emptiness(folder)
        if why:
            click.echo(f"nnlab: warning: submission {folder} {why}", err=True)
    progress = batch.BatchProgress(len(folders))
    options = batch.BatchOptions(
        jobs=jobs or 0,
        slugs=slugs,
        extra_check_dirs=[Path(p) for p in extra_checks],
        submission_timeout=timeout,
        on_done=progress.update,
    )
    progress.start()
    try:
        result = batch.grade_folders(folders, options)
    except batch.Terminated:  # SIGTERM: grade_folders has stopped every worker
        progress.close()
        click.echo(
            "nnlab: terminated (SIGTERM): the class was not finished, so no report was written",
            err=True,
        )
        sys.exit(143)
    except KeyboardInterrupt:  # the workers ignore Ctrl-C; grade_folders has stopped them
        progress.close()
        click.echo(
            "nnlab: interrupted: the class was not finished, so no report was written", err=True
        )
        sys.exit(130)
    except Exception as error:  # the grader itself, not a submission: never a traceback
        progress.close()
        _unsound([f"the grading failed ({type(error).__name__}: {error}); no report was written"])
    progress.close()
    written = sorted([*kept, *result.reports], key=lambda one: one.submission)
    unwritten: list[str] = []
    if update:
        updated, failures = _render(report.render_batch, written, "json")
        # a class report missing a row would lose that student's grade: kept as it was
        unwritten = [f"{update} was not updated: {line}" for line in failures]
        if not failures:
            _write(update, updated)
            click.echo(
                f"Updated {update}: {len(result.reports)} regraded, {len(written)} submissions",
                err=True,
            )
    rendered, failures = _render(report.render_batch, written, format_name)
    unwritten += failures
    if out and rendered:
        _write(out, rendered)
        count = len(written)
        click.echo(f"Wrote {out}: {count} submission{'' if count == 1 else 's'}", err=True)
    elif not update:
        click.echo(rendered, nl=False)
    problems = unwritten + class_problems(result.reports)
    # the whole class, not this shard: a shard may hold only the empty folders of a class
    if not batch.submitted_slugs(slugs or catalog.slugs(), everyone):
        problems.append(
            f"every submission under {root} is empty: none holds a file of the graded "
            f"exercises ({_shorten(slugs or catalog.slugs(), 4)}); is this the right folder?"
        )
    if problems:
        _unsound(problems)
    sys.exit(PASSED if result.all_passed else LOST_POINTS)


def _only(folders: list[Path], only: tuple[str, ...], root: str) -> list[Path]:
    """The folders named by --only (names as the reports show them)."""
    from nnlab.batch import submission_name

    wanted = [name.strip() for names in only for name in names.split(",") if name.strip()]
    by_name = {submission_name(folder): folder for folder in folders}
    unknown = [name for name in wanted if name not in by_name]
    if unknown:
        raise NnlabError(f"--only: no submission folder named {unknown[0]!r} under {root}")
    return [by_name[name] for name in dict.fromkeys(wanted)]


def _class_to_update(path: str, slugs: list[str]) -> tuple[list[Any], list[str]]:
    """The reports of the class report to update, and the exercises to grade: those named,
    which must be the report's, or else the report's own."""
    from nnlab import merging

    if not Path(path).is_file():
        raise NnlabError(
            f"--update: file not found: {path} (grade the class with --format json first)"
        )
    try:
        reports = merging.merge_files([Path(path)])
    except merging.MergeError as error:
        raise NnlabError(f"--update: {error}") from None
    versions = {merging.version_of(Path(path))} - {None, __version__}
    if versions:
        raise NnlabError(
            f"--update: {path} was made by nnlab {versions.pop()}, this is {__version__}: "
            "its checks and points may differ; grade the whole class again"
        )
    held = list(dict.fromkeys(e.exercise for one in reports for e in one.exercises))
    if slugs and reports and slugs != held:
        raise NnlabError(
            f"--update: {path} grades {', '.join(held)}, not {', '.join(slugs)}; "
            "name the same exercises or none"
        )
    try:
        return reports, slugs or [catalog.get(slug).slug for slug in held]
    except UnknownExercise as error:
        raise NnlabError(f"--update: {path}: {error}") from None


@cli.command()
@click.argument("reports", nargs=-1, required=True, type=click.Path(dir_okay=False, exists=True))
@click.option(
    "--format", "format_name", type=click.Choice(BATCH_FORMATS), default="csv", show_default=True
)
@click.option(
    "--out", type=click.Path(dir_okay=False, writable=True), help="Write the result to this file."
)
@force_option
def merge(reports: tuple[str, ...], format_name: str, out: str | None, force: bool) -> None:
    """Combine the JSON reports of several shards into one report.

    Refuses (exit status 2) a submission that appears twice or reports made by
    different nnlab versions. Exit status 3 (with one line per problem on stderr) when a
    shard's grading was unsound (a check raised, a check file did not load, a submission
    crashed the grader); 0 otherwise, whatever the scores.

    Example: nnlab merge shard-*.json --format csv --out grades.csv
    """
    from nnlab import merging, report

    try:
        combined = merging.merge_files([Path(p) for p in reports])
    except merging.MergeError as error:
        raise NnlabError(str(error)) from None
    _guard_out(out, [one.submission for one in combined], force)
    rendered, unwritten = _render(report.render_batch, combined, format_name)
    if out and rendered:
        _write(out, rendered)
        count = len(combined)
        click.echo(f"Wrote {out}: {count} submission{'' if count == 1 else 's'}", err=True)
    else:
        click.echo(rendered, nl=False)
    problems = unwritten + class_problems(combined)
    if problems:
        _unsound(problems)


@cli.command("report")
@click.argument("reports", nargs=-1, required=True, type=click.Path(dir_okay=False, exists=True))
@click.option(
    "--out",
    type=click.Path(),
    help="html: the folder to write (required); canvas: the CSV file (default: stdout).",
)
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["html", "canvas"]),
    default="html",
    show_default=True,
    help="html: feedback pages and a class summary; canvas: Canvas's gradebook import CSV.",
)
@click.option(
    "--released",
    is_flag=True,
    help="html: also show students their after_due_date and after_published checks.",
)
@click.option(
    "--roster",
    type=click.Path(dir_okay=False, exists=True),
    help="canvas: CSV mapping each submission folder to its student (folder, ID, ...).",
)
@click.option(
    "--assignment",
    default="nnlab",
    show_default=True,
    help="canvas: the assignment column ('Name (1234)' updates Canvas assignment 1234).",
)
@click.option("--due", metavar="DATETIME", help="canvas: the due date, e.g. 2026-12-01T23:59.")
@click.option("--late-penalty", metavar="P%/day", help="canvas: e.g. 10%/day or 2%/hour.")
@click.option(
    "--times",
    type=click.Path(dir_okay=False, exists=True),
    help="canvas: CSV of submission times (folder, submitted).",
)
@click.option(
    "--git-times",
    type=click.Path(file_okay=False, exists=True),
    metavar="ROOT",
    help="canvas: take each ROOT/<folder>'s last git commit time as its submission time.",
)
def report_command(
    reports: tuple[str, ...],
    out: str | None,
    format_name: str,
    released: bool,
    roster: str | None,
    assignment: str,
    due: str | None,
    late_penalty: str | None,
    times: str | None,
    git_times: str | None,
) -> None:
    """Feedback pages and a class summary, or a Canvas gradebook.

    REPORTS are class reports (grade-batch or merge --format json; several shards are
    merged). Nothing is graded again.

    \b
    Example: nnlab report class.json --out feedback/
             nnlab report class.json --format canvas --roster roster.csv --out canvas.csv
    """
    from nnlab import merging
    from nnlab.term import gradebook, summary

    canvas_only = {"--roster": roster, "--due": due, "--late-penalty": late_penalty}
    canvas_only |= {"--times": times, "--git-times": git_times}
    try:
        combined = merging.merge_files([Path(p) for p in reports])
    except merging.MergeError as error:
        raise NnlabError(str(error)) from None
    if not combined:
        raise NnlabError(f"no submissions in {', '.join(reports)}: nothing to report")
    if format_name == "html":
        given = [name for name, value in canvas_only.items() if value]
        if given:
            raise NnlabError(f"{', '.join(given)} applies to --format canvas only")
        if not out:
            raise NnlabError("--out FOLDER is required: the feedback pages go there")
        if Path(out).exists() and not Path(out).is_dir():
            raise NnlabError(f"--out {out} is a file; give a folder")
        try:
            written = summary.write_directory(combined, Path(out), released=released)
        except OSError as error:
            raise NnlabError(f"could not write into {out}: {error.strerror or error}") from None
        click.echo(
            f"Wrote {written.summary} (class summary, for you) and {len(written.feedback)} "
            f"feedback page{'' if len(written.feedback) == 1 else 's'} in {written.summary.parent / 'feedback'}"
        )
        return
    if released:
        raise NnlabError("--released applies to --format html only")
    if not roster:
        raise NnlabError("--format canvas needs --roster FILE (folder name -> Canvas ID)")
    if bool(due) != bool(late_penalty):
        raise NnlabError("--due and --late-penalty go together")
    if due and bool(times) == bool(git_times):
        raise NnlabError(
            "a late penalty needs submission times: give --times FILE or --git-times ROOT"
        )
    try:
        students = gradebook.read_roster(Path(roster))
        late = gradebook.LatePolicy.parse(due, late_penalty) if due and late_penalty else None
        when = None
        if late is not None:
            folders = [r.submission for r in combined]
            when = (
                gradebook.read_times(Path(times))
                if times
                else gradebook.git_times(Path(git_times or "."), folders)
            )
        book = gradebook.canvas(combined, students, assignment=assignment, late=late, times=when)
    except gradebook.GradebookError as error:
        raise NnlabError(str(error)) from None
    for note in book.notes:
        click.echo(f"nnlab: {note}", err=True)
    if out:
        _write(out, book.csv)
        click.echo(f"Wrote {out}: {len(students)} students", err=True)
    else:
        click.echo(book.csv, nl=False)


@cli.command()
@click.argument("root")
@click.argument("exercises", nargs=-1)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="Smallest overlap (0 to 1) worth listing.",
)
@click.option(
    "--top", type=click.IntRange(min=1), default=10, show_default=True, help="Pairs per exercise."
)
@click.option(
    "--out", type=click.Path(dir_okay=False, writable=True), help="Write the report to this file."
)
def similarity(
    root: str, exercises: tuple[str, ...], threshold: float, top: int, out: str | None
) -> None:
    """Flag similar submissions for review (never a grade).

    Compares the submission folders under ROOT, per exercise (every exercise, or the
    EXERCISEs named): the pairs whose normalised code overlaps most, each submission
    against the course's reference and model answer, and files that import nnlab or
    name its files. Exit status 0 whatever is found.

    Example: nnlab similarity submissions/ activations --out similarity.txt
    """
    from nnlab import batch
    from nnlab import similarity as comparing

    slugs = [_exercise(slug).slug for slug in exercises]
    try:
        folders = batch.discover(Path(root))
    except batch.BatchError as error:
        raise NnlabError(str(error)) from None
    if not folders:
        raise NnlabError(f"no submission folders under {root}")
    results = comparing.compare_class(folders, slugs, threshold=threshold, top=top)
    rendered = comparing.render_text(results, threshold)
    if out:
        _write(out, rendered)
        click.echo(f"Wrote {out}", err=True)
    else:
        click.echo(rendered, nl=False)


@cli.group()
def export() -> None:
    """Package the course's grading for another platform.

    Example: nnlab export gradescope --out autograder.zip
    """


@export.command("gradescope")
@click.argument("exercises", nargs=-1)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True),
    default="autograder.zip",
    show_default=True,
    help="The autograder zip to write.",
)
@click.option(
    "--wheel",
    type=click.Path(dir_okay=False, exists=True),
    help="Bundle this nnlab wheel (default: build one from this checkout).",
)
@click.option(
    "--from-index",
    is_flag=True,
    help="Bundle no wheel: setup.sh installs nnlab-course==<this version> from the package index.",
)
@click.option(
    "--checks",
    "extra_checks",
    multiple=True,
    type=click.Path(file_okay=False, exists=True),
    help="A folder of extra (instructor) checks to bundle and run on every submission.",
)
@hide_details_option
@no_hints_option
def export_gradescope(
    exercises: tuple[str, ...],
    out: str,
    wheel: str | None,
    from_index: bool,
    extra_checks: tuple[str, ...],
    hide_details: bool,
    no_hints: bool,
) -> None:
    """Write a Gradescope autograder zip that grades with nnlab.

    The zip holds setup.sh and run_autograder.

    With EXERCISE names, the autograder grades those only; otherwise every exercise
    of the course (absent files count as missing).

    Example: nnlab export gradescope activations losses --out autograder.zip
    """
    from nnlab import export as exporting

    exercises = tuple(_exercise(slug).slug for slug in exercises)
    if wheel and from_index:
        raise NnlabError("choose one of --wheel and --from-index")
    try:
        bundle = exporting.gradescope_bundle(
            Path(out),
            exercises=list(exercises),
            wheel=Path(wheel) if wheel else None,
            from_index=from_index,
            extra_check_dirs=[Path(p) for p in extra_checks],
            hide_details=hide_details,
            no_hints=no_hints,
        )
    except exporting.ExportError as error:
        raise NnlabError(str(error)) from None
    click.echo(f"Wrote {bundle.path} ({bundle.installs})")
    click.echo("Upload it as the autograder of a Gradescope programming assignment.")


def main() -> None:
    one_blas_thread()
    cli(prog_name="nnlab")


def one_blas_thread() -> None:
    """``nnlab.sandbox.BLAS_THREADS``, set before NumPy loads (nothing imports it at
    start-up); a value the user set is kept."""
    from nnlab.sandbox import BLAS_THREADS

    for name, value in BLAS_THREADS.items():
        os.environ.setdefault(name, value)
