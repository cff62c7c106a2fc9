"""Notebooks as nnlab reads and writes them: the module graded from one, and the stub notebook.

A learner's notebook is graded exactly like ``<slug>.py``: its code cells, in order,
become one module. IPython-only lines (``%magic``, ``!shell``, ``name?``) and cells
that start with a cell magic are left out, each replaced by ``pass`` so that line
numbers and blocks stay intact; so are cells whose first line is :data:`SKIP_MARKER`
(the stub's "try it" and "grade" cells). Outputs are never read. Every cell of the
module is introduced by a ``# %% [cell N]`` line, which lets :func:`relabel` turn
"line 42" of the module into 'code cell 3, "def relu(z):", line 3' of the notebook.

Conversion only, from text to text: this module reads no file (the workspace reads the
learner's, within its limits) and imports nothing of the grader or the CLI, which both
use it. Grading from inside a notebook (``nnlab.grade()``, the ``%nnlab`` magic) is
:mod:`nnlab.jupyter`. nbformat is imported only when a stub is written.
"""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from nnlab import catalog
from nnlab.results import ExerciseResult

SKIP_MARKER = "# nnlab: skip"
CELL_MARKER = re.compile(r"^# %% \[cell (\d+)\]$")
KEPT_CELL_MAGICS = ("%%time", "%%capture")  # their body is plain Python


class NotebookError(ValueError):
    """A notebook that cannot be graded; the message is one line that says why."""


# --- reading a notebook ----------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    number: int  # 1-based, counting every cell (markdown too), as a learner counts them
    cell_type: str
    source: str
    metadata: dict[str, Any] = field(default_factory=dict)


# what a notebook's JSON may hold, counted before it is parsed: a notebook of a few thousand
# cells has a few tens of thousands; a file of nothing but `[],` would make millions of
# objects in the grading process (20 MB of them: ~1 GB)
JSON_VALUES_LIMIT = 500_000


def parse_cells(text: str) -> list[Cell]:
    """The cells of a notebook's JSON text; NotebookError when it is not a usable notebook."""
    if not text.strip():
        raise NotebookError("invalid notebook: the file is empty")
    values = _json_values(text)
    if values > JSON_VALUES_LIMIT:
        raise NotebookError(
            f"invalid notebook: its JSON holds about {values:,} values, more than the "
            f"{JSON_VALUES_LIMIT:,} a notebook is allowed (is it a notebook?)"
        )
    try:
        data = json.loads(text)
    except RecursionError:
        raise NotebookError("invalid notebook: its JSON is nested too deeply") from None
    except ValueError as error:
        reason = getattr(error, "msg", str(error))
        where = (
            f" (line {error.lineno}, column {error.colno})"
            if isinstance(error, json.JSONDecodeError)
            else ""
        )
        raise NotebookError(f"invalid notebook: not valid JSON{where}: {reason}") from None
    if not isinstance(data, dict):
        raise NotebookError("invalid notebook: the JSON is not an object with 'cells'")
    version = data.get("nbformat")
    if version == 3:
        data = _upgrade_v3(text)
    elif version is None:
        raise NotebookError("invalid notebook: it has no 'nbformat' version (is it a notebook?)")
    elif version != 4:
        raise NotebookError(
            f"invalid notebook: nbformat {version!r} is not supported (expected 4); "
            "re-save it with a current Jupyter or VS Code"
        )
    language = _language(data.get("metadata"))
    if language and language != "python":
        raise NotebookError(f"invalid notebook: its language is {language}, not Python")
    raw_cells = data.get("cells")
    if not isinstance(raw_cells, list):
        raise NotebookError("invalid notebook: it has no list of 'cells'")
    cells = []
    for number, raw in enumerate(raw_cells, start=1):
        if not isinstance(raw, dict) or not isinstance(raw.get("cell_type"), str):
            raise NotebookError(f"invalid notebook: cell {number} has no 'cell_type'")
        source = raw.get("source", "")
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise NotebookError(
                f"invalid notebook: the source of cell {number} is neither text nor a list of lines"
            )
        metadata = raw.get("metadata")
        cells.append(
            Cell(number, raw["cell_type"], source, metadata if isinstance(metadata, dict) else {})
        )
    return cells


_ESCAPE = re.compile(r"\\.", re.DOTALL)
_STRING = re.compile(r'"[^"]*"')


def _json_values(text: str) -> int:
    """An upper bound of the values (containers, strings, numbers) in JSON ``text``, counted
    without parsing it: the commas and opening brackets outside its strings, plus one."""
    outside = _STRING.sub('""', _ESCAPE.sub("", text))  # no escaped quote is left to confuse
    return outside.count(",") + outside.count("[") + outside.count("{") + outside.count(":") + 1


def _upgrade_v3(text: str) -> dict[str, Any]:
    import nbformat

    try:
        return dict(nbformat.reads(text, as_version=4))
    except Exception as error:  # nbformat raises many kinds for a broken old notebook
        raise NotebookError(
            f"invalid notebook: an nbformat 3 notebook nnlab cannot read ({error})"
        ) from None


def _language(metadata: Any) -> str:
    if not isinstance(metadata, dict):
        return ""
    for key in ("language_info", "kernelspec"):
        entry = metadata.get(key)
        if isinstance(entry, dict):
            name = entry.get("name" if key == "language_info" else "language")
            if isinstance(name, str) and name:
                return name.lower()
    return ""


# --- from cells to a module ------------------------------------------------------------------


def module_source(text: str) -> str:
    """The Python module graded for a notebook whose JSON is ``text``."""
    return assemble(parse_cells(text))


def assemble(cells: Iterable[Cell]) -> str:
    """Code cells in order, each after a ``# %% [cell N]`` line; IPython syntax becomes ``pass``."""
    parts = []
    for cell in cells:
        if cell.cell_type != "code":
            continue
        parts.append(f"# %% [cell {cell.number}]\n{python_only(cell.source)}")
    return "\n".join(part.rstrip("\n") for part in parts) + "\n"


def is_skipped(source: str) -> bool:
    first = source.lstrip("\n").split("\n", 1)[0].strip().lower()
    return first.startswith(SKIP_MARKER)


_LINE_MAGIC = re.compile(
    r"""^\s*(?:[%!]                                  # %time f(), !pip install x
        |[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[%!](?!=)  # files = !ls
        |\?{1,2}[\w.]+\s*$                            # ?np.sum
        |[\w.]+\?{1,2}\s*$)                           # np.sum?
    """,
    re.VERBOSE,
)


def python_only(source: str) -> str:
    """The cell's source with IPython-only lines turned into ``pass`` (same number of lines).

    A skipped cell, or one that starts with a cell magic (other than %%time and
    %%capture, whose body is Python), becomes all ``pass`` lines.
    """
    lines = source.split("\n")
    first = lines[0].strip() if lines else ""
    if is_skipped(source) or (first.startswith("%%") and first.split()[0] not in KEPT_CELL_MAGICS):
        return "\n".join("pass" if i == 0 else "" for i in range(len(lines)))
    if first.startswith("%%"):
        lines[0] = "pass"
    candidates = [i for i, line in enumerate(lines) if _LINE_MAGIC.match(line)]
    if not candidates:
        return "\n".join(lines)
    inside = _continuation_lines("\n".join(lines))
    if inside is None:  # the IPython lines themselves upset the tokenizer: try without them
        blanked = "\n".join("" if i in candidates else line for i, line in enumerate(lines))
        inside = _continuation_lines(blanked, unfinished_ok=True) or set()
    for i in candidates:
        if i not in inside:
            line = lines[i]
            lines[i] = line[: len(line) - len(line.lstrip())] + "pass"
    return "\n".join(lines)


def _continuation_lines(source: str, unfinished_ok: bool = False) -> set[int] | None:
    """0-based lines that continue a statement begun above (in a string, brackets, after ``\\``).

    None when the source cannot be tokenized, unless ``unfinished_ok``: then a statement
    left open at the end runs to the last line.
    """
    inside: set[int] = set()
    start: int | None = None
    ignorable = (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.ENDMARKER:
                break
            if token.type == tokenize.NEWLINE:
                if start is not None:
                    inside.update(range(start, token.start[0]))
                start = None
            elif start is None and token.type not in ignorable:
                start = token.start[0]
    except (tokenize.TokenError, SyntaxError):
        if not unfinished_ok:
            return None
        if start is not None:
            inside.update(range(start, source.count("\n") + 1))
    return inside


def locate(source: str, line: int) -> tuple[int, str, int] | None:
    """Where ``line`` of an assembled module is in the notebook, as Jupyter users see it:
    (position among the code cells, the cell's first line, line in that cell), or None."""
    lines = source.split("\n")
    for index in range(min(line, len(lines)) - 1, -1, -1):
        if CELL_MARKER.match(lines[index]):
            if index == line - 1:
                return None
            position = sum(1 for text in lines[: index + 1] if CELL_MARKER.match(text))
            following = lines[index + 1 :]
            end = next((i for i, text in enumerate(following) if CELL_MARKER.match(text)), None)
            first = next((text.strip() for text in following[:end] if text.strip()), "")
            first = first if len(first) <= 40 else first[:37] + "..."
            return position, first, line - 1 - index
    return None


def cell_text(where: tuple[int, str, int]) -> str:
    """'code cell 4, "def sigmoid(z):", line 9': Jupyter numbers no cells, so the count is
    among code cells (markdown cells are not counted) and the first line tells it apart."""
    position, first, line = where
    return f"code cell {position}, {json.dumps(first, ensure_ascii=False)}, line {line}"


def relabel(result: ExerciseResult, source: str, notebook_name: str) -> ExerciseResult:
    """Say 'code cell 3, "def relu(z):", line 3' where messages name a line of the assembled module.

    "activations.py, line N" is relabelled everywhere; a bare "line N" only in messages
    about the learner's code (the exercise's own message, checks that raised or timed out),
    never in a check's description of a wrong answer.
    """
    pattern = re.compile(
        rf"(?P<file>\b{re.escape(result.exercise)}\.(?:py|ipynb), )?\bline (?P<line>\d+)\b"
    )

    def in_cells(message: str, learner_code: bool) -> str:
        def replace(found: re.Match[str]) -> str:
            where = locate(source, int(found.group("line")))
            if where is None or not (found.group("file") or learner_code):
                return found.group(0)
            prefix = f"{notebook_name}, " if found.group("file") else ""
            return prefix + cell_text(where)

        return pattern.sub(replace, message).replace(f"{result.exercise}.py", notebook_name)

    result.message = in_cells(result.message, True)
    if result.status == "error" and "raised while being imported" in result.message:
        result.message += (
            f"\n(every code cell runs when a notebook is graded: keep trial calls in cells "
            f"whose first line is `{SKIP_MARKER}`)"
        )
    for check in result.checks:
        check.message = in_cells(check.message, check.status != "failed")
    return result


# --- the stub notebook -----------------------------------------------------------------------

HOW_TO = """\
### How to work in this notebook

1. Run the first code cell (the imports), then fill in each function in its own cell and run it.
2. Each function is followed by a cell to try it. Cells whose first line is `{marker}` are
   **not graded**: use them for experiments. Every other code cell is part of your answer,
   so keep trial calls out of them (they would run when your work is graded).
3. Save the notebook (Ctrl+S / Cmd+S), then run the grading cell at the end, or
   `nnlab grade {slug}` in a terminal. nnlab grades the file as saved on disk.
4. This notebook must stand alone: it is graded by itself, so an import of another
   exercise's file fails when graded. Copy what you need from an earlier exercise.
"""

GRADE_INTRO = """\
### Grade your work

Save the notebook first: the checks run on the saved file, in a separate process,
exactly as `nnlab grade {slug}` does in a terminal.
"""

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
LANGUAGE_INFO = {
    "name": "python",
    "mimetype": "text/x-python",
    "file_extension": ".py",
    "codemirror_mode": {"name": "ipython", "version": 3},
    "pygments_lexer": "ipython3",
    "nbconvert_exporter": "python",
}


@dataclass
class _Chunk:
    kind: str  # setup | function | main
    text: str
    name: str = ""
    docstring: str = ""


def _chunks(source: str) -> tuple[str, list[_Chunk]]:
    """The module docstring, then the module cut into setup code, functions and a __main__ block."""
    tree = ast.parse(source)
    lines = source.splitlines()
    docstring = ast.get_docstring(tree, clean=True) or ""
    body = list(tree.body)
    if docstring and body:
        previous_end = body.pop(0).end_lineno or 0
    else:
        previous_end = 0
    chunks: list[_Chunk] = []
    for position, node in enumerate(body):
        end = len(lines) if position == len(body) - 1 else (node.end_lineno or previous_end)
        text = "\n".join(lines[previous_end:end]).strip("\n")
        previous_end = end
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            chunks.append(_Chunk("function", text, node.name, ast.get_docstring(node) or ""))
        elif _is_main_block(node):
            chunks.append(_Chunk("main", text))
        elif chunks and chunks[-1].kind == "setup":
            chunks[-1].text += "\n" + text
        else:
            chunks.append(_Chunk("setup", text))
    return docstring, chunks


def _is_main_block(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.If)
        and isinstance(node.test, ast.Compare)
        and isinstance(node.test.left, ast.Name)
        and node.test.left.id == "__name__"
    )


def try_cell_source(name: str, docstring: str) -> str:
    """A cell (not graded) that runs the worked examples of the function's docstring."""
    import doctest  # speed: it imports pdb and unittest; only writing a stub needs it

    head = f"{SKIP_MARKER} (try {name} here; this cell is not graded)"
    try:
        examples = doctest.DocTestParser().get_examples(docstring)
    except ValueError:
        examples = []
    if not examples:
        return f"{head}\n# {name}(...)"
    body = []
    for position, example in enumerate(examples):
        code = example.source.rstrip("\n")
        last = position == len(examples) - 1
        if not last and "\n" not in code and _is_expression(code):
            code = f"print({code})"
        want = [line for line in example.want.rstrip("\n").split("\n") if line]
        if len(want) == 1 and "\n" not in code:
            body.append(f"{code}  # expected: {want[0].strip()}")
        else:
            body.append(code)
            body += [
                f"# expected: {line}" if i == 0 else f"#           {line}"
                for i, line in enumerate(want)
            ]
    return "\n".join([head, *body])


def _is_expression(code: str) -> bool:
    try:
        ast.parse(code, mode="eval")
    except SyntaxError:
        return False
    return True


def build_notebook(exercise: catalog.Exercise, source: str) -> str:
    """An nbformat 4 notebook for ``exercise`` made from a module's ``source`` (stub or answer)."""
    import nbformat
    from nbformat import v4

    docstring, chunks = _chunks(source)
    slug = exercise.slug

    def meta(role: str, **more: str) -> dict[str, Any]:
        return {"nnlab": {"exercise": slug, "role": role, **more}}

    intro = f"# {exercise.title}\n\n*nnlab exercise `{slug}`: {exercise.topic}.*"
    if docstring:
        intro += "\n\n" + docstring
    cells = [
        v4.new_markdown_cell(intro, id="instructions", metadata=meta("instructions")),
        v4.new_markdown_cell(
            HOW_TO.format(marker=SKIP_MARKER, slug=slug).strip(),
            id="how-to",
            metadata=meta("how-to"),
        ),
    ]
    contract = set(exercise.functions)
    setups = 0
    for chunk in chunks:
        if chunk.kind == "setup":
            setups += 1
            cells.append(v4.new_code_cell(chunk.text, id=f"setup-{setups}", metadata=meta("setup")))
        elif chunk.kind == "main":
            cells.append(
                v4.new_code_cell(
                    f"{SKIP_MARKER} (runs only here, never when graded)\n{chunk.text}",
                    id="main-block",
                    metadata=meta("try"),
                )
            )
        elif chunk.name in contract:
            cells.append(
                v4.new_code_cell(
                    chunk.text, id=chunk.name, metadata=meta("function", function=chunk.name)
                )
            )
            cells.append(
                v4.new_code_cell(
                    try_cell_source(chunk.name, chunk.docstring),
                    id=f"try-{chunk.name}",
                    metadata=meta("try", function=chunk.name),
                )
            )
        else:
            cells.append(
                v4.new_code_cell(chunk.text, id=f"helper-{chunk.name}", metadata=meta("helper"))
            )
    cells.append(
        v4.new_markdown_cell(
            GRADE_INTRO.format(slug=slug).strip(),
            id="grade-intro",
            metadata=meta("instructions"),
        )
    )
    grade_lines = [f"{SKIP_MARKER} (grading)", "import nnlab", "", f'nnlab.grade("{slug}")']
    cells.append(v4.new_code_cell("\n".join(grade_lines), id="grade", metadata=meta("grade")))
    if exercise.picture:
        cells.append(
            v4.new_code_cell(
                f'{SKIP_MARKER} (picture)\nimport nnlab\n\nnnlab.plot("{slug}")',
                id="plot",
                metadata=meta("plot"),
            )
        )
    notebook = v4.new_notebook(
        cells=cells,
        metadata={
            "kernelspec": dict(KERNELSPEC),
            "language_info": dict(LANGUAGE_INFO),
            "nnlab": {"exercise": slug, "functions": list(exercise.functions)},
        },
    )
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"


def stub_notebook(exercise: catalog.Exercise) -> str:
    """The notebook `nnlab start EXERCISE --notebook` writes, made from the exercise's stub."""
    return build_notebook(exercise, exercise.stub_path.read_text(encoding="utf-8"))
