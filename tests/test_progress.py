"""Progress lines from a long call reach the parent for display and never change a reply."""

from __future__ import annotations

from pathlib import Path

from nnlab.sandbox.launcher import PROGRESS_LIMIT, Sandbox

PROBES = """
def count(n):
    for i in range(n):
        progress(f"epoch {i + 1}/{n}\\x1b[2J")
    return n
"""


def test_probe_progress_lines_are_shown_cleaned_and_bounded(tmp_path: Path) -> None:
    probes = tmp_path / "probes.py"
    probes.write_text(PROBES)
    seen: list[str] = []
    with Sandbox(
        "def f():\n    return 1\n", "m.py", "m", probes=probes, on_progress=seen.append
    ) as box:
        assert box.load().raised is None
        assert box.call("count", (3,), timeout=10, probe=True).value == 3
        # the escape character shown inert (nnlab.text), as every text from the child is
        assert seen == ["epoch 1/3\\x1b[2J", "epoch 2/3\\x1b[2J", "epoch 3/3\\x1b[2J"]
        seen.clear()
        assert box.call("count", (PROGRESS_LIMIT + 5,), timeout=20, probe=True).value == (
            PROGRESS_LIMIT + 5
        )
        assert len(seen) == PROGRESS_LIMIT
        assert box.call("f", timeout=10).value == 1
