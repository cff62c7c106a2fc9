"""nnlab: a neural-network course that grades itself.

Kept import-light on purpose: every CLI run imports this package first, and the sandboxed
child never needs anything from here. The notebook helpers below are those of
:mod:`nnlab.jupyter`, imported when first called (it brings the grader: pytest, NumPy).
"""

from __future__ import annotations

from typing import Any

from nnlab.version import DISTRIBUTION, WHEEL_PREFIX, __version__

__all__ = ["DISTRIBUTION", "WHEEL_PREFIX", "__version__", "grade", "load_ipython_extension", "plot"]


def grade(*exercises: str, folder: str = ".", record_progress: bool = True) -> Any:
    """Grade exercises from a notebook: ``nnlab.grade("activations")`` shows the report.

    With no exercise, grades every exercise file in ``folder`` (the notebook's folder).
    """
    from nnlab import jupyter  # speed: `import nnlab` stays light (see above)

    return jupyter.grade(*exercises, folder=folder, record_progress=record_progress)


def plot(exercise: str, folder: str = ".", out: str | None = None) -> Any:
    """Draw your functions over the reference ones: ``nnlab.plot("activations")``."""
    from nnlab import jupyter  # speed: `import nnlab` stays light (see above)

    return jupyter.plot(exercise, folder=folder, out=out)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext nnlab`` adds the ``%nnlab grade EXERCISE`` magic."""
    from nnlab import jupyter  # speed: `import nnlab` stays light (see above)

    jupyter.load_ipython_extension(ipython)
