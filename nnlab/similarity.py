"""Similarity between submissions: flags for a human to look at, never a grade.

Each exercise file becomes a token sequence (Python's ``tokenize``): comments, blank lines
and layout dropped, every name but keywords and attribute names becomes ``V``, every string
``S`` and every number ``0``, so renaming variables or rewording comments changes nothing.
Two files are compared by the Jaccard overlap of their sets of ``K``-token runs
(``K`` = :data:`GRAM`), after removing every run the exercise's stub already holds (everyone
starts from it). Per exercise the report lists the pairs that overlap most, each
submission's overlap with the course's own reference (``grader/reference``) and model
answer (``solutions/``, in a checkout), and any file that imports ``nnlab`` or names its
files (such a file can hand back the reference's results: it grades as full marks).

High overlap is common for short, standard code (a one-line sigmoid looks the same
everywhere); a flag says where to look, and a person decides what it means.
"""

from __future__ import annotations

import io
import itertools
import keyword
import re
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from nnlab import catalog
from nnlab.batch import submission_name
from nnlab.resources import exercises_dir, grader_dir, source_checkout
from nnlab.workspace import find_submission

GRAM = 8  # tokens per run: long enough that two unrelated answers rarely share many
DEFAULT_THRESHOLD = 0.5
DEFAULT_TOP = 10
SKIPPED_TOKENS = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENCODING,
    tokenize.ENDMARKER,
}
NNLAB_PATHS = re.compile(r"nnlab|grader[/\\]|solutions[/\\]|_data[/\\]|reference[/\\]", re.I)
DYNAMIC = {"__import__", "importlib", "exec", "eval", "compile", "sys.modules"}
NOTICE = (
    "These are flags for a person to review, not findings: similar code is often\n"
    "legitimate (short standard formulas, the same tutorial, shared stub code), and\n"
    "nothing here changes a grade."
)


def tokens(source: str) -> list[str]:
    """The normalised token sequence of ``source`` (what is left of a file that does not
    tokenize is kept: a broken file is still compared up to the error)."""
    found: list[str] = []
    previous = ""
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in SKIPPED_TOKENS:
                continue
            if token.type == tokenize.NAME:
                keep = keyword.iskeyword(token.string) or previous == "."
                found.append(token.string if keep else "V")
            elif token.type == tokenize.STRING or token.type == getattr(
                tokenize, "FSTRING_START", -1
            ):
                found.append("S")
            elif token.type in (
                getattr(tokenize, "FSTRING_MIDDLE", -1),
                getattr(tokenize, "FSTRING_END", -1),
            ):
                continue
            elif token.type == tokenize.NUMBER:
                found.append("0")
            else:
                found.append(token.string)
            previous = token.string
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return found


def grams(sequence: Sequence[str], size: int = GRAM) -> set[tuple[str, ...]]:
    return {tuple(sequence[i : i + size]) for i in range(len(sequence) - size + 1)}


def overlap(first: set[tuple[str, ...]], second: set[tuple[str, ...]]) -> float:
    """Jaccard overlap of two sets of runs (0 when either is empty)."""
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def suspicious_uses(source: str, stub: str = "") -> list[str]:
    """What in ``source`` (and not in the stub) reaches for nnlab itself or loads code."""
    stub_strings = set(_strings(stub))
    notes: list[str] = []
    names = _names(source)
    if "nnlab" in names:
        notes.append("names the module nnlab (import nnlab / from nnlab... import)")
    paths = sorted({s for s in _strings(source) if NNLAB_PATHS.search(s) and s not in stub_strings})
    if paths:
        shown = ", ".join(repr(p if len(p) < 60 else p[:57] + "...") for p in paths[:3])
        notes.append(f"strings naming nnlab's files or modules: {shown}")
    dynamic = sorted(DYNAMIC & (names | _dotted(source))) if source else []
    if dynamic:
        notes.append(f"loads code dynamically ({', '.join(dynamic)}): look at what it loads")
    return notes


def _token_list(source: str) -> list[tokenize.TokenInfo]:
    found: list[tokenize.TokenInfo] = []
    try:
        found.extend(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return found


def _names(source: str) -> set[str]:
    return {t.string for t in _token_list(source) if t.type == tokenize.NAME}


def _dotted(source: str) -> set[str]:
    listed = [t.string for t in _token_list(source) if t.type not in SKIPPED_TOKENS]
    return {f"{a}.{c}" for a, b, c in zip(listed, listed[1:], listed[2:], strict=False) if b == "."}


def _strings(source: str) -> list[str]:
    return [t.string for t in _token_list(source) if t.type == tokenize.STRING]


# --- a class ---------------------------------------------------------------------------------


@dataclass
class Pair:
    first: str
    second: str
    score: float


@dataclass
class ExerciseSimilarity:
    exercise: str
    submissions: int  # how many had the exercise's file
    pairs: list[Pair] = field(default_factory=list)  # most overlap first, above the threshold
    course: list[Pair] = field(default_factory=list)  # submission vs "reference"/"model answer"
    uses: dict[str, list[str]] = field(default_factory=dict)  # submission -> what it reaches for
    stub_only: list[str] = field(default_factory=list)  # too little beyond the stub to compare


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig", errors="replace") if path.is_file() else ""


def course_files(slug: str) -> dict[str, str]:
    """The course's own code for ``slug``: its NumPy reference, and its model answer in a
    checkout."""
    files = {"reference": _read(grader_dir() / "reference" / f"{slug}.py")}
    root = source_checkout()
    if root is not None:
        files["model answer"] = _read(root / "solutions" / f"{slug}.py")
    return {name: text for name, text in files.items() if text}


def compare_exercise(
    slug: str,
    sources: dict[str, str],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    top: int = DEFAULT_TOP,
    course: dict[str, str] | None = None,
    stub: str | None = None,
) -> ExerciseSimilarity:
    """Compare the ``sources`` (submission -> code) of one exercise."""
    stub_text = _read(exercises_dir() / f"{slug}.py") if stub is None else stub
    common = grams(tokens(stub_text))
    runs = {name: grams(tokens(text)) - common for name, text in sources.items()}
    result = ExerciseSimilarity(slug, len(sources))
    result.stub_only = sorted(name for name, found in runs.items() if not found)
    compared = sorted(name for name, found in runs.items() if found)
    pairs = [Pair(a, b, overlap(runs[a], runs[b])) for a, b in itertools.combinations(compared, 2)]
    pairs = [pair for pair in pairs if pair.score >= threshold]
    result.pairs = sorted(pairs, key=lambda p: (-p.score, p.first, p.second))[:top]
    own = course_files(slug) if course is None else course
    for label, text in own.items():
        reference = grams(tokens(text)) - common
        for name in compared:
            score = overlap(runs[name], reference)
            if score >= threshold:
                result.course.append(Pair(name, label, score))
    result.course.sort(key=lambda p: (-p.score, p.first, p.second))
    for name, text in sorted(sources.items()):
        notes = suspicious_uses(text, stub_text)
        if notes:
            result.uses[name] = notes
    return result


def read_sources(folders: Sequence[Path], slug: str) -> dict[str, str]:
    """Submission name -> the exercise's code (a notebook's code cells), for those that have it."""
    sources: dict[str, str] = {}
    for folder in folders:
        found = find_submission(folder, slug)
        if found is None:
            continue
        try:
            sources[submission_name(folder)] = found.source()
        except (OSError, ValueError):
            continue  # an unreadable notebook: grading reports it; nothing to compare
    return sources


def compare_class(
    folders: Sequence[Path],
    slugs: Sequence[str] = (),
    *,
    threshold: float = DEFAULT_THRESHOLD,
    top: int = DEFAULT_TOP,
) -> list[ExerciseSimilarity]:
    chosen = list(slugs) or catalog.slugs()
    results = []
    for slug in chosen:
        sources = read_sources(folders, slug)
        if sources:
            results.append(compare_exercise(slug, sources, threshold=threshold, top=top))
    return results


def render_text(results: Sequence[ExerciseSimilarity], threshold: float) -> str:
    lines = [
        "nnlab similarity: FLAGS FOR A HUMAN TO REVIEW, NOT A GRADE",
        NOTICE,
        f"Overlap: shared runs of {GRAM} normalised tokens (names, strings and numbers "
        f"replaced), stub code removed; pairs at {threshold:.0%} or more.",
    ]
    for result in results:
        lines += ["", f"{result.exercise} ({result.submissions} submissions)"]
        if not (result.pairs or result.course or result.uses):
            lines.append("  nothing flagged")
        for pair in result.pairs:
            lines.append(f"  {pair.score:4.0%}  {pair.first}  ~  {pair.second}")
        for pair in result.course:
            lines.append(f"  {pair.score:4.0%}  {pair.first}  ~  the course's {pair.second}")
        for name, notes in result.uses.items():
            for note in notes:
                lines.append(f"  flag  {name}: {note}")
        if result.stub_only:
            names = ", ".join(result.stub_only)
            lines.append(f"  (too little code beyond the stub to compare: {names})")
    return "\n".join(lines) + "\n"
