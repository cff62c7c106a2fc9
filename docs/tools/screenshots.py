"""The documentation's pictures, made again from the code: `python docs/tools/screenshots.py`.

- ``docs/images/report.png``: the report of `nnlab grade activations` for an answer with one
  classic mistake (a softmax that overflows), drawn as a terminal shows it, colours included.
  The report is rendered by the same code the CLI prints with; only the terminal is drawn.
- ``docs/images/plots/<slug>.png``: what `nnlab plot <slug>` draws for the model answer, for
  every exercise that has a picture (the Keras one trains a small model: about 20 s).

Run it from a checkout (it needs ``solutions/``) after a change to the report or the plots,
and commit the PNGs. ``--only report`` skips the plots.
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "docs" / "images"
sys.path.insert(0, str(ROOT))

# the mistake shown: softmax without subtracting each row's largest score first
SOFTMAX_SHIFT = "    z = z - np.max(z, axis=axis, keepdims=True)"

# a dark terminal's palette for the SGR codes the report uses
PALETTE = {
    30: "#1e1e1e",
    31: "#f14c4c",
    32: "#23d18b",
    33: "#f5f543",
    34: "#3b8eea",
    35: "#d670d6",
    36: "#29b8db",
    37: "#e5e5e5",
    90: "#8a8a8a",
}
BACKGROUND, FOREGROUND, PROMPT = "#1e1e1e", "#d4d4d4", "#9cdcfe"
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def report_text() -> str:
    """The text report (with its colour codes) of activations with the overflowing softmax."""
    from nnlab import grading
    from nnlab.report import text

    answer = (ROOT / "solutions" / "activations.py").read_text(encoding="utf-8")
    lines = [line for line in answer.splitlines() if not line.startswith(SOFTMAX_SHIFT)]
    if len(lines) == len(answer.splitlines()):
        raise SystemExit(f"screenshots: no line starting {SOFTMAX_SHIFT!r} in the model answer")
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "activations.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
        report = grading.grade(Path(folder), ["activations"], include_missing=True)
    return text.render(report, verbose=False, commands=True)


def styled_runs(line: str) -> list[tuple[str, str, bool]]:
    """(text, colour, bold) pieces of one line with ANSI SGR codes."""
    runs, colour, bold, position = [], FOREGROUND, False, 0
    for found in SGR.finditer(line):
        if found.start() > position:
            runs.append((line[position : found.start()], colour, bold))
        for code in [int(c) for c in found.group(1).split(";") if c] or [0]:
            if code == 0:
                colour, bold = FOREGROUND, False
            elif code == 1:
                bold = True
            elif code in PALETTE:
                colour = PALETTE[code]
        position = found.end()
    if position < len(line):
        runs.append((line[position:], colour, bold))
    return runs


def draw_terminal(command: str, output: str, target: Path) -> None:
    """``$ command`` and its output, in a monospace font on a dark background, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    lines = [[("$ ", PROMPT, True), (command, FOREGROUND, True)]]
    lines += [styled_runs(line) for line in output.rstrip("\n").split("\n")]
    columns = max(sum(len(text) for text, _, _ in runs) for runs in lines)
    size, dpi, pad = 10.0, 110, 14  # points, pixels per inch, pixels around the text
    cell_width = 0.6021 * size * dpi / 72  # DejaVu Sans Mono's advance is 0.602 em
    line_height = 1.3 * size * dpi / 72
    width = columns * cell_width + 2 * pad
    height = len(lines) * line_height + 2 * pad
    figure = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi, facecolor=BACKGROUND)
    for row, runs in enumerate(lines):
        column = 0
        y = height - pad - (row + 0.8) * line_height
        for text, colour, bold in runs:
            figure.text(
                (pad + column * cell_width) / width,
                y / height,
                text,
                color=colour,
                fontfamily="DejaVu Sans Mono",
                fontsize=size,
                fontweight="bold" if bold else "normal",
            )
            column += len(text)
    target.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    figure.savefig(buffer, dpi=dpi, facecolor=BACKGROUND)
    plt.close(figure)
    small_png(buffer.getvalue(), target)
    print(f"wrote {target.relative_to(ROOT)} ({target.stat().st_size // 1024} KiB)")


def small_png(png: bytes, target: Path) -> None:
    """``png`` written with a palette of 64 colours: a third of the size, the same picture."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)


def draw_plots() -> None:
    """`nnlab plot` of the model answer, for every exercise that has a picture."""
    from nnlab import plots

    for slug in plots.pictured():
        with tempfile.TemporaryDirectory() as folder:
            shutil.copy(ROOT / "solutions" / f"{slug}.py", Path(folder, f"{slug}.py"))
            picture = plots.draw(slug, Path(folder))
        target = IMAGES / "plots" / f"{slug}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        small_png(picture.png, target)
        print(f"wrote {target.relative_to(ROOT)} ({target.stat().st_size // 1024} KiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["report", "plots"], help="make only these pictures")
    arguments = parser.parse_args()
    if arguments.only in (None, "report"):
        draw_terminal("nnlab grade activations", report_text(), IMAGES / "report.png")
    if arguments.only in (None, "plots"):
        draw_plots()


if __name__ == "__main__":
    main()
