"""nnlab: a neural-network course that grades itself.

Kept import-light on purpose: the CLI starts with `import nnlab`, and the
sandboxed child never needs anything from here. The notebook helpers below
import their modules only when called.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
# the name pip installs it by: `nnlab` on the public package index is an unrelated project.
# The import package and the command stay `nnlab`.
DISTRIBUTION = "nnlab-course"
WHEEL_PREFIX = DISTRIBUTION.replace("-", "_")  # wheel files: nnlab_course-<version>-...whl


def grade(*exercises: str, folder: str = ".", record_progress: bool = True) -> Any:
    """Grade exercises from a notebook: ``nnlab.grade("activations")`` shows the report.

    With no exercise, grades every exercise file in ``folder`` (the notebook's folder).
    """
    from nnlab import notebook

    return notebook.grade(*exercises, folder=folder, record_progress=record_progress)


def plot(exercise: str, folder: str = ".", out: str | None = None) -> Any:
    """Draw your functions over the reference ones: ``nnlab.plot("activations")``."""
    from nnlab import notebook

    return notebook.plot(exercise, folder=folder, out=out)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext nnlab`` adds the ``%nnlab grade EXERCISE`` magic."""
    from nnlab import notebook

    notebook.load_ipython_extension(ipython)
