"""Hints on request, in steps: ``nnlab hint`` reveals one more level of a check's hints.

A check has 1 to 3 levels (``@check(..., hint=(level1, level2, level3))``): level 1 names
the concept or the mistake, level 2 points at the place in the computation, level 3 is
nearly the answer. The levels a learner has asked for are recorded in
``.nnlab/progress.json`` and shown again (by ``nnlab hint`` and under the failing check
in ``nnlab grade``) without asking for more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nnlab import workspace
from nnlab.grading import CollectedCheck


class HintError(Exception):
    """No check or function of that name: one line for the learner."""


def levels(found: CollectedCheck) -> tuple[str, ...]:
    info = found.info
    if info is None:
        return ()
    return tuple(level for level in (info.hints or (info.hint,)) if level)


def function_of(found: CollectedCheck) -> str:
    return found.info.function if found.info else ""


def choose(
    slug: str, checks: Sequence[CollectedCheck], name: str | None, failing: Sequence[str]
) -> CollectedCheck | None:
    """The check ``name`` names: a check (with or without ``test_``), or a function, whose
    first check that failed at the last grading is meant (its first check if none failed).
    Without ``name``: the first check that failed at the last grading, or None."""
    failed = [c for name_ in failing for c in checks if c.name == name_]
    if name is None:
        return failed[0] if failed else None
    for found in checks:
        if found.name in (name, name.removeprefix("test_")):
            return found
    of_function = [c for c in checks if function_of(c) == name]
    if of_function:
        return next((c for c in failed if function_of(c) == name), of_function[0])
    functions = ", ".join(dict.fromkeys(function_of(c) for c in checks if function_of(c)))
    raise HintError(
        f"{slug} has no check or function named {name!r}; try one of its functions "
        f"({functions}) or a check name from `nnlab grade {slug}`"
    )


@dataclass
class Revealed:
    """What to show for one check: its levels up to ``shown``, out of ``total``."""

    check: CollectedCheck
    levels: tuple[str, ...]
    shown: int
    newly: bool  # a level was revealed just now

    @property
    def total(self) -> int:
        return len(self.levels)

    def lines(self) -> list[str]:
        head = f"{self.check.name} ({function_of(self.check) or '?'})"
        if not self.levels:
            return [head, "  no hint for this check"]
        body = [
            f"  hint: {level}" if self.total == 1 else f"  hint {number}/{self.total}: {level}"
            for number, level in enumerate(self.levels[: self.shown], start=1)
        ]
        if self.shown < self.total:
            body.append(
                f"  (level {self.shown + 1} of {self.total} next: run the same command again)"
            )
        elif self.total > 1 and not self.newly:
            body.append("  (that is every level of this hint)")
        return [head, *body]


def reveal(
    folder: Path | None, slug: str, found: CollectedCheck, *, every_level: bool = False
) -> Revealed:
    """Reveal the next level of ``found``'s hints (every level with ``every_level``) and
    record it in the learner's progress when ``folder`` is given."""
    texts = levels(found)
    before = workspace.revealed_hints(folder).get(slug, {}).get(found.name, 0) if folder else 0
    shown = len(texts) if every_level else min(before + 1, len(texts))
    if folder is not None and shown > before:
        workspace.reveal_hint(folder, slug, found.name, shown)
    return Revealed(found, texts, shown, newly=shown > before)
