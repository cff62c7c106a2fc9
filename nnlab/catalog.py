"""The course: every exercise in order, with its title and topic.

Adding an exercise means adding `exercises/<slug>.py`, `solutions/<slug>.py`,
`grader/test_<slug>.py` (and its reference) and one entry below.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from nnlab.resources import exercises_dir, grader_dir


@dataclass(frozen=True)
class Exercise:
    slug: str
    title: str
    topic: str
    uses_tensorflow: bool = False
    probes: str = ""  # grader/probes/<probes>.py, run in the child; default: the slug's own
    picture: str = ""  # what `nnlab plot` draws (a drawer of nnlab.plots.PICTURES); "": nothing

    @property
    def stub_path(self) -> Path:
        return exercises_dir() / f"{self.slug}.py"

    @property
    def check_path(self) -> Path:
        return grader_dir() / f"test_{self.slug}.py"

    @property
    def probe_path(self) -> Path:
        """Trusted helpers the checks run inside the child (may not exist)."""
        return grader_dir() / "probes" / f"{self.probes or self.slug}.py"

    @property
    def functions(self) -> tuple[str, ...]:
        """The contract's public functions, in the order the stub defines them."""
        return tuple(signatures(self.slug))


EXERCISES: tuple[Exercise, ...] = (
    Exercise("tensors", "Tensors", "rank, shape, dtype, element-wise ops, broadcasting"),
    Exercise(
        "activations",
        "Activation functions",
        "sigmoid, tanh, arctan, ReLU, leaky ReLU, softmax",
        picture="curves",
    ),
    Exercise(
        "derivatives",
        "Derivatives",
        "slopes of the activations, kinks at zero",
        picture="curves",
    ),
    Exercise("losses", "Loss functions", "mean squared error and cross-entropies"),
    Exercise(
        "dense", "A dense layer by hand", "forward and backward pass of a fully connected layer"
    ),
    Exercise(
        "convolution",
        "Convolution",
        "padding, strides, 2-D convolution",
        picture="convolution",
    ),
    Exercise(
        "pooling",
        "Pooling",
        "max and average pooling, valid and same",
        picture="pooling",
    ),
    Exercise(
        "conv_backward",
        "Backpropagation through a CNN",
        "gradients of convolution, max and average pooling",
        picture="conv_backward",
    ),
    Exercise("optimizers", "Optimizers", "mini-batches, gradient descent, RMSprop"),
    Exercise(
        "network",
        "A network from scratch",
        "a two-layer network trained by hand",
        probes="params",
    ),
    Exercise(
        "adam",
        "Momentum and Adam",
        "momentum, Adam, the two-layer network trained with Adam",
        picture="adam",
    ),
    Exercise(
        "cnn_numpy",
        "A CNN from scratch",
        "conv, relu, max pool and dense layers trained by hand on pictures",
        probes="params",
        picture="cnn_numpy",
    ),
    Exercise(
        "keras_model",
        "The Keras workflow",
        "Sequential, compile, fit, plot the history, evaluate",
        uses_tensorflow=True,
        probes="keras",
        picture="history",
    ),
    Exercise(
        "keras_cnn",
        "A small CNN in Keras",
        "Conv2D and MaxPooling2D base, dense head",
        uses_tensorflow=True,
        probes="keras",
    ),
)

_BY_SLUG = {exercise.slug: exercise for exercise in EXERCISES}


class UnknownExercise(LookupError):
    def __init__(self, name: str) -> None:
        close = difflib.get_close_matches(name, list(_BY_SLUG), n=1, cutoff=0.5)
        suggestion = f"; did you mean {close[0]!r}?" if close else ""
        super().__init__(f"unknown exercise {name!r}{suggestion} (`nnlab list` shows them all)")


def get(slug: str) -> Exercise:
    try:
        return _BY_SLUG[slug]
    except KeyError:
        raise UnknownExercise(slug) from None


def slugs() -> list[str]:
    return [exercise.slug for exercise in EXERCISES]


@cache
def signatures(slug: str) -> dict[str, tuple[str, ...]]:
    """Public function name -> parameter names, read from the stub without running it."""
    tree = ast.parse((exercises_dir() / f"{slug}.py").read_text(encoding="utf-8"))
    found: dict[str, tuple[str, ...]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            arguments = node.args
            names = [
                a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
            ]
            found[node.name] = tuple(names)
    return found
