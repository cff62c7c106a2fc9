"""MkDocs hooks: the pages made from the course itself at build time, so they cannot drift.

- one page per exercise (``exercises/<slug>.md``), in course order, from the catalogue
  (``nnlab/catalog.py``), the stub's teaching text and signatures (``exercises/<slug>.py``),
  its checks and their points (``grader/test_<slug>.py``, read without running them) and
  the picture `nnlab plot` draws (``docs/images/plots/<slug>.png``, made by
  ``docs/tools/screenshots.py``);
- the exercises' table, where a page says ``<!-- exercise-table -->``, and every picture
  `nnlab plot` draws, where a page says ``<!-- pictures -->``, and a file of the checkout,
  shown whole, where a page says ``<!-- file: PATH -->``, and the benchmark scripts with
  what each measures, where a page says ``<!-- benchmarks -->``;
- every command's ``--help``, where a page says ``<!-- cli-help -->``, and every module of
  the package with its docstring's first paragraph, where a page says ``<!-- modules -->``;
- ``changelog.md``, the project's CHANGELOG.md as it is.
"""

from __future__ import annotations

import ast
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the checkout being documented, whatever is installed

from nnlab import catalog  # noqa: E402
from nnlab.plots import has_picture  # noqa: E402
from nnlab.report.text import points  # noqa: E402
from nnlab.results import EXERCISE_HUNDREDTHS, share  # noqa: E402

TABLE_MARKER = "<!-- exercise-table -->"
PICTURES_MARKER = "<!-- pictures -->"
BENCHMARKS_MARKER = "<!-- benchmarks -->"
CLI_MARKER = "<!-- cli-help -->"
MODULES_MARKER = "<!-- modules -->"
FILE_MARKER = re.compile(r"^<!-- file: (?P<path>[^ ]+) -->$", re.M)


def on_config(config: Any) -> Any:
    """Fill the nav's Exercises section with one page per exercise, in course order."""
    for section in config["nav"]:
        if isinstance(section, dict) and "Exercises" in section:
            pages = [{exercise_title(e): f"exercises/{e.slug}.md"} for e in catalog.EXERCISES]
            section["Exercises"] = ["exercises/index.md", *pages]
    return config


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    for exercise in catalog.EXERCISES:
        content = exercise_page(exercise)
        files.append(File.generated(config, f"exercises/{exercise.slug}.md", content=content))
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    files.append(File.generated(config, "changelog.md", content=changelog))
    return files


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if TABLE_MARKER in markdown:
        markdown = markdown.replace(TABLE_MARKER, exercise_table())
    if PICTURES_MARKER in markdown:
        markdown = markdown.replace(PICTURES_MARKER, pictures())
    if MODULES_MARKER in markdown:
        markdown = markdown.replace(MODULES_MARKER, modules())
    if CLI_MARKER in markdown:
        markdown = markdown.replace(CLI_MARKER, cli_reference())
    if BENCHMARKS_MARKER in markdown:
        markdown = markdown.replace(BENCHMARKS_MARKER, benchmarks())
    return FILE_MARKER.sub(lambda found: file_block(found.group("path")), markdown)


def cli_reference() -> str:
    """Every command's ``--help``, exactly as a 100-column terminal shows it, group first."""
    import click

    from nnlab.cli import cli

    parts: list[str] = []

    def document(command: click.Command, name: str, parent: click.Context | None) -> None:
        context = click.Context(
            command, info_name=name, parent=parent, terminal_width=100, **command.context_settings
        )
        parts.append(f"## `{context.command_path}`")
        parts.append(f"```text\n{command.get_help(context)}\n```")
        if isinstance(command, click.Group):
            for sub in command.list_commands(context):
                document(command.get_command(context, sub), sub, context)

    document(cli, "nnlab", None)
    return "\n\n".join(parts)


SPHINX_ROLE = re.compile(r":\w+:`~?")


def modules() -> str:
    """Each module of the nnlab package with the first line of its docstring."""
    rows = ["| module | its one job |", "|---|---|"]
    package = ROOT / "nnlab"
    for path in sorted(package.rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        first = " ".join(docstring.split("\n\n")[0].split()).replace("|", "\\|")
        first = SPHINX_ROLE.sub("`", first)  # :mod:`x`, :class:`~a.b` -> `x`, `a.b`
        if first:
            rows.append(f"| `{name}` | {first} |")
    return "\n".join(rows)


def benchmarks() -> str:
    """Each script of benchmarks/ with the first paragraph of its docstring."""
    rows = ["| script | measures |", "|---|---|"]
    for path in sorted((ROOT / "benchmarks").glob("*.py")):
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        summary = " ".join(docstring.split("\n\n")[0].split())
        rows.append(f"| `benchmarks/{path.name}` | {summary} |")
    return "\n".join(rows)


def file_block(path: str) -> str:
    """A file of the checkout, shown whole under its name."""
    text = (ROOT / path).read_text(encoding="utf-8").rstrip("\n")
    language = {".py": "python", ".yml": "yaml", ".sh": "bash"}.get(Path(path).suffix, "text")
    return f'```{language} title="{path}"\n{text}\n```'


# --- the pages -----------------------------------------------------------------------------------


def number(exercise: catalog.Exercise) -> int:
    return catalog.EXERCISES.index(exercise) + 1


def exercise_title(exercise: catalog.Exercise) -> str:
    return f"{number(exercise)}. {exercise.title}"


def exercise_table() -> str:
    rows = ["| # | exercise | topic | functions | |", "|---|---|---|---|---|"]
    for exercise in catalog.EXERCISES:
        functions = ", ".join(f"`{name}`" for name in exercise.functions)
        kind = "Keras" if exercise.uses_tensorflow else "NumPy"
        rows.append(
            f"| {number(exercise)} | [`{exercise.slug}`]({exercise.slug}.md) | {exercise.topic} "
            f"| {functions} | {kind} |"
        )
    return "\n".join(rows)


def pictures() -> str:
    """Every picture `nnlab plot` draws, for a page at the top of the site."""
    parts = []
    for exercise in catalog.EXERCISES:
        if has_picture(exercise.slug):
            parts += [
                f"### [{exercise_title(exercise)}](exercises/{exercise.slug}.md)",
                f"![nnlab plot {exercise.slug}](images/plots/{exercise.slug}.png)",
            ]
    return "\n\n".join(parts)


def exercise_page(exercise: catalog.Exercise) -> str:
    slug = exercise.slug
    stub = ast.parse(exercise.stub_path.read_text(encoding="utf-8"))
    kind = (
        "Keras and TensorFlow, trained in the grading child"
        if exercise.uses_tensorflow
        else "NumPy only"
    )
    parts = [
        f"# {exercise_title(exercise)}",
        f"*`{slug}`: {exercise.topic}. {kind}; 100 points.*",
        "```bash\n"
        f"nnlab start {slug}      # writes {slug}.py (add --notebook for {slug}.ipynb)\n"
        f"nnlab grade {slug}      # runs its checks\n"
        + (
            f"nnlab plot {slug}       # draws your functions beside the reference\n"
            if has_picture(slug)
            else ""
        )
        + "```",
        teaching_text(ast.get_docstring(stub) or ""),
        "## The functions",
        *function_sections(exercise, stub),
        "## What is checked",
        checks_section(exercise),
    ]
    if has_picture(slug):
        parts += [
            "## The picture",
            f"`nnlab plot {slug}` draws your functions beside the reference ones (here the "
            "model answer's, so they match everywhere):",
            f"![nnlab plot {slug}](../images/plots/{slug}.png)",
        ]
    return "\n\n".join(parts) + "\n"


def teaching_text(docstring: str) -> str:
    """The stub's docstring as Markdown, without its first line ("Exercise 2 — ..."), which
    the title says. The docstrings are written for a text editor: their headings, lists and
    emphasis read as Markdown, but an indented block (a formula, a table of shapes, code in a
    list item) is shown as it is, and an arithmetic ``*`` (``2*sigmoid(2z)``) stays a star."""
    first, _, rest = docstring.partition("\n")
    lines = (rest if first.startswith("Exercise") else docstring).strip("\n").split("\n")
    out: list[str] = []
    position = 0
    while position < len(lines):
        if _indent(lines[position]) < 4:
            out.append(_literal_stars(lines[position]))
            position += 1
            continue
        end = position
        while end < len(lines) and (_indent(lines[end]) >= 4 or not lines[end].strip()):
            end += 1
        while not lines[end - 1].strip():
            end -= 1
        block = textwrap.dedent("\n".join(lines[position:end]))
        out += ["", "```text", block, "```", ""]
        position = end
    return "\n".join(out).strip()


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" ")) if line.strip() else 0


ARITHMETIC_STAR = re.compile(r"(?<=[\w)\]])\*{1,2}(?=[\w(\[])")


def _literal_stars(line: str) -> str:
    """``*`` and ``**`` between two operands escaped, outside `code`: 2*sigmoid(2z) and
    beta**t are not emphasis."""
    pieces = line.split("`")
    for index in range(0, len(pieces), 2):  # the even pieces are outside backticks
        pieces[index] = ARITHMETIC_STAR.sub(lambda stars: "\\*" * len(stars[0]), pieces[index])
    return "`".join(pieces)


def function_sections(exercise: catalog.Exercise, stub: ast.Module) -> list[str]:
    sections = []
    defined = {
        node.name: node
        for node in stub.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    for name in exercise.functions:
        node = defined[name]
        sections.append(f"### `{name}({ast.unparse(node.args)})`")
        docstring = ast.get_docstring(node) or ""
        if docstring:
            sections.append(f"```text\n{docstring}\n```")
    return sections


def graded_checks(path: Path) -> list[tuple[str, str, float]]:
    """(check, function, weight) of each ``@check`` in a check file, read without running it."""
    found = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            name = getattr(call.func, "id", getattr(call.func, "attr", "")) if call else ""
            if name != "check" or not call or not call.args:
                continue
            weights = [k.value for k in call.keywords if k.arg == "weight"]
            weight = ast.literal_eval(weights[0]) if weights else 1.0
            found.append((node.name.removeprefix("test_"), ast.literal_eval(call.args[0]), weight))
    return found


def checks_section(exercise: catalog.Exercise) -> str:
    checks = graded_checks(exercise.check_path)
    shares = share(EXERCISE_HUNDREDTHS, [weight for _, _, weight in checks])
    lines = [
        f"{len(checks)} checks share the exercise's 100 points by weight. A function's first "
        "check is its basic behaviour: while it fails, the function's other checks are "
        "*blocked* (0 points, no message of their own), unless a check names other "
        "prerequisites.",
        "",
        "| function | check | points |",
        "|---|---|---|",
    ]
    for (name, function, _), hundredths in zip(checks, shares, strict=True):
        lines.append(f"| `{function}` | `{name}` | {points(hundredths / 100)} |")
    return "\n".join(lines)
