"""The documentation site builds offline with `mkdocs build --strict` (a broken link, a page
missing from the navigation or a hook that fails is an error), and the pages made from the
course hold what it has: every exercise, its functions and checks, every command's help."""

from __future__ import annotations

import ast
import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from nnlab import catalog
from nnlab.cli import cli
from nnlab.plots import has_picture


def _text(page: Path) -> str:
    """The visible text of a built page (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("docs") / "site"
    unreachable = "http://127.0.0.1:9"  # nothing listens there: a build that fetches fails
    environment = {
        **os.environ,
        "http_proxy": unreachable,
        "https_proxy": unreachable,
        "HTTP_PROXY": unreachable,
        "HTTPS_PROXY": unreachable,
        "NO_MKDOCS_2_WARNING": "1",
    }
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(target)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return target


def test_every_exercise_has_a_page_with_its_functions_and_checks(site: Path) -> None:
    for position, exercise in enumerate(catalog.EXERCISES, start=1):
        text = _text(site / "exercises" / exercise.slug / "index.html")
        assert f"{position}. {exercise.title}" in text
        for function in exercise.functions:
            assert f"{function}(" in text, (exercise.slug, function)
        checks = [
            node.name.removeprefix("test_")
            for node in ast.parse(exercise.check_path.read_text(encoding="utf-8")).body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
        ]
        assert f"{len(checks)} checks share" in text
        for name in checks:
            assert name in text, (exercise.slug, name)
        picture = f"images/plots/{exercise.slug}.png"
        assert (picture in (site / "exercises" / exercise.slug / "index.html").read_text()) == (
            has_picture(exercise.slug)
        )


def test_the_exercises_table_lists_the_course_in_order(site: Path) -> None:
    text = _text(site / "exercises" / "index.html")
    positions = [text.index(exercise.topic) for exercise in catalog.EXERCISES]
    assert positions == sorted(positions)


def test_the_cli_reference_is_every_commands_help(site: Path) -> None:
    text = _text(site / "cli" / "index.html")
    from click.testing import CliRunner

    def commands(group, path):  # type: ignore[no-untyped-def]
        for name, command in group.commands.items():
            yield [*path, name], command
            if hasattr(command, "commands"):
                yield from commands(command, [*path, name])

    for path, command in commands(cli, []):
        result = CliRunner().invoke(cli, [*path, "--help"], prog_name="nnlab", terminal_width=100)
        assert result.exit_code == 0
        usage = result.output.splitlines()[0]
        assert usage.startswith("Usage: nnlab") and usage in text, path
        assert f"nnlab {' '.join(path)}" in text
        summary = (command.help or "").strip().splitlines()[0]
        assert summary in text, path


def test_the_changelog_page_is_the_changelog(site: Path) -> None:
    text = _text(site / "changelog" / "index.html")
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^#{2,3} (.+)$", changelog, re.M)
    assert headings and all(heading in text for heading in headings)


def test_getting_started_gives_the_readme_set_up_commands() -> None:
    """The two commands (learn, develop) are the same on the site and in the README
    (tests/test_learner_journey.py runs them as Getting started gives them)."""
    blocks = re.compile(r"```bash\n(.*?)\n```", re.S)
    page = blocks.findall((ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8"))
    readme = blocks.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(page) == 2 and page == readme[:2]


def test_the_readme_is_short_and_leads_to_every_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode("utf-8")) < 6 * 1024
    local = [target for target in re.findall(r"\]\(([^)#\s]+)", readme) if "://" not in target]
    assert "docs/images/report.png" in local  # the picture of a report
    for target in local:
        assert (ROOT / target).exists(), target
    pages = {f"docs/{page.relative_to(ROOT / 'docs')}" for page in (ROOT / "docs").glob("*.md")}
    assert pages - {"docs/index.md"} <= set(local), pages - set(local)
    assert "docs/exercises/index.md" in local
