"""nnlab's modules import each other in one direction only: no import cycle, counting the
imports inside functions too (a function-level import hides a cycle from Python, not from a
reader), and the layers stay apart: the notebook conversion below the grader and the CLI,
the Jupyter helpers at the top beside the CLI."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "nnlab"


def module_names(package: Path) -> dict[str, Path]:
    """Dotted name -> file, for every module of the package (a package is its __init__)."""
    names = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it imports anywhere in its file: at the top, inside
    functions, under ``if TYPE_CHECKING``. ``from nnlab import grading`` imports
    ``nnlab.grading``; ``from nnlab import catalog`` (a module) likewise; ``from nnlab import
    __version__`` imports the package ``nnlab`` itself."""
    modules = module_names(package)
    root = package.name
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here.split(".")[: len(here.split(".")) - node.level + 1]
                    source = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    source = node.module or ""
                targets = [
                    f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
                    for alias in node.names
                ]
            else:
                continue
            for target in targets:
                if target.split(".")[0] != root:
                    continue
                while target not in modules:  # `import nnlab.sandbox.launcher.x`: the module
                    target = target.rpartition(".")[0]
                graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (a -> b -> ... -> a) through each strongly connected group of modules."""
    found: list[list[str]] = []
    state: dict[str, str] = {}  # "open" while on the current path, "done" after
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = "open"
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module)
    return found


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in graph[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def test_nnlab_has_no_import_cycle() -> None:
    found = cycles(import_graph(PACKAGE))
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in found)


def test_a_cycle_hidden_inside_a_function_is_found(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("VERSION = '1'\n")
    (package / "low.py").write_text("from pkg import VERSION\n")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "mid.py").write_text("from .. import low\n")
    (package / "top.py").write_text("def f():\n    from pkg.sub import mid\n")
    assert cycles(import_graph(package)) == []
    (package / "low.py").write_text("from pkg import VERSION\n\ndef g():\n    import pkg.top\n")
    assert cycles(import_graph(package)) == [["pkg.low", "pkg.top", "pkg.sub.mid", "pkg.low"]]


def test_notebook_conversion_imports_nothing_of_the_grader_or_the_cli() -> None:
    below = reachable(import_graph(PACKAGE), "nnlab.notebook")
    above = {"nnlab.cli", "nnlab.jupyter", "nnlab.grading", "nnlab.checks", "nnlab.workspace"}
    assert not below & above, below & above
    assert not any(name.startswith("nnlab.sandbox") for name in below), below


def test_only_the_package_imports_the_jupyter_helpers() -> None:
    importers = {
        name for name, targets in import_graph(PACKAGE).items() if "nnlab.jupyter" in targets
    }
    assert importers == {"nnlab"}
