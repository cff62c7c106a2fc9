"""Grading from inside a notebook: ``nnlab.grade()``, ``nnlab.plot()`` and the ``%nnlab`` magic.

``nnlab.grade("activations")`` grades the saved file, as `nnlab grade` does, and returns
a :class:`NotebookReport`, which Jupyter shows as HTML; ``nnlab.plot("activations")``
returns the picture of `nnlab plot`, shown inline. ``%load_ext nnlab`` adds the
``%nnlab`` line magic, which runs any other command through the CLI. This is the top of
nnlab, beside the CLI: it imports the CLI and the grader, and nothing imports it but the
package's own ``nnlab.grade``/``nnlab.plot``/``load_ipython_extension``.
"""

from __future__ import annotations

import inspect
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from nnlab import catalog, workspace
from nnlab.cli import cli
from nnlab.report import html, text
from nnlab.results import Report
from nnlab.workspace import WorkspaceError


class NotebookReport:
    """A grading report that Jupyter shows as HTML (plain text elsewhere)."""

    def __init__(self, report: Report, revealed: dict[str, dict[str, int]] | None = None) -> None:
        self.report = report
        self.revealed = revealed or {}  # hint levels seen (exercise -> check -> count)

    @property
    def score(self) -> float:
        return self.report.score

    @property
    def max_score(self) -> float:
        return self.report.max_score

    @property
    def passed(self) -> bool:
        return self.report.all_passed

    def to_dict(self) -> dict[str, Any]:
        return self.report.to_dict()

    def _repr_html_(self) -> str:
        return html.render(self.report, revealed=self.revealed)

    def __str__(self) -> str:
        shown = text.render(self.report, verbose=False, commands=True, revealed=self.revealed)
        return click.unstyle(shown)

    def __repr__(self) -> str:
        return str(self)


def _inside_grading() -> bool:
    """True in the sandboxed child, where a graded cell calling nnlab.grade must do nothing."""
    return "_nnlab_protocol" in sys.modules


def grade(
    *exercises: str, folder: str | Path = ".", record_progress: bool = True
) -> NotebookReport | None:
    """Grade exercises of ``folder`` (default: the notebook's folder) as `nnlab grade` does."""
    if _inside_grading():
        return None
    from nnlab import grading  # speed: %load_ext and %nnlab list need neither pytest nor NumPy

    path = workspace.require_folder(Path(folder))
    for slug in exercises:
        catalog.get(slug)
    slugs = [s for s in catalog.slugs() if s in set(exercises)] or workspace.present_slugs(path)
    if not slugs:
        raise workspace.WorkspaceError(
            f"no exercise files in {path.resolve()} "
            f"(start one with `nnlab start {catalog.slugs()[0]} --notebook`)"
        )
    report = grading.grade(path, slugs, include_missing=True, submission_name=str(folder))
    if record_progress:
        try:
            workspace.record_report(path, report)
        except (OSError, workspace.WorkspaceError):
            pass  # a read-only folder must not hide the report
    return NotebookReport(report, workspace.revealed_hints(path))


def plot(exercise: str, folder: str | Path = ".", out: str | Path | None = None) -> Any:
    """The picture of ``nnlab plot EXERCISE``, shown inline (and saved when ``out`` is given)."""
    if _inside_grading():
        return None
    from nnlab import plots  # speed: NumPy and matplotlib, only for a picture

    picture = plots.draw(catalog.get(exercise).slug, workspace.require_folder(Path(folder)))
    if out is not None:
        picture.save(Path(out))
    return picture


# --- the %nnlab magic ------------------------------------------------------------------------


def nnlab_magic(line: str) -> Any:
    """%nnlab grade [EXERCISE...] [--dir W] | %nnlab plot EXERCISE [--dir W] | %nnlab list ..."""
    words = shlex.split(line)
    if not words:
        print(inspect.cleandoc(nnlab_magic.__doc__ or ""))
        return None
    command, rest = words[0], words[1:]
    folder, names = _dir_option(rest)
    other_options = any(name.startswith("-") for name in names)  # --format ...: the CLI's own
    if command in ("grade", "plot") and not other_options:
        from nnlab.plots import PlotError  # speed: NumPy, only for a grade or a picture

        try:
            if command == "grade":
                return grade(*names, folder=folder)
            if len(names) == 1:
                return plot(names[0], folder=folder)
        except (LookupError, WorkspaceError, PlotError) as error:
            print(f"nnlab: error: {error.args[0] if error.args else error}", file=sys.stderr)
            return None
    try:
        cli.main(words, prog_name="nnlab", standalone_mode=False)
    except SystemExit:
        pass
    except Exception as error:  # click's usage errors: show them as the CLI would, in one line
        print(f"nnlab: error: {error}", file=sys.stderr)
    return None


def _dir_option(words: Sequence[str]) -> tuple[str, list[str]]:
    folder, names, waiting = ".", [], False
    for word in words:
        if waiting:
            folder, waiting = word, False
        elif word == "--dir":
            waiting = True
        elif word.startswith("--dir="):
            folder = word.split("=", 1)[1]
        else:
            names.append(word)
    return folder, names


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext nnlab` registers the ``%nnlab`` line magic."""
    ipython.register_magic_function(nnlab_magic, magic_kind="line", magic_name="nnlab")
