"""The failing case, reproducible: ``nnlab repro`` writes a script that makes the failing call.

``.nnlab/repro/<check>.py`` imports the learner's module from the course folder, calls the
function with the exact input of the check's first failing call (arrays saved beside it as
``<check>.<name>.npy``) and prints the expected result against what came back, with the
first index where they differ. Running it needs only NumPy, in the learner's own Python:
no sandbox, no nnlab, and ``python -i`` or a debugger work on it as on any script.
"""

from __future__ import annotations

import io
import keyword
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nnlab.checks import DEFAULT_ATOL, DEFAULT_RTOL, FLOAT32_ATOL, FLOAT32_RTOL, FailingCall
from nnlab.workspace import Submission, atomic_write

REPRO_FOLDER = Path(".nnlab") / "repro"


class ReproError(Exception):
    """The failing call cannot be written as a script: one line for the learner."""


@dataclass
class Written:
    script: Path
    data: list[Path] = field(default_factory=list)


def literal(value: Any) -> str | None:
    """Python source that makes ``value`` again (plain values only), or None."""
    if value is None or isinstance(value, (bool, int, float, complex, str)):
        text = repr(value)
        return f"float({text!r})" if text in ("nan", "inf", "-inf") else text
    if isinstance(value, np.generic):
        return f"np.{type(value).__name__}({literal(value.item())})"
    if isinstance(value, (list, tuple)):
        items = [literal(item) for item in value]
        if any(item is None for item in items):
            return None
        body = ", ".join(str(item) for item in items)
        if isinstance(value, tuple):
            return f"({body}{',' if len(items) == 1 else ''})"
        return f"[{body}]"
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        items = {key: literal(item) for key, item in value.items()}
        if any(text is None for text in items.values()):
            return None
        return "{" + ", ".join(f"{key!r}: {text}" for key, text in items.items()) + "}"
    return None


def _name(text: str) -> str:
    name = re.sub(r"\W", "_", text)
    return f"{name}_" if keyword.iskeyword(name) or not name.isidentifier() else name


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def write(
    folder: Path, slug: str, check: str, call: FailingCall, submission: Submission, source: str
) -> Written:
    """Write the script of ``call`` (the first failing call of ``check``) into ``folder``."""
    target = folder / REPRO_FOLDER
    for link in (folder / ".nnlab", target):
        if link.is_symlink():
            raise ReproError(f"{link} is a symbolic link; nnlab writes only into a real folder")
    written = Written(target / f"{check}.py")
    setup: list[str] = []
    passed: list[str] = []
    names = list(call.parameter_names)
    values = [(names[i] if i < len(names) else f"arg{i}", arg) for i, arg in enumerate(call.args)]
    values += list(call.kwargs.items())
    for position, (name, value) in enumerate(values):
        variable = _name(name)
        if isinstance(value, np.ndarray) and value.dtype.kind in "biufc":
            path = target / f"{check}.{variable}.npy"
            atomic_write(path, _npy(value))
            written.data.append(path)
            setup.append(f'{variable} = np.load(HERE / "{path.name}")')
        else:
            text = literal(value)
            if text is None:
                raise ReproError(
                    f"the input {name} of {call.function} ({type(value).__name__}) cannot be "
                    "written into a script"
                )
            setup.append(f"{variable} = {text}")
        keyword_name = position >= len(call.args)
        passed.append(f"{name}={variable}" if keyword_name else variable)
    expected = _expected(call, target, check, written)
    module_note = ""
    if submission.is_notebook:  # a snapshot of the notebook's code cells, importable
        atomic_write(target / f"{slug}.py", source)
        written.data.append(target / f"{slug}.py")
        module_note = (
            f"# {submission.path.name}'s code cells as they were at `nnlab repro`: run it again "
            "after a change\n"
        )
        where = "HERE"
    else:
        where = "COURSE"
    atomic_write(
        written.script,
        _script(slug, check, call, submission, setup, passed, expected, module_note, where),
    )
    return written


def _expected(call: FailingCall, target: Path, check: str, written: Written) -> str:
    if call.comparison == "raised" or call.expected is None:
        return "expected = None  # the check failed because the call raised"
    if call.comparison == "close":
        array = np.asarray(call.expected, dtype=np.float64)
        path = target / f"{check}.expected.npy"
        atomic_write(path, _npy(array))
        written.data.append(path)
        return f'expected = np.load(HERE / "{path.name}")'
    text = literal(call.expected)
    if text is None:
        raise ReproError("the expected result cannot be written into a script")
    return f"expected = {text}"


def _tolerances(call: FailingCall) -> tuple[float, float]:
    single = any(
        isinstance(v, (np.ndarray, np.generic)) and v.dtype == np.float32
        for v in (*call.args, *call.kwargs.values())
    )
    return (FLOAT32_RTOL, FLOAT32_ATOL) if single else (DEFAULT_RTOL, DEFAULT_ATOL)


def _script(
    slug: str,
    check: str,
    call: FailingCall,
    submission: Submission,
    setup: list[str],
    passed: list[str],
    expected: str,
    module_note: str,
    where: str,
) -> str:
    rtol, atol = _tolerances(call)
    arguments = ", ".join(passed)
    variables = [part.split("=")[-1] for part in passed]
    shown = "\n".join(f'print("  {name} =", repr({name}))' for name in variables)
    return f'''"""nnlab repro: {slug} › {check}

The first call of this check that failed: {call.function} from {submission.path.name}, called
with the very input the grader used. Needs only NumPy:

    python .nnlab/repro/{check}.py
    (or python -i: to look around afterwards)
"""

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
COURSE = HERE.parent.parent
{module_note}sys.path.insert(0, str({where}))

from {slug} import {call.function}  # noqa: E402

{chr(10).join(setup)}
{expected}

np.set_printoptions(precision=8, threshold=50)
print("{call.function}({arguments}) with")
{shown}
got = {call.function}({arguments})
print("expected:", expected if expected is not None else "(a result, not an exception)")
print("got:     ", got)


def compare(got, expected):
    """What the check compared: same shape, same NaN/inf places, values within tolerance."""
    if expected is None:
        return "no error now: run `nnlab grade {slug}` again"
    if not isinstance(expected, np.ndarray):
        return "the same now" if got == expected else f"differs: expected {{expected!r}}, got {{got!r}}"
    got = np.asarray(got, dtype=np.float64)
    if got.shape != expected.shape:
        return f"the shapes differ: expected {{expected.shape}}, got {{got.shape}}"
    close = np.isclose(got, expected, rtol={rtol!r}, atol={atol!r}, equal_nan=True)
    if close.all():
        return "the same now: run `nnlab grade {slug}` again"
    index = tuple(int(i) for i in np.argwhere(~close)[0])
    where = f" at index {{list(index)}}" if index else ""
    count = int((~close).sum())
    return (
        f"first difference{{where}}: expected {{float(expected[index])!r}}, "
        f"got {{float(got[index])!r}} ({{count}} of {{close.size}} values differ)"
    )


print(compare(got, expected))
'''


# --- Keras exercises: the learner's model, as the checks read it -----------------------------------

EXAMPLE = re.compile(r">>> model = (build_\w+)\((.*)\)\s*$", re.M)


def keras_example(stub: str) -> tuple[str, str]:
    """The build function and its arguments from the stub's worked example
    (``>>> model = build_cnn((12, 12, 1), 4)``)."""
    found = EXAMPLE.search(stub)
    if not found:
        raise ReproError("this exercise's stub shows no `model = build_...(...)` example to repeat")
    return found.group(1), found.group(2)


def write_keras(
    folder: Path,
    slug: str,
    check: str,
    message: str,
    submission: Submission,
    source: str,
    stub: str,
) -> Written:
    """A script that builds the learner's model as the stub's example does and prints what
    the checks read: the layers with their settings and output shapes, the parameter count
    and the compile settings (optimizer, learning rate, loss, metrics)."""
    target = folder / REPRO_FOLDER
    for link in (folder / ".nnlab", target):
        if link.is_symlink():
            raise ReproError(f"{link} is a symbolic link; nnlab writes only into a real folder")
    function, arguments = keras_example(stub)
    written = Written(target / f"{check}.py")
    where = "COURSE"
    if submission.is_notebook:
        atomic_write(target / f"{slug}.py", source)
        written.data.append(target / f"{slug}.py")
        where = "HERE"
    said = "\n".join(f"#   {line}" for line in message.splitlines()[:6]) or "#   (see nnlab grade)"
    atomic_write(
        written.script,
        f'''"""nnlab repro: {slug} › {check}

Builds your model as the exercise's example does, {function}({arguments}), and prints what
the checks read: each layer with its settings and output shape, the parameter count and the
compile settings. Run it with python .nnlab/repro/{check}.py (TensorFlow takes a while to load).
"""

# the check said:
{said}

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
COURSE = HERE.parent.parent
sys.path.insert(0, str({where}))

import keras  # noqa: E402

from {slug} import {function}  # noqa: E402

SETTINGS = ("units", "filters", "kernel_size", "strides", "padding", "pool_size", "activation", "rate")

model = {function}({arguments})
print("{function}({arguments}) returned", type(model).__name__)
print("input shape:", model.input_shape, " output shape:", model.output_shape)
for layer in model.layers:
    config = layer.get_config()
    settings = {{key: config[key] for key in SETTINGS if key in config}}
    print(f"  {{type(layer).__name__:<20}} output {{layer.output.shape}}  {{settings}}")
print("parameters:", model.count_params())
compiled = model.get_compile_config() if model.compiled else None
if not compiled:
    print("not compiled: call model.compile(optimizer=..., loss=..., metrics=[...])")
else:
    optimizer = model.optimizer
    rate = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
    print("optimizer:", type(optimizer).__name__, f" learning_rate: {{rate:.6g}}")
    print("loss:", compiled.get("loss"))
    print("metrics:", compiled.get("metrics"))
''',
    )
    return written
