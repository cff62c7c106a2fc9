"""`nnlab plot`: the learner's functions drawn over the reference, from the sandboxed child."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import types
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import EXERCISES, SOLUTIONS
from PIL import Image

from nnlab import catalog, notebook, plots
from nnlab.checks import Outcome
from nnlab.cli import cli
from nnlab.sandbox.replies import Reply

SLUG = "activations"
CURVES = [
    slug
    for slug in ("activations", "derivatives")
    if slug in catalog.slugs() and (SOLUTIONS / f"{slug}.py").is_file()
]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def curve_functions(slug: str) -> list[tuple[str, tuple[str, ...]]]:
    return [(n, p) for n, p in catalog.signatures(slug).items() if p and p[0] == "z"]


def with_wrong_curve(slug: str, folder: Path) -> str:
    """The model answer with its first function of z replaced by a flat line at 0.3."""
    name, parameters = curve_functions(slug)[0]
    source = (SOLUTIONS / f"{slug}.py").read_text()
    source += (
        f"\n\ndef {name}({', '.join(parameters)}):\n"
        "    import numpy\n\n"
        "    return numpy.zeros_like(numpy.asarray(z, dtype=float)) + 0.3\n"
    )
    (folder / f"{slug}.py").write_text(source)
    return name


@pytest.mark.parametrize("slug", CURVES)
def test_a_wrong_curve_is_visible_and_named(slug: str, tmp_path: Path) -> None:
    right, wrong = tmp_path / "right", tmp_path / "wrong"
    right.mkdir()
    wrong.mkdir()
    shutil.copyfile(SOLUTIONS / f"{slug}.py", right / f"{slug}.py")
    name = with_wrong_curve(slug, wrong)

    code, out, _ = run("plot", slug, "--dir", str(right))
    assert code == 0 and f"Wrote {right / f'{slug}.png'}" in out and "✗" not in out
    good = (right / f"{slug}.png").read_bytes()
    picture = plots.draw(slug, wrong)
    assert [note.split(":")[0] for note in picture.notes] == [name]

    width, height = Image.open(io.BytesIO(good)).size
    panels = len(curve_functions(slug))
    assert width >= 400 * min(3, panels) and height >= 300 * -(-panels // 3)
    assert Image.open(io.BytesIO(picture.png)).size == (width, height)
    difference = np.abs(pixels(good) - pixels(picture.png)).sum(axis=-1) > 60
    assert difference.mean() > 0.002, "the wrong curve should change the picture visibly"


def test_an_unfinished_stub_draws_the_reference_and_says_what_is_missing(workspace: Path) -> None:
    shutil.copyfile(EXERCISES / f"{SLUG}.py", workspace / f"{SLUG}.py")
    out_file = workspace / "pictures" / "mine.png"
    code, out, _ = run("plot", SLUG, "--dir", str(workspace), "--out", str(out_file))
    assert code == 0 and f"Wrote {out_file}" in out
    assert out.count("not implemented yet") == len(curve_functions(SLUG))
    assert Image.open(out_file).format == "PNG"


def test_the_learners_code_runs_in_the_child_not_here(workspace: Path) -> None:
    # the sandboxed child may not write to the workspace: it tells its pid by raising
    (workspace / f"{SLUG}.py").write_text(
        "import os\nraise RuntimeError(f'imported by pid {os.getpid()}')\n"
    )
    with pytest.raises(plots.PlotError) as raised:
        plots.draw(SLUG, workspace)
    found = re.search(r"imported by pid (\d+)", str(raised.value))
    assert found, str(raised.value)
    assert int(found.group(1)) != os.getpid()


def test_a_notebook_is_drawn_too_and_shows_inline(workspace: Path) -> None:
    import nnlab

    text = notebook.build_notebook(catalog.get(SLUG), (SOLUTIONS / f"{SLUG}.py").read_text())
    (workspace / f"{SLUG}.ipynb").write_text(text)
    picture = nnlab.plot(SLUG, folder=str(workspace), out=str(workspace / "nb.png"))
    assert picture._repr_png_().startswith(b"\x89PNG") and not picture.notes
    assert (workspace / "nb.png").read_bytes() == picture.png


def test_an_unfinished_notebook_is_drawn_with_cells_named(workspace: Path) -> None:
    (workspace / f"{SLUG}.ipynb").write_text(notebook.stub_notebook(catalog.get(SLUG)))
    picture = plots.draw(SLUG, workspace)
    assert len(picture.notes) == len(curve_functions(SLUG))
    # cells are named as Jupyter users count them: among the code cells, with their first line
    assert all("not implemented yet" in note and "(code cell " in note for note in picture.notes)


def test_a_notebook_that_does_not_parse_names_the_cell(workspace: Path) -> None:
    data = json.loads(notebook.stub_notebook(catalog.get(SLUG)))
    index = next(i for i, c in enumerate(data["cells"]) if c["cell_type"] == "code")
    data["cells"][index]["source"] = "import numpy as np\nx = (\n"
    (workspace / f"{SLUG}.ipynb").write_text(json.dumps(data))
    code, _, err = run("plot", SLUG, "--dir", str(workspace))
    assert code == 2 and len(err.strip().splitlines()) == 1
    position = sum(cell["cell_type"] == "code" for cell in data["cells"][: index + 1])
    assert f'code cell {position}, "import numpy as np", line 2' in err


def test_every_picture_the_catalogue_names_has_a_drawer() -> None:
    named = {exercise.picture for exercise in catalog.EXERCISES if exercise.picture}
    assert named == set(plots.PICTURES)  # none missing, none drawn for no exercise


def test_plot_errors_are_one_line_with_exit_2(workspace: Path) -> None:
    code, _, err = run("plot", SLUG, "--dir", str(workspace))
    assert code == 2 and f"nnlab start {SLUG}" in err and len(err.strip().splitlines()) == 1
    without_picture = next(slug for slug in catalog.slugs() if not plots.has_picture(slug))
    code, _, err = run("plot", without_picture, "--dir", str(workspace))
    assert code == 2 and f"there is no picture for {without_picture}" in err
    code, _, err = run("plot", "activation", "--dir", str(workspace))
    assert code == 2 and "did you mean 'activations'" in err


# --- convolution and pooling, drawn with a stand-in for the sandboxed learner -----------------


def conv2d(x, kernel, bias=None, stride=1, padding="valid"):
    n, h, w, _ = x.shape
    kh, kw, _, c_out = kernel.shape
    out = np.zeros((n, h - kh + 1, w - kw + 1, c_out))
    for i in range(h - kh + 1):
        for j in range(w - kw + 1):
            out[:, i, j, :] = np.tensordot(x[:, i : i + kh, j : j + kw, :], kernel, axes=3)
    return out


def _windows(x):
    n, h, w, c = x.shape
    return x[:, : h // 2 * 2, : w // 2 * 2].reshape(n, h // 2, 2, w // 2, 2, c)


def max_pool2d(x, pool_size=2, strides=None, padding="valid"):
    return _windows(x).max(axis=(2, 4))


def average_pool2d(x, pool_size=2, strides=None, padding="valid"):
    return _windows(x).mean(axis=(2, 4))


class StandIn:
    """Answers like the sandboxed Learner (Outcome objects), from plain functions."""

    def __init__(self, **functions) -> None:
        self.functions = functions
        self.signatures = {name: ("x", "kernel") for name in functions}

    def call(self, name, *args, **kwargs):
        reply = Reply(value=self.functions[name](*args, **kwargs))
        return Outcome(name, args, kwargs, reply, self.signatures[name])


REFERENCE = types.SimpleNamespace(
    conv2d=conv2d, max_pool2d=max_pool2d, average_pool2d=average_pool2d
)


@pytest.mark.parametrize(
    ("draw", "right", "wrong"),
    [
        (
            plots.draw_convolution,
            {"conv2d": conv2d},
            {"conv2d": lambda x, kernel: conv2d(x, kernel[::-1, ::-1])},  # a true convolution
        ),
        (
            plots.draw_pooling,
            {"max_pool2d": max_pool2d, "average_pool2d": average_pool2d},
            {"max_pool2d": average_pool2d, "average_pool2d": average_pool2d},
        ),
    ],
)
def test_feature_maps_are_drawn_beside_the_reference(draw, right, wrong) -> None:
    exercise = catalog.Exercise("stand-in", "Stand-in", "")
    good_figure, good_notes = draw(exercise, plots.Session(StandIn(**right), REFERENCE))
    bad_figure, bad_notes = draw(exercise, plots.Session(StandIn(**wrong), REFERENCE))
    good, bad = plots._png(good_figure), plots._png(bad_figure)
    assert good_notes == [] and len(bad_notes) == 1
    assert Image.open(io.BytesIO(good)).size == Image.open(io.BytesIO(bad)).size
    assert (np.abs(pixels(good) - pixels(bad)).sum(axis=-1) > 60).mean() > 0.002


def test_feature_maps_without_a_reference_still_draw_the_learners() -> None:
    exercise = catalog.Exercise("stand-in", "Stand-in", "")
    figure, notes = plots.draw_convolution(exercise, plots.Session(StandIn(conv2d=conv2d), None))
    assert notes == [] and plots._png(figure).startswith(b"\x89PNG")


# --- keras_model: the learner's plot_history figure, rendered in the child ---------------------

FAKE_KERAS_ANSWER = """
import numpy as np


class History:
    def __init__(self, epochs):
        self.history = {
            "loss": [1.0 / (e + 1) for e in range(epochs)],
            "val_loss": [1.2 / (e + 1) for e in range(epochs)],
        }


def build_model(input_dim):
    return {"input_dim": input_dim}


def train_model(model, x_train, y_train, x_val, y_val, epochs=20, batch_size=32):
    assert x_train.shape[1] == model["input_dim"]
    return History(epochs)


def plot_history(history):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5, 3))
    axes = figure.add_subplot()
    axes.plot(history.history["loss"], color="red", label="loss")
    axes.plot(history.history["val_loss"], color="green", label="val_loss")
    axes.set_xlabel("epoch")
    axes.legend()
    return figure
"""


def test_keras_history_picture_is_the_learners_own_figure(workspace: Path) -> None:
    """With a stand-in for Keras (the real exercise is graded with TensorFlow elsewhere)."""
    exercise = catalog.Exercise("keras_model_stand_in", "Keras", "")
    (workspace / f"{exercise.slug}.py").write_text(FAKE_KERAS_ANSWER)
    with plots.session(exercise, workspace) as session:
        figure, notes = plots.draw_history(exercise, session)
    drawn = pixels(plots._png(figure))
    assert notes == []
    red = (drawn[..., 0] > 200) & (drawn[..., 1] < 60) & (drawn[..., 2] < 60)
    assert red.sum() > 50, "the learner's red loss line is in the picture"

    unfinished = FAKE_KERAS_ANSWER.replace(
        "def plot_history(history):\n",
        "def plot_history(history):\n    raise NotImplementedError\n",
    )
    (workspace / f"{exercise.slug}.py").write_text(unfinished)
    with plots.session(exercise, workspace) as session:
        figure, notes = plots.draw_history(exercise, session)
    assert len(notes) == 1 and "not implemented yet" in notes[0]
    assert plots._png(figure).startswith(b"\x89PNG")


# --- the second part: gradients, optimisers, a CNN trained in the child -------------------------


@pytest.mark.parametrize(
    ("slug", "broken", "named"),
    [
        ("conv_backward", "max_gradient_shared_like_an_average", "max_pool2d_backward"),
        ("adam", "adam_without_bias_correction", "adam_update"),
    ],
)
def test_second_part_pictures_draw_the_answer_and_name_a_wrong_function(
    slug: str, broken: str, named: str, tmp_path: Path
) -> None:
    right, wrong = tmp_path / "right", tmp_path / "wrong"
    right.mkdir()
    wrong.mkdir()
    shutil.copyfile(SOLUTIONS / f"{slug}.py", right / f"{slug}.py")
    shutil.copyfile(Path(__file__).parent / "broken" / slug / f"{broken}.py", wrong / f"{slug}.py")
    good, bad = plots.draw(slug, right), plots.draw(slug, wrong)
    assert good.notes == [] and good.png.startswith(b"\x89PNG")
    assert [note.split(":")[0] for note in bad.notes] == [named]
    assert (np.abs(pixels(good.png) - pixels(bad.png)).sum(axis=-1) > 60).mean() > 0.002


def test_cnn_picture_trains_the_learners_network_and_needs_one(tmp_path: Path) -> None:
    shutil.copyfile(SOLUTIONS / "cnn_numpy.py", tmp_path / "cnn_numpy.py")
    picture = plots.draw("cnn_numpy", tmp_path)
    assert picture.notes == [] and picture.png.startswith(b"\x89PNG")
    shutil.copyfile(EXERCISES / "cnn_numpy.py", tmp_path / "cnn_numpy.py")
    with pytest.raises(plots.PlotError, match=r"needs a trained network.*not implemented yet"):
        plots.draw("cnn_numpy", tmp_path)
