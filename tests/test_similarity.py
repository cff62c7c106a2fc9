"""`nnlab similarity`: flags similar submissions (names and comments do not matter), never grades."""

from __future__ import annotations

import shutil
from pathlib import Path

from classroom import make_class, needs_slugs
from click.testing import CliRunner
from conftest import SOLUTIONS

from nnlab import similarity
from nnlab.cli import cli

STUB = 'def area(width, height):\n    """The area."""\n    raise NotImplementedError\n'
ANSWER = """def area(width, height):
    \"\"\"The area.\"\"\"
    if width < 0 or height < 0:
        raise ValueError("sides must not be negative")
    total = 0
    for row in range(height):
        total = total + width
    return total
"""
RENAMED = """def area(width, height):
    \"\"\"The area.\"\"\"
    # my own work, honest
    if width < 0 or height < 0:
        raise ValueError("no negative sides please")

    acc = 0
    for r in range(height):
        acc = acc + width  # add one row
    return acc
"""
OTHER = """def area(width, height):
    \"\"\"The area.\"\"\"
    product = width * height
    assert product >= 0, "negative"
    return abs(product)
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_renaming_and_comments_do_not_change_the_tokens() -> None:
    assert similarity.tokens(ANSWER) == similarity.tokens(RENAMED)
    assert similarity.tokens(ANSWER) != similarity.tokens(OTHER)
    assert "exp" in similarity.tokens("y = np.exp(-z)\n")  # attribute names are kept


def test_pairs_with_most_overlap_are_listed_and_stub_code_is_ignored() -> None:
    sources = {"ann": ANSWER, "ben": RENAMED, "cat": OTHER, "dan": STUB}
    result = similarity.compare_exercise("area", sources, stub=STUB, course={})
    assert [(p.first, p.second, p.score) for p in result.pairs] == [("ann", "ben", 1.0)]
    assert result.stub_only == ["dan"]  # the untouched stub resembles everyone's stub
    assert result.submissions == 4
    everything = similarity.compare_exercise("area", sources, stub=STUB, course={}, threshold=0)
    scores = {(p.first, p.second): p.score for p in everything.pairs}
    assert scores[("ann", "cat")] < 0.5 and scores[("ann", "ben")] == 1.0


def test_submissions_are_compared_with_the_course_reference_and_model_answer() -> None:
    slug = needs_slugs()[0]
    solution = (SOLUTIONS / f"{slug}.py").read_text()
    disguised = "\n".join(line.split("#")[0].rstrip() for line in solution.splitlines()) + "\n"
    result = similarity.compare_exercise(slug, {"kim": disguised, "lee": solution})
    assert ("kim", "model answer") in [(p.first, p.second) for p in result.course]
    assert set(similarity.course_files(slug)) == {"reference", "model answer"}


def test_reaching_for_nnlab_is_flagged() -> None:
    flagged = {
        "from nnlab.checks import reference\n": "names the module nnlab",
        "import nnlab.solutions as s\n": "names the module nnlab",
        "m = __import__('nn' + 'lab')\n": "loads code dynamically (__import__)",
        "src = open('/srv/grader/reference/activations.py').read()\n": "strings naming nnlab",
        "import sys\nref = sys.modules['x']\n": "loads code dynamically (sys.modules)",
    }
    for source, reason in flagged.items():
        notes = similarity.suspicious_uses(source)
        assert any(reason in note for note in notes), (source, notes)
    assert similarity.suspicious_uses(ANSWER, STUB) == []
    assert similarity.suspicious_uses("def f(:\n  'nnlab'") != []  # a broken file still is read


def test_similarity_command_reports_flags_for_a_human(tmp_path: Path) -> None:
    slugs = needs_slugs()
    root = tmp_path / "class"
    make_class(root, slugs)
    (root / "zed").mkdir()
    shutil.copyfile(root / "alice" / f"{slugs[0]}.py", root / "zed" / f"{slugs[0]}.py")
    (root / "yan").mkdir()
    (root / "yan" / f"{slugs[0]}.py").write_text(f"from nnlab.solutions.{slugs[0]} import *\n")
    code, out, _ = run("similarity", str(root), slugs[0])
    assert code == 0
    assert (
        "FLAGS FOR A HUMAN TO REVIEW, NOT A GRADE" in out and "nothing here changes a grade" in out
    )
    assert "alice  ~  zed" in out
    assert "alice  ~  the course's model answer" in out
    assert "flag  yan: names the module nnlab" in out
    assert all(f"\n{slug} (" not in out for slug in slugs[1:])  # only the named exercise
    target = tmp_path / "similarity.txt"
    code, _, _ = run("similarity", str(root), "--out", str(target))
    assert code == 0 and "NOT A GRADE" in target.read_text()
    code, _, err = run("similarity", str(tmp_path / "absent"))
    assert code == 2 and "folder not found" in err
