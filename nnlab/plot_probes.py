"""Trusted helpers `nnlab plot` runs inside the sandboxed child, loaded there by path.

They turn objects that cannot cross the pipe (a matplotlib Figure, a Keras History)
into plain data. Nothing here imports nnlab, and matplotlib is imported only when a
figure is drawn.
"""

from __future__ import annotations

from typing import Any

import numpy as np

MAX_PIXELS = 3000 * 3000


def figure_pixels(figure: Any, dpi: float = 100.0) -> np.ndarray:
    """The figure as a notebook shows it (Agg, tight bounding box): (H, W, 4) uint8 RGBA."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.image import imread

    if not isinstance(figure, Figure):
        raise TypeError(f"expected a matplotlib Figure, got {type(figure).__name__}")
    width, height = figure.get_size_inches() * dpi
    if not 0 < width * height <= MAX_PIXELS:
        raise ValueError(f"the figure is {width:.0f}×{height:.0f} pixels; too large to show")
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    buffer.seek(0)
    return np.round(imread(buffer, format="png") * 255).astype(np.uint8)


def history_values(history: Any) -> dict[str, list[float]]:
    """``history.history`` as plain lists of floats."""
    values = getattr(history, "history", None)
    if not isinstance(values, dict):
        raise TypeError(f"expected a keras History, got {type(history).__name__}")
    return {str(key): [float(v) for v in series] for key, series in values.items()}
