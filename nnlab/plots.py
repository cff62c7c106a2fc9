"""Pictures of the learner's work beside the reference: `nnlab plot EXERCISE`.

The learner's functions run in the sandboxed child, exactly as when grading (the
learner's module is never imported here); only their plain results come back. The
reference curves come from ``grader/reference/<slug>.py`` and the comparison from the
checks' comparator, so "differs" here means what a failed check means. matplotlib is
imported only when a picture is drawn, and always draws with the Agg canvas, so the
CLI never needs a display and a notebook's own backend is left alone.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from nnlab import catalog, workspace
from nnlab.checks import (
    CheckFailed,
    Learner,
    LearnerError,
    as_numeric_array,
    expect_close,
    reference,
)
from nnlab.grading import find_syntax_error, limits_for
from nnlab.notebook import relabel
from nnlab.results import ExerciseResult
from nnlab.sandbox.launcher import Sandbox

PROBES = Path(__file__).with_name("plot_probes.py")


class PlotError(Exception):
    """The picture cannot be drawn (no file, a file that does not load, no picture for it)."""


@dataclass
class Picture:
    """A PNG of one exercise, with one note per function that does not match the reference."""

    slug: str
    png: bytes
    notes: list[str] = field(default_factory=list)

    def save(self, path: Path) -> Path:
        workspace.atomic_write(Path(path), self.png)
        return Path(path)

    def _repr_png_(self) -> bytes:
        return self.png

    def __repr__(self) -> str:
        status = "; ".join(self.notes) if self.notes else "everything matches the reference"
        return f"<nnlab picture of {self.slug}: {status}>"


# --- running the learner's functions ---------------------------------------------------------


@dataclass
class Result:
    """One call of a learner function, reduced to what a picture needs."""

    function: str
    value: np.ndarray | None = None
    problem: str = ""  # why there is nothing to draw, or how it differs from the reference
    matches: bool | None = None  # None: no reference to compare with

    @property
    def label(self) -> str:
        if self.value is None:
            if "not implemented yet" in self.problem:
                return "✗ not implemented yet"
            return "✗ raised an error" if " raised " in self.problem else "✗ cannot be drawn"
        if self.matches is None:
            return "(no reference to compare with)"
        return "✓ matches the reference" if self.matches else "✗ differs from the reference"


def _first_line(text: str, limit: int = 60) -> str:
    line = text.strip().split("\n", 1)[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


class Session:
    """The learner's module loaded in a sandboxed child, as the checks see it."""

    def __init__(
        self,
        learner: Any,
        reference: ModuleType | None,
        describe: Callable[[str], str] = str,
    ) -> None:
        self.learner = learner
        self.reference = reference
        self.describe = describe  # says "cell 5, line 3" for a notebook

    def has(self, function: str) -> bool:
        return function in self.learner.signatures

    def run(self, function: str, *args: Any, pick: int | None = None, **kwargs: Any) -> Result:
        """Call ``function`` in the child and compare with the reference (same arguments, copies).

        ``pick``: for a function that returns a tuple, the part to draw and compare.
        """
        expected = self.expected(function, *args, pick=pick, **kwargs)
        result = Result(function)
        try:
            outcome = self.learner.call(function, *args, **kwargs)
            value = outcome.value
        except LearnerError as error:
            result.problem = self.describe(str(error))
            return result
        what = outcome.call_text
        if pick is not None:
            if not isinstance(value, (tuple, list)) or len(value) <= pick:
                result.problem = f"{what} did not return a tuple with a part {pick}"
                return result
            value, what = value[pick], f"part {pick} of {what}"
        try:
            shape = expected.shape if expected is not None else np.shape(args[0])
            array = as_numeric_array(value, what, shape).astype(float)
        except CheckFailed as failure:
            result.problem = str(failure)
            return result
        if expected is not None:
            try:
                expect_close(outcome if pick is None else array, expected, what=what)
                result.matches = True
            except CheckFailed as failure:
                result.matches, result.problem = False, str(failure)
            if array.shape != expected.shape:
                return result  # nothing sensible to draw against the reference
        result.value = array
        return result

    def expected(
        self, function: str, *args: Any, pick: int | None = None, **kwargs: Any
    ) -> np.ndarray | None:
        reference_function = getattr(self.reference, function, None)
        if reference_function is None:
            return None
        copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        try:
            value = reference_function(*copies, **kwargs)
            return np.asarray(value if pick is None else value[pick], dtype=float)
        except Exception:  # a reference that does not take these arguments: draw without it
            return None


def _reference(slug: str) -> ModuleType | None:
    try:
        return reference(slug)
    except (ImportError, OSError):
        return None


@contextmanager
def session(exercise: catalog.Exercise, folder: Path) -> Iterator[Session]:
    """Load the learner's file of ``exercise`` from ``folder`` in a child; PlotError if it cannot."""
    slug = exercise.slug
    submission = workspace.find_submission(Path(folder), slug)
    if submission is None:
        raise PlotError(
            f"no {slug}.py or {slug}.ipynb in {folder} (`nnlab start {slug}` writes one)"
        )
    try:
        source = submission.source()
    except workspace.WorkspaceError as error:  # a link, not a regular file, too large
        raise PlotError(str(error)) from None
    except (OSError, ValueError) as error:
        raise PlotError(f"{submission.path.name}: {error}") from None

    def in_file_terms(message: str) -> str:
        if not submission.is_notebook:
            return message
        result = ExerciseResult(slug, submission.path.name, message=message)
        return relabel(result, source, submission.path.name).message

    problem = find_syntax_error(source, submission.path.name)
    if problem:
        raise PlotError(in_file_terms(problem))
    limits = limits_for(exercise)
    sandbox = Sandbox(
        source,
        f"{slug}.py",
        slug,
        probes=PROBES if PROBES.is_file() else None,
        load_timeout=limits.load_seconds,
    )
    try:
        sandbox.start()
        try:
            reply = sandbox.load()
        except Exception as failure:  # a time-out or crash while importing
            raise PlotError(in_file_terms(f"{slug}.py could not be loaded: {failure}")) from None
        if reply.raised is not None:
            raise PlotError(
                in_file_terms(
                    f"{slug}.py raised while being imported: {reply.raised.describe(f'{slug}.py')}"
                )
            )
        learner = Learner(
            sandbox,
            file_name=f"{slug}.py",
            signatures=catalog.signatures(slug) if exercise.stub_path.is_file() else {},
            call_timeout=limits.call_seconds,
            budget_seconds=limits.exercise_seconds,
        )
        yield Session(learner, _reference(slug), in_file_terms)
    finally:
        sandbox.close()


# --- drawing ---------------------------------------------------------------------------------

REFERENCE_STYLE = {"color": "0.55", "linewidth": 6, "alpha": 0.45, "solid_capstyle": "round"}
YOURS, WRONG = "#1f6feb", "#cf222e"


def _figure(width: float, height: float, title: str) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(title, fontsize=12)
    return figure


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _colour(result: Result) -> str:
    return WRONG if result.matches is False else YOURS


def _title(axes: Any, name: str, result: Result) -> None:
    axes.set_title(
        f"{name}\n{result.label}",
        fontsize=10,
        color=_colour(result) if result.matches is not True else "#1a7f37",
    )


def _nothing_drawn(axes: Any, result: Result) -> None:
    if result.value is None:
        text = _first_line(result.problem, 200)
        axes.text(
            0.5,
            0.08,
            _wrap(text, 38),
            transform=axes.transAxes,
            ha="center",
            va="bottom",
            fontsize=8,
            color=WRONG,
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none"},
        )


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)[:4])


CURVE_OPTIONS = {"leaky_relu": {"alpha": 0.1}, "leaky_relu_derivative": {"alpha": 0.1}}
SOFTMAX_INPUT = np.array([1.0, 2.0, 3.0, 0.5, -1.0])


def draw_curves(exercise: catalog.Exercise, session: Session) -> tuple[Any, list[str]]:
    """One panel per element-wise function of z: the reference curve, the learner's on top."""
    z = np.linspace(-5.0, 5.0, 401)  # includes z == 0, where the kinks are
    names = [
        name
        for name, parameters in catalog.signatures(exercise.slug).items()
        if parameters and parameters[0] == "z"
    ]
    columns = min(3, max(1, len(names)))
    rows = -(-len(names) // columns)
    figure = _figure(
        4.0 * columns,
        3.2 * rows + 0.5,
        f"{exercise.slug}: your functions (blue, red where they differ) over the reference (grey)",
    )
    notes = []
    for position, name in enumerate(names):
        axes = figure.add_subplot(rows, columns, position + 1)
        options = {
            key: value
            for key, value in CURVE_OPTIONS.get(name, {}).items()
            if key in catalog.signatures(exercise.slug)[name]
        }
        shown = name + "".join(f" ({key}={value})" for key, value in options.items())
        if name == "softmax":
            result = session.run(name, SOFTMAX_INPUT.copy())
            _softmax_panel(axes, result, session.expected(name, SOFTMAX_INPUT))
            shown = f"softmax of [{', '.join(f'{v:g}' for v in SOFTMAX_INPUT)}]"
        else:
            result = session.run(name, z.copy(), **options)
            _curve_panel(axes, z, result, session.expected(name, z, **options), position == 0)
        _title(axes, shown, result)
        _nothing_drawn(axes, result)
        if result.matches is not True and (result.problem or result.matches is False):
            notes.append(f"{name}: {_first_line(result.problem, 200)}")
    return figure, notes


def _curve_panel(
    axes: Any, z: np.ndarray, result: Result, expected: np.ndarray | None, legend: bool
) -> None:
    axes.axhline(0, color="0.85", linewidth=0.8, zorder=0)
    axes.axvline(0, color="0.85", linewidth=0.8, zorder=0)
    if expected is not None:
        axes.plot(z, expected, label="reference", **REFERENCE_STYLE)
    if result.value is not None:
        axes.plot(z, result.value, color=_colour(result), linewidth=1.8, label="yours")
    axes.set_xlabel("z")
    axes.set_xlim(z[0], z[-1])
    if expected is not None:
        low, high = float(np.min(expected)), float(np.max(expected))
        margin = 0.15 * (high - low or 1.0)
        axes.set_ylim(low - margin, high + margin)
    if legend:
        axes.legend(loc="best", fontsize=8)


def _softmax_panel(axes: Any, result: Result, expected: np.ndarray | None) -> None:
    positions = np.arange(len(SOFTMAX_INPUT))
    if expected is not None:
        axes.bar(positions, expected, width=0.8, color="0.75", label="reference")
    if result.value is not None and result.value.shape == SOFTMAX_INPUT.shape:
        axes.bar(positions, result.value, width=0.35, color=_colour(result), label="yours")
    axes.set_xticks(positions, [f"{v:g}" for v in SOFTMAX_INPUT])
    axes.set_xlabel("z (one row)")
    axes.set_ylim(0, 1)


# --- images: convolution and pooling ---------------------------------------------------------


def small_image(size: int = 16) -> np.ndarray:
    """A house (square body, triangular roof) in a (1, size, size, 1) image: edges in every direction."""
    rows, columns = np.mgrid[0:size, 0:size]
    middle = (size - 1) / 2
    body = (rows >= size // 2) & (rows <= size - 3) & (columns >= 3) & (columns <= size - 4)
    roof = (rows >= 2) & (rows < size // 2) & (np.abs(columns - middle) <= (rows - 1))
    image = np.where(body | roof, 1.0, 0.0) + 0.15 * (columns / size)  # a faint left-right shade
    return image[np.newaxis, :, :, np.newaxis]


VERTICAL_EDGES = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])


def _image_panel(axes: Any, image: np.ndarray, title: str, *, signed: bool, limit: float) -> None:
    if signed:
        axes.imshow(image, cmap="RdBu_r", vmin=-limit, vmax=limit)
    else:
        axes.imshow(image, cmap="gray", vmin=0, vmax=limit)
    axes.set_title(title, fontsize=10)
    axes.set_xticks([])
    axes.set_yticks([])


def _map_panel(axes: Any, name: str, result: Result, *, signed: bool, limit: float) -> None:
    if result.value is not None and result.value.ndim == 4:
        _image_panel(axes, result.value[0, :, :, 0], "", signed=signed, limit=limit)
    else:
        axes.set_xticks([])
        axes.set_yticks([])
    _title(axes, f"yours: {name}", result)
    _nothing_drawn(axes, result)


def draw_convolution(exercise: catalog.Exercise, session: Session) -> tuple[Any, list[str]]:
    """The image, the kernel, the reference's feature map and the learner's."""
    x = small_image()
    kernel = VERTICAL_EDGES[:, :, np.newaxis, np.newaxis]  # (3, 3, 1, 1)
    figure = _figure(13.0, 3.8, "convolution: conv2d(image, kernel) — yours beside the reference")
    panels = figure.subplots(1, 4)
    _image_panel(
        panels[0], x[0, :, :, 0], f"image {x.shape[1]}×{x.shape[2]}", signed=False, limit=1.2
    )
    _image_panel(panels[1], VERTICAL_EDGES, "kernel 3×3 (vertical edges)", signed=True, limit=2.5)
    for (row, column), value in np.ndenumerate(VERTICAL_EDGES):
        panels[1].text(column, row, f"{value:g}", ha="center", va="center", fontsize=11)
    result = session.run("conv2d", x.copy(), kernel.copy()) if session.has("conv2d") else None
    expected = session.expected("conv2d", x, kernel)
    limit = float(np.max(np.abs(expected))) if expected is not None else 4.0
    if expected is not None:
        _image_panel(
            panels[2], expected[0, :, :, 0], "reference feature map", signed=True, limit=limit
        )
    else:
        panels[2].set_axis_off()
    notes = []
    if result is None:
        panels[3].set_axis_off()
        notes.append("conv2d: not in your file")
    else:
        _map_panel(panels[3], "conv2d", result, signed=True, limit=limit)
        if result.matches is not True and result.problem:
            notes.append(f"conv2d: {_first_line(result.problem, 200)}")
    return figure, notes


def draw_pooling(exercise: catalog.Exercise, session: Session) -> tuple[Any, list[str]]:
    """The image with its 2×2 windows; then, one row per pooling, the reference's and the learner's."""
    x = small_image()
    names = [name for name in ("max_pool2d", "average_pool2d") if session.has(name)] or [
        "max_pool2d"
    ]
    rows = len(names)
    figure = _figure(10.5, 3.3 * rows + 0.4, "pooling (2×2 windows): yours beside the reference")
    grid = figure.add_gridspec(rows, 3)
    image_axes = figure.add_subplot(grid[:, 0])
    _image_panel(
        image_axes,
        x[0, :, :, 0],
        f"image {x.shape[1]}×{x.shape[2]}, 2×2 windows",
        signed=False,
        limit=1.2,
    )
    for edge in np.arange(-0.5, x.shape[1], 2):
        image_axes.axhline(edge, color="#d29922", linewidth=0.6)
        image_axes.axvline(edge, color="#d29922", linewidth=0.6)
    notes = []
    for row, name in enumerate(names):
        reference_axes = figure.add_subplot(grid[row, 1])
        yours_axes = figure.add_subplot(grid[row, 2])
        expected = session.expected(name, x, 2)
        if expected is not None:
            _image_panel(
                reference_axes, expected[0, :, :, 0], f"reference {name}", signed=False, limit=1.2
            )
        else:
            reference_axes.set_axis_off()
        if not session.has(name):
            yours_axes.set_axis_off()
            notes.append(f"{name}: not in your file")
            continue
        result = session.run(name, x.copy(), 2)
        _map_panel(yours_axes, name, result, signed=False, limit=1.2)
        if result.matches is not True and result.problem:
            notes.append(f"{name}: {_first_line(result.problem, 200)}")
    return figure, notes


# --- conv_backward: where the gradient flows ----------------------------------------------------


def _reference_or_off(axes: Any, expected: np.ndarray | None, title: str, **style: Any) -> None:
    if expected is None:
        axes.set_axis_off()
    else:
        _image_panel(axes, expected[0, :, :, 0], title, **style)


def draw_conv_backward(exercise: catalog.Exercise, session: Session) -> tuple[Any, list[str]]:
    """The gradient of every input pixel: for L = ½·sum(conv2d(x, kernel)²) through
    conv2d_backward, and for L = sum(max_pool2d(x)) through max_pool2d_backward."""
    x = small_image()
    kernel = VERTICAL_EDGES[:, :, np.newaxis, np.newaxis]
    conv = _conv_valid(x, kernel)  # the forward pass, drawn by nnlab
    grad_pool = np.ones((1, x.shape[1] // 2, x.shape[2] // 2, 1))
    # a faint fixed texture, so that no 2x2 window has two equal maxima (ties are ambiguous)
    textured = x + 0.05 * np.random.default_rng(0).uniform(size=x.shape)
    figure = _figure(
        13.0, 7.2, "conv_backward: the gradient of each input pixel — yours beside the reference"
    )
    panels = figure.subplots(2, 4)
    _image_panel(panels[0, 0], x[0, :, :, 0], "image x", signed=False, limit=1.2)
    limit = float(np.max(np.abs(conv)))
    _image_panel(
        panels[0, 1],
        conv[0, :, :, 0],
        "grad_out = conv2d(x, vertical edges)\n(L = ½·sum(out²))",
        signed=True,
        limit=limit,
    )
    notes = []
    rows = (
        ("conv2d_backward", (conv, x, kernel), {"pick": 0}, 0, True),
        ("max_pool2d_backward", (grad_pool, textured), {}, 1, False),
    )
    for name, arguments, options, row, signed in rows:
        expected = session.expected(name, *arguments, **options)
        scale = float(np.max(np.abs(expected))) if expected is not None else 1.0
        _reference_or_off(
            panels[row, 2],
            expected,
            f"reference grad_x of {name}",
            signed=signed,
            limit=scale or 1.0,
        )
        if not session.has(name):
            panels[row, 3].set_axis_off()
            notes.append(f"{name}: not in your file")
            continue
        result = session.run(name, *(a.copy() for a in arguments), **options)
        _map_panel(panels[row, 3], name, result, signed=signed, limit=scale or 1.0)
        if result.matches is not True and result.problem:
            notes.append(f"{name}: {_first_line(result.problem, 200)}")
    _image_panel(panels[1, 0], x[0, :, :, 0], "image x, 2×2 windows", signed=False, limit=1.2)
    for axes in (panels[1, 0], panels[1, 2], panels[1, 3]):  # one white pixel per window
        for edge in np.arange(-0.5, x.shape[1], 2):
            axes.axhline(edge, color="#d29922", linewidth=0.6)
            axes.axvline(edge, color="#d29922", linewidth=0.6)
    _image_panel(
        panels[1, 1],
        grad_pool[0, :, :, 0],
        "grad_out = 1 per window\n(L = sum(max_pool2d(x)))",
        signed=False,
        limit=1.2,
    )
    return figure, notes


def _conv_valid(x: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """conv2d, "valid", stride 1, by the formula: the picture's own forward pass."""
    from numpy.lib.stride_tricks import sliding_window_view

    windows = sliding_window_view(x, kernel.shape[:2], axis=(1, 2))
    return np.einsum("nijcab,abco->nijo", windows, kernel)


# --- adam: plain descent, momentum and Adam on the same valley -----------------------------------

VALLEY = np.array([1.0, 25.0])  # f(w) = ½·(w1² + 25·w2²): a long narrow valley along w1
VALLEY_START = np.array([-4.0, 1.2])
VALLEY_STEPS = 60
DESCENT_RATE, MOMENTUM, ADAM_RATE = 0.03, 0.7, 0.3  # plain and momentum share the rate


def _valley_loss(w: np.ndarray) -> float:
    return float(0.5 * np.sum(VALLEY * w**2))


def _follow(session: Session, function: str, settings: dict[str, Any]) -> tuple[Any, Any, str]:
    """(the reference's path, the learner's path or None, a note) over VALLEY_STEPS steps."""
    reference_step = getattr(session.reference, function, None)

    def walk(step: Callable[..., Any]) -> np.ndarray:
        w, state = VALLEY_START.copy(), [np.zeros(2)] * (2 if function == "adam_update" else 1)
        path = [w]
        for t in range(1, VALLEY_STEPS + 1):
            extra = {"t": t} if function == "adam_update" else {}
            w, *state = step(w, VALLEY * w, *state, **extra, **settings)
            w = np.asarray(w, dtype=float)
            state = [np.asarray(part, dtype=float) for part in state]
            path.append(w)
        return np.array(path)

    expected = walk(reference_step) if reference_step is not None else None
    if not session.has(function):
        return expected, None, f"{function}: not in your file"
    try:
        yours = walk(lambda *args, **kwargs: session.learner.call(function, *args, **kwargs).value)
    except (LearnerError, TypeError, ValueError) as error:
        return expected, None, f"{function}: {_first_line(session.describe(str(error)), 200)}"
    if yours.shape != (VALLEY_STEPS + 1, 2) or not np.all(np.isfinite(yours)):
        return expected, None, f"{function}: its steps do not give a point (w1, w2) each time"
    if expected is not None and not np.allclose(yours, expected, rtol=1e-5, atol=1e-7):
        return expected, yours, f"{function}: your path leaves the reference's (it is drawn in red)"
    return expected, yours, ""


def draw_adam(exercise: catalog.Exercise, session: Session) -> tuple[Any, list[str]]:
    """Plain descent, momentum and Adam from the same start on f(w) = ½·(w1² + 25·w2²): the
    paths over the contours, and the loss step by step (yours over the reference)."""
    figure = _figure(13.0, 5.2, "adam: plain descent, momentum and Adam on the same narrow valley")
    paths_axes, loss_axes = figure.subplots(1, 2)
    grid = np.linspace(-4.5, 4.5, 200), np.linspace(-1.6, 1.6, 120)
    w1, w2 = np.meshgrid(*grid)
    paths_axes.contour(w1, w2, 0.5 * (w1**2 + 25 * w2**2), levels=12, colors="0.8", linewidths=0.8)
    descent = [VALLEY_START]
    for _ in range(VALLEY_STEPS):
        descent.append(descent[-1] - DESCENT_RATE * VALLEY * descent[-1])
    descent = np.array(descent)
    runs = [("plain descent (drawn by nnlab)", descent, None, "", "#6e7781")]
    notes = []
    for function, settings, colour in (
        ("momentum_update", {"learning_rate": DESCENT_RATE, "momentum": MOMENTUM}, "#8250df"),
        ("adam_update", {"learning_rate": ADAM_RATE}, YOURS),
    ):
        expected, yours, note = _follow(session, function, settings)
        runs.append((function, expected, yours, note, colour))
        if note:
            notes.append(note)
    steps = np.arange(VALLEY_STEPS + 1)
    for label, expected, yours, note, colour in runs:
        if expected is not None:
            if yours is not None or label.startswith("plain"):
                style = (
                    {"color": colour, "linewidth": 1.2}
                    if label.startswith("plain")
                    else REFERENCE_STYLE
                )
            else:
                style = REFERENCE_STYLE
            paths_axes.plot(expected[:, 0], expected[:, 1], **style)
            loss_axes.semilogy(
                steps,
                [_valley_loss(w) for w in expected],
                **style,
                label=None if not label.startswith("plain") else label,
            )
        if yours is not None:
            drawn = WRONG if note else colour
            paths_axes.plot(
                yours[:, 0], yours[:, 1], color=drawn, linewidth=1.4, marker=".", markersize=3
            )
            loss_axes.semilogy(
                steps,
                [max(_valley_loss(w), 1e-12) for w in yours],
                color=drawn,
                linewidth=1.6,
                label=f"yours: {label}",
            )
        elif not label.startswith("plain"):
            loss_axes.plot([], [], color=WRONG, label=f"{label}: ✗ {note.split(': ', 1)[-1][:40]}")
    paths_axes.plot(*VALLEY_START, marker="o", color="black")
    paths_axes.set_title("paths from the same start (grey bands: the reference)", fontsize=10)
    paths_axes.set_xlabel("w1")
    paths_axes.set_ylabel("w2")
    loss_axes.set_title(
        f"loss per step (plain and momentum={MOMENTUM} at learning_rate={DESCENT_RATE}, "
        f"Adam at {ADAM_RATE})",
        fontsize=10,
    )
    loss_axes.set_xlabel("step")
    loss_axes.set_ylabel("f(w)")
    loss_axes.legend(fontsize=9)
    return figure, notes


# --- cnn_numpy: the learned filters and a confusion matrix ----------------------------------------


def draw_cnn_numpy(exercise: catalog.Exercise, session: Session) -> tuple[Any, list[str]]:
    """Train the learner's network on keras_cnn's pictures (in the child), then draw the eight
    learned 3×3 filters and the confusion matrix of its predictions on held-out pictures."""
    if session.reference is None or not session.has("train_cnn_numpy"):
        raise PlotError("the picture needs train_cnn_numpy and the course's image set")
    problem = session.reference.image_problem(7, n_train=600, n_test=400)
    try:
        params = session.learner.call(
            "train_cnn_numpy", problem["x_train"], problem["y_train"], 4
        ).value
        kernel = np.asarray(params["K"], dtype=float)
    except (LearnerError, TypeError, KeyError, ValueError) as error:
        raise PlotError(
            f"the picture needs a trained network, but {_first_line(session.describe(str(error)), 300)}"
        ) from None
    notes = []
    try:
        predicted = (
            np.asarray(session.learner.call("predict_classes", params, problem["x_test"]).value)
            .astype(int)
            .reshape(-1)
        )
        if predicted.shape != problem["y_test"].shape or predicted.min() < 0 or predicted.max() > 3:
            raise ValueError("predict_classes did not return one class 0..3 per picture")
        source = "your predict_classes"
    except (LearnerError, TypeError, ValueError) as error:
        notes.append(f"predict_classes: {_first_line(session.describe(str(error)), 200)}")
        predicted, source = (
            session.reference.predict_classes(params, problem["x_test"]),
            "the reference's predict_classes",
        )
    confusion = np.zeros((4, 4), dtype=int)
    np.add.at(confusion, (problem["y_test"], predicted), 1)
    accuracy = float(np.trace(confusion) / confusion.sum())
    figure = _figure(
        13.0, 5.4, f"cnn_numpy: your trained network (test accuracy {accuracy:.2f}; guessing 0.25)"
    )
    grid = figure.add_gridspec(2, 8)
    filters = kernel.shape[3] if kernel.ndim == 4 else 0
    for number in range(min(filters, 8)):
        axes = figure.add_subplot(grid[0, number])
        weights = kernel[:, :, 0, number]
        limit = float(np.max(np.abs(weights))) or 1.0
        _image_panel(axes, weights, f"filter {number}", signed=True, limit=limit)
    names = ("horizontal", "vertical", "diagonal", "square")
    axes = figure.add_subplot(grid[1, 2:6])
    axes.imshow(confusion, cmap="Blues")
    for (row, column), count in np.ndenumerate(confusion):
        axes.text(
            column,
            row,
            str(count),
            ha="center",
            va="center",
            fontsize=10,
            color="black" if count < confusion.max() / 2 else "white",
        )
    axes.set_xticks(range(4), names, fontsize=9, rotation=15)
    axes.set_yticks(range(4), names, fontsize=9)
    axes.set_xlabel(f"predicted ({source})")
    axes.set_ylabel("true shape")
    axes.set_title("confusion matrix on 400 held-out pictures", fontsize=10)
    return figure, notes


# --- keras_model: the learner's own plot_history figure -----------------------------------------

HISTORY_EPOCHS = 8


def training_data(seed: int = 0) -> tuple[np.ndarray, ...]:
    """A small binary problem that a dense network learns in a few epochs (made here, not downloaded)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(320, 6)).astype("float32")
    y = ((x[:, 0] + 0.8 * x[:, 1] * x[:, 2] - 0.5 * x[:, 3]) > 0).astype("float32")
    return x[:256], y[:256], x[256:], y[256:]


def draw_history(exercise: catalog.Exercise, session: Session) -> tuple[Any, list[str]]:
    """Train the learner's model briefly in the child and show the figure their plot_history draws.

    When plot_history does not give a figure, the history of that run is drawn here instead.
    """
    learner = session.learner
    x_train, y_train, x_val, y_val = training_data()
    try:
        model = learner.call("build_model", x_train.shape[1]).value
        history = learner.call(
            "train_model", model, x_train, y_train, x_val, y_val, epochs=HISTORY_EPOCHS
        ).value
    except LearnerError as error:
        raise PlotError(
            f"the picture needs a trained model, but {_first_line(session.describe(str(error)), 300)}"
        ) from None
    notes = []
    try:
        figure = learner.call("plot_history", history).value
        pixels = learner.probe("figure_pixels", figure).value
        image = _checked_rgba(pixels)
    except (LearnerError, ValueError) as error:
        notes.append(f"plot_history: {_first_line(session.describe(str(error)), 200)}")
        image = None
    run = f"after train_model(..., epochs={HISTORY_EPOCHS}) on a small synthetic data set"
    title = f"keras_model: your plot_history(history)\n{run}"
    if image is not None:
        height, width = image.shape[:2]
        result = _figure(max(width / 100, 6.0), height / 100 + 0.7, title)
        axes = result.add_subplot(1, 1, 1)
        axes.imshow(image)
        axes.set_axis_off()
        return result, notes
    try:
        values = learner.probe("history_values", history).value
    except LearnerError as error:
        raise PlotError(
            f"train_model did not return a History: {_first_line(str(error), 200)}"
        ) from None
    result = _figure(8.0, 4.5, f"keras_model: the history, drawn by nnlab\n{run}")
    axes = result.add_subplot(1, 1, 1)
    for key in ("loss", "val_loss"):
        series = values.get(key) if isinstance(values, dict) else None
        if isinstance(series, list) and series:
            axes.plot(range(1, len(series) + 1), series, marker="o", label=key)
    axes.set_xlabel("epoch")
    axes.set_ylabel("loss")
    axes.legend()
    axes.set_title(
        "✗ your plot_history gave no figure\n" + _first_line(notes[0].split(": ", 1)[1], 90),
        color=WRONG,
        fontsize=10,
    )
    return result, notes


def _checked_rgba(pixels: Any) -> np.ndarray:
    """The child's picture, accepted only as a sane (H, W, 4) uint8 array."""
    if not (
        isinstance(pixels, np.ndarray)
        and pixels.dtype == np.uint8
        and pixels.ndim == 3
        and pixels.shape[2] == 4
        and 0 < pixels.shape[0] * pixels.shape[1] <= 3000 * 3000
    ):
        raise ValueError("plot_history's figure could not be drawn")
    return pixels


# --- the registry ----------------------------------------------------------------------------

Drawer = Callable[[catalog.Exercise, Session], tuple[Any, list[str]]]
# the drawings an exercise's `picture` (nnlab/catalog.py) may name
PICTURES: dict[str, Drawer] = {
    "curves": draw_curves,
    "convolution": draw_convolution,
    "pooling": draw_pooling,
    "conv_backward": draw_conv_backward,
    "adam": draw_adam,
    "cnn_numpy": draw_cnn_numpy,
    "history": draw_history,
}


def has_picture(slug: str) -> bool:
    return bool(catalog.get(slug).picture)


def pictured() -> list[str]:
    """The exercises of the catalogue that have a picture, in course order."""
    return [exercise.slug for exercise in catalog.EXERCISES if exercise.picture]


def draw(slug: str, folder: Path) -> Picture:
    """Run the learner's functions of ``slug`` (in a child) and draw them beside the reference."""
    exercise = catalog.get(slug)
    if not exercise.picture:
        raise PlotError(
            f"there is no picture for {slug}; `nnlab plot` draws {', '.join(pictured())}"
        )
    with session(exercise, Path(folder)) as learner:
        figure, notes = PICTURES[exercise.picture](exercise, learner)
    return Picture(slug, _png(figure), notes)
