"""What hidden checks are written with: metadata, the `learner` proxy and the comparator.

A check is a pytest test in ``grader/test_<slug>.py``::

    from nnlab.checks import check, expect_close, reference

    ref = reference("activations")

    @check("sigmoid", weight=2, hint="sigmoid(z) = 1 / (1 + exp(-z)).")
    def test_sigmoid_matches_reference(learner):
        z = np.random.default_rng(101).normal(size=(3, 4))
        expect_close(learner.call("sigmoid", z), ref.sigmoid(z.copy()))

``learner.call`` runs the learner's function in the sandboxed child and returns an
:class:`Outcome` holding plain data only; ``learner.sigmoid(z)`` is a shortcut for its
value. Every ``expect_*`` helper raises :class:`CheckFailed` with a message that says
what was expected, what came back, on which input, so the grader never needs a traceback.
"""

from __future__ import annotations

import functools
import importlib.util
import math
import numbers
import sys
import time
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any, TypeVar

import numpy as np
import pytest

from nnlab.resources import grader_dir
from nnlab.sandbox.launcher import Sandbox, wall_guard
from nnlab.sandbox.protocol import Handle, Unsupported
from nnlab.sandbox.replies import Reply, SandboxFailure
from nnlab.visibility import require as require_visibility

T = TypeVar("T")

DEFAULT_RTOL, DEFAULT_ATOL = 1e-5, 1e-7
FLOAT32_RTOL, FLOAT32_ATOL = 1e-4, 1e-6
KINDS = ("correctness", "speed")


# --- metadata --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInfo:
    function: str
    weight: float = 1.0
    kind: str = "correctness"
    hint: str = ""  # level 1 of the hints (what every format shows)
    timeout: float | None = None
    visibility: str | None = None  # None: the file's VISIBILITY, else by where it lives
    # every level, 1 to 3: the concept or mistake, the place in the computation, nearly the
    # answer; `nnlab hint` reveals them one at a time
    hints: tuple[str, ...] = ()
    # the checks (names without "test_") that must pass for this one's failure to be its
    # own; None: the first check of the same function in the file (see `check`)
    after: tuple[str, ...] | None = None


def read_only(*values: Any) -> None:
    """Make the arrays among ``values`` read-only: for inputs and expected results a check
    makes once per grading process (functools.cache) and every later grading reuses, so that
    no check can change them by mistake."""
    for value in values:
        if isinstance(value, np.ndarray):
            value.flags.writeable = False


def check(
    function: str,
    *,
    weight: float = 1.0,
    kind: str = "correctness",
    hint: str | Sequence[str],
    timeout: float | None = None,
    visibility: str | None = None,
    after: str | Sequence[str] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Tag a pytest test as a graded check of the contract function ``function``.

    ``hint`` is one text, or 1 to 3 levels that ``nnlab hint`` reveals one at a time.

    ``visibility`` (Gradescope's ``visible``, ``hidden``, ``after_due_date`` or
    ``after_published``) overrides the check file's ``VISIBILITY``; see nnlab.visibility.

    ``after`` names the checks (test function names, in the same file) that must pass
    for a failure of this one to be its own: when one of them failed too, this check is
    reported ``blocked`` (0 points, no hint, "fix <that check> first"), so that one
    mistake gives one message. By default (None) that is the first check of the same
    function in the file, its basic behaviour; the first check itself depends on
    nothing. ``after=()`` makes a check independent.
    """
    if visibility is not None:
        require_visibility(visibility, f"@check({function!r})")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if not (math.isfinite(weight) and weight > 0):  # NaN is not <= 0, and breaks the sums
        raise ValueError(f"a check's weight must be a positive number, not {weight!r}")
    if after is not None:
        after = (after,) if isinstance(after, str) else tuple(after)
        after = tuple(name.removeprefix("test_") for name in after)
    levels = hint_levels(hint, function)
    info = CheckInfo(function, float(weight), kind, levels[0], timeout, visibility, levels, after)
    return pytest.mark.nnlab_check(info=info)


def hint_levels(hint: str | Sequence[str], function: str = "") -> tuple[str, ...]:
    """``hint`` as its levels: one text is one level; a sequence holds 1 to 3 non-empty texts."""
    levels = (hint,) if isinstance(hint, str) else tuple(hint)
    if not 1 <= len(levels) <= 3 or not all(isinstance(level, str) for level in levels):
        raise ValueError(f"@check({function!r}): hint is a text or a list of 1 to 3 texts")
    levels = tuple(level.strip() for level in levels)
    if len(levels) > 1 and not all(levels):
        raise ValueError(f"@check({function!r}): each of the 1 to 3 hint levels needs a text")
    return levels


_INFO = pytest.StashKey["CheckInfo | None"]()


def check_info(item: pytest.Item) -> CheckInfo | None:
    """The CheckInfo that @check attached to a collected check (looked up once per item)."""
    if _INFO not in item.stash:
        marker = item.get_closest_marker("nnlab_check")
        item.stash[_INFO] = marker.kwargs.get("info") if marker else None
    return item.stash[_INFO]


def reference(slug: str) -> ModuleType:
    """The NumPy reference module ``grader/reference/<slug>.py`` (trusted, parent-side)."""
    name = f"nnlab_reference_{slug}"
    if name not in sys.modules:
        path = grader_dir() / "reference" / f"{slug}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"no reference module at {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


# --- errors ----------------------------------------------------------------------------------


class CheckFailed(AssertionError):
    """A wrong answer: the message says what was expected and what came back."""


class LearnerError(Exception):
    """The learner's code raised, crashed or ran out of time; ``status`` says which, and for
    a time-out ``reason`` says which limit: "cpu" (its CPU time), "idle" (no CPU time used
    for as long: asleep or blocked), "wall" (the wall-clock guard) or "budget" (the
    exercise's CPU time budget)."""

    def __init__(self, message: str, status: str = "error", reason: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason


def fail(message: str) -> None:
    raise CheckFailed(message)


# --- calls into the child --------------------------------------------------------------------


@dataclass
class Outcome:
    """One call of a learner function: its arguments (parent's copies) and the plain reply."""

    function: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    reply: Reply
    parameter_names: tuple[str, ...] = ()
    file_name: str = ""
    wall_seconds: float = 0.0
    # CPU time of the call in the child (its threads and the processes it waited for): what
    # a speed check judges, since a busy machine stretches wall_seconds and not this. For
    # one call, the larger of the child's report and what the kernel says the child used;
    # for a call of call_many, the child's report.
    cpu_seconds: float = 0.0

    @property
    def raised(self) -> Any:
        return self.reply.raised

    @property
    def warnings(self) -> list[dict[str, Any]]:
        return self.reply.warnings

    @property
    def value(self) -> Any:
        """The returned value; raises LearnerError if the function raised instead."""
        raised = self.reply.raised
        if raised is None:
            return self.reply.value
        where = raised.describe(self.file_name)
        if not raised.is_a("NotImplementedError"):
            remember_failure(self, None)
        if raised.is_a("NotImplementedError"):
            line = f" (line {raised.line})" if raised.line else ""
            raise LearnerError(
                f"{self.function} is not implemented yet: it raises NotImplementedError{line}."
            )
        inputs = self.input_text()
        inputs = f"\n{inputs}" if inputs else ""
        if raised.is_a("MemoryError"):
            raise LearnerError(
                f"{self.call_text} ran out of memory ({where}): it asked for more than "
                f"the grader's memory limit; avoid building huge intermediate arrays{inputs}"
            )
        advice = ""
        if raised.is_a("TypeError") and "keyword argument" in raised.message:
            advice = "; keep the parameter names of the stub: the checks pass some by name"
        raise LearnerError(f"{self.call_text} raised {where}{advice}{inputs}")

    @property
    def call_text(self) -> str:
        return call_text(self.function, self.args, self.kwargs, self.parameter_names)

    def _name(self, index: int) -> str:
        return _parameter(self.parameter_names, index)

    def inputs(self) -> dict[str, Any]:
        return _named(self.args, self.kwargs, self.parameter_names)

    def input_text(
        self, index: tuple[int, ...] | None = None, shape: tuple[int, ...] | None = None
    ) -> str:
        """'with z = ...' lines; for an element-wise failure, the input element at that index."""
        return input_text(self.inputs(), index, shape)


def _parameter(names: Sequence[str], index: int) -> str:
    return names[index] if index < len(names) else f"arg{index}"


def _named(args: Sequence[Any], kwargs: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    named = {_parameter(names, i): arg for i, arg in enumerate(args)}
    named.update(kwargs)
    return named


def call_text(
    function: str, args: Sequence[Any], kwargs: Mapping[str, Any], names: Sequence[str] = ()
) -> str:
    """``f(x, kernel, stride=2)``: a call by its parameters' names (keywords with values)."""
    parts = [_parameter(names, i) for i in range(len(args))]
    parts += [f"{key}={describe_short(value)}" for key, value in kwargs.items()]
    return f"{function}({', '.join(parts)})"


def input_text(
    inputs: Mapping[str, Any],
    index: tuple[int, ...] | None = None,
    shape: tuple[int, ...] | None = None,
) -> str:
    """'with z = ...' lines, one per input (see :func:`describe_input`); for an element-wise
    failure in a large array, the input element at the failing index as well."""
    lines = []
    for name, value in inputs.items():
        if isinstance(value, Handle):
            continue
        lines.append(describe_input(name, value))
        array = value if isinstance(value, np.ndarray) else None
        if (
            array is not None
            and index is not None
            and array.shape == shape
            and "\n" not in lines[-1]
        ):
            lines.append(f"  where {name}[{_index_text(index)}] = {_number(array[index])}")
    return "\n".join(lines)


FULL_VALUES = 64  # an input array of at most this many values is shown in full
FULL_LINES = 8  # ... when it takes no more lines than this (singleton axes left out)


def describe_input(name: str, value: Any) -> str:
    """How a message shows one input: 'with name = ...'.

    An array of at most FULL_VALUES values (a 4x4 image, a 3x3 kernel) is printed in full,
    its axes of length 1 left out so that an image (1, 4, 4, 1) reads as its 4x4 pixels;
    a larger one by its shape, dtype and its first values with their indices.
    """
    if not isinstance(value, np.ndarray) or value.ndim == 0 or value.size == 0:
        return f"with {name} = {describe_value(value)}"
    note = "" if value.dtype == np.float64 else f" ({value.dtype})"
    if value.size <= FULL_VALUES and value.dtype.kind in "biuf":
        kept = [axis for axis, length in enumerate(value.shape) if length != 1]
        shown = value.reshape([value.shape[axis] for axis in kept])
        body = np.array2string(shown, precision=4, max_line_width=100, threshold=FULL_VALUES)
        if body.count("\n") < FULL_LINES:
            head = f"with {name}{note} ="
            if len(kept) < value.ndim:
                axes = ", ".join(":" if axis in kept else "0" for axis in range(value.ndim))
                head = f"with {name} of shape {value.shape}{note}, {name}[{axes}] ="
            if "\n" not in body:
                return f"{head} {body}"
            return head + "\n" + "\n".join(f"  {line}" for line in body.splitlines())
    first = [
        f"{name}[{_index_text(tuple(int(i) for i in np.unravel_index(k, value.shape)))}] = "
        f"{_value_text(value.flat[k])}"
        for k in range(min(3, value.size))
    ]
    return f"with {name} of shape {value.shape}{note}: {', '.join(first)}, ..."


def _value_text(value: Any) -> str:
    return _number(value) if np.issubdtype(type(value), np.number) else repr(value)


# After a function has once run past its time limit, its later calls get at most this much
# CPU time: an endless loop then costs one full limit, not one per check.
REPEAT_TIMEOUT_SECONDS = 2.0


class Learner:
    """The learner's module as the checks see it: calls go to the sandboxed child.

    Time limits are CPU time of the child, so that a loaded machine cannot change a grade:
    ``call_timeout`` seconds per call (a check's ``timeout=``) and ``budget_seconds`` for all
    the calls of the exercise. The wall clock only guards against a child that never ends,
    at ~30 times these (nnlab.sandbox.launcher.wall_guard). A call stopped by a time limit
    is charged its whole CPU limit, so calls that sleep use up the budget too.
    """

    def __init__(
        self,
        sandbox: Sandbox,
        *,
        file_name: str,
        signatures: Mapping[str, tuple[str, ...]],
        call_timeout: float,
        budget_seconds: float,
    ) -> None:
        self._sandbox = sandbox
        self.file_name = file_name
        self.signatures = dict(signatures)
        self.default_timeout = call_timeout
        self.call_timeout = call_timeout
        self._deadline = time.monotonic() + wall_guard(budget_seconds)  # a hang guard
        self._budget = budget_seconds
        self._cpu_used = 0.0  # CPU seconds of the calls so far, against budget_seconds
        self._timed_out: set[str] = set()
        self._once: dict[Any, Any] = {}

    def once(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, run once per child of this learner: checks that judge the same long
        call (a training run) share its outcome. After a time-out or a crash killed the
        child it runs again, in a new child (the first child's objects are gone); a
        ``compute`` that raises leaves nothing behind."""
        sandbox = self._sandbox
        if sandbox.alive and (sandbox.generation, key) in self._once:
            return self._once[sandbox.generation, key]
        value = compute()
        self._once[sandbox.generation, key] = value  # the child it ran in (restarted, maybe)
        return value

    def call(self, function: str, *args: Any, **kwargs: Any) -> Outcome:
        """Call ``function(*args, **kwargs)`` in the child; never raises for the learner's exceptions."""
        return self._run(function, args, kwargs, probe=False)

    def call_many(
        self, function: str, argument_lists: Sequence[tuple[Any, ...]], **kwargs: Any
    ) -> list[Outcome]:
        """``function(*arguments, **kwargs)`` for each tuple of arguments, in ONE round trip
        to the child: for a check that tries a grid of small inputs. Each call starts from
        a clean state as with :meth:`call`; one call's time limit covers them all."""
        return self.calls(function, [(tuple(arguments), kwargs) for arguments in argument_lists])

    def calls(
        self, function: str, calls: Sequence[tuple[tuple[Any, ...], dict[str, Any]]]
    ) -> list[Outcome]:
        """:meth:`call_many` with keywords of each call's own: ``[(args, kwargs), ...]``,
        for a check that makes a few independent calls (one round trip instead of several)."""
        requests = [(tuple(args), dict(kwargs)) for args, kwargs in calls]
        if not requests:
            return []
        replies, wall = self._guarded(
            function,
            lambda timeout, cpu: self._sandbox.call_many(
                function, requests, timeout=timeout, cpu_limit=cpu
            ),
            requests,
        )
        return [
            self._outcome(function, args, call_kwargs, reply, wall / len(requests))
            for (args, call_kwargs), reply in zip(requests, replies, strict=True)
        ]

    def each(
        self, function: str, argument_lists: Sequence[tuple[Any, ...]], **kwargs: Any
    ) -> list[tuple[tuple[Any, ...], Outcome]]:
        """:meth:`call_many`, each outcome beside the arguments that made it, in order:
        ``for (x, y), got in learner.each("f", cases): ...``."""
        return list(
            zip(argument_lists, self.call_many(function, argument_lists, **kwargs), strict=True)
        )

    def probe(self, probe: str, *args: Any, **kwargs: Any) -> Outcome:
        """Run a trusted helper from the exercise's ``grader/probes/`` file in the child (e.g. describe a model)."""
        return self._run(probe, args, kwargs, probe=True)

    def __getattr__(self, function: str) -> Callable[..., Any]:
        if function.startswith("_"):
            raise AttributeError(function)
        return lambda *args, **kwargs: self.call(function, *args, **kwargs).value

    @contextmanager
    def time_limit(self, seconds: float) -> Iterator[None]:
        previous, self.call_timeout = self.call_timeout, seconds
        try:
            yield
        finally:
            self.call_timeout = previous

    def _run(
        self, function: str, args: tuple[Any, ...], kwargs: dict[str, Any], probe: bool
    ) -> Outcome:
        reply, wall = self._guarded(
            function,
            lambda timeout, cpu: self._sandbox.call(
                function, args, kwargs, timeout=timeout, probe=probe, cpu_limit=cpu
            ),
            [] if probe else [(args, kwargs)],
        )
        return self._outcome(function, args, kwargs, reply, wall)

    def _guarded(
        self,
        function: str,
        send: Callable[[float, float], Any],
        requests: Sequence[tuple[tuple[Any, ...], dict[str, Any]]] = (),
    ) -> tuple[Any, float]:
        """Run ``send(wall_timeout, cpu_limit)`` within the call's and the exercise's time
        limits; the sandbox's failures become the learner's errors (status error or timeout),
        whose message shows the call's inputs (the first of ``requests`` when there are
        several)."""
        remaining = self._budget - self._cpu_used
        wall_remaining = self._deadline - time.monotonic()
        if remaining <= 0 or wall_remaining <= 0:
            raise LearnerError(
                f"not run: this exercise used up its time budget ({self._budget:g} s of CPU time)",
                "timeout",
                "budget",
            )
        limit = self.call_timeout
        if function in self._timed_out:  # it ran past its limit once: do not wait as long again
            limit = min(limit, REPEAT_TIMEOUT_SECONDS)
        cpu_limit = min(limit, remaining)
        started = time.perf_counter()
        try:
            if not self._sandbox.alive:
                self._restart(remaining)
            reply = send(min(wall_guard(cpu_limit), wall_remaining), cpu_limit)
        except SandboxFailure as failure:
            used = self._sandbox.last_cpu_seconds
            self._cpu_used += max(used, cpu_limit) if failure.status == "timeout" else used
            message, reason = str(failure), getattr(failure, "reason", "")
            if failure.status == "timeout":
                self._timed_out.add(function)
            if failure.status == "timeout" and cpu_limit < limit:
                message += " (the exercise's time budget ran out)"
            elif failure.status == "timeout" and reason != "idle":
                message += ": look for an endless loop, or a much slower method than needed"
            raise LearnerError(
                message + self._inputs_of(function, requests), failure.status, reason
            ) from None
        self._cpu_used += self._sandbox.last_cpu_seconds
        return reply, time.perf_counter() - started

    def _inputs_of(
        self, function: str, requests: Sequence[tuple[tuple[Any, ...], dict[str, Any]]]
    ) -> str:
        """The inputs of the call that failed, for its message; of the first of several."""
        if not requests:
            return ""
        names = self.signatures.get(function, ())
        args, kwargs = requests[0]
        call = call_text(function, args, kwargs, names)
        which = (
            f"during {call}"
            if len(requests) == 1
            else (f"during one of {len(requests)} calls of {function}; the first: {call}")
        )
        inputs = input_text(_named(args, kwargs, names))
        return f"\n({which})" + (f"\n{inputs}" if inputs else "")

    def _outcome(
        self, function: str, args: tuple[Any, ...], kwargs: dict[str, Any], reply: Any, wall: float
    ) -> Outcome:
        if reply.missing:
            raise LearnerError(f"{self.file_name} has {reply.missing}: keep the name from the stub")
        return Outcome(
            function=function,
            args=args,
            kwargs=kwargs,
            reply=reply,
            parameter_names=self.signatures.get(function, ()),
            file_name=self.file_name,
            wall_seconds=wall,
            cpu_seconds=reply.cpu_seconds,
        )

    def _restart(self, remaining: float) -> None:
        self._sandbox.start()
        reply = self._sandbox.load()
        if reply.raised is not None:
            raise LearnerError(
                f"{self.file_name} failed to load again: {reply.raised.describe(self.file_name)}"
            )


# --- the failing call of a check, for `nnlab repro` --------------------------------------------


@dataclass
class FailingCall:
    """The first call of a check that failed: its inputs (the parent's copies) and the
    reference result it was compared with (None when the call raised)."""

    function: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    parameter_names: tuple[str, ...]
    expected: Any
    comparison: str  # "close" (expect_close), "equal" (expect_equal) or "raised"


_FAILING: list[FailingCall] = []  # at most one: the running check's first failing call


def remember_failure(got: Any, expected: Any, comparison: str = "raised") -> None:
    """Keep ``got``'s call (an Outcome) as the running check's failing call, if it is the first."""
    if isinstance(got, Outcome) and not _FAILING:
        _FAILING.append(
            FailingCall(
                got.function, got.args, dict(got.kwargs), got.parameter_names, expected, comparison
            )
        )


def take_failing_call() -> FailingCall | None:
    """The failing call kept since the last take (then forgotten): one per check."""
    found = _FAILING[0] if _FAILING else None
    _FAILING.clear()
    return found


def _remembers_failure(compare: Callable[..., None]) -> Callable[..., None]:
    comparison = "close" if compare.__name__ == "expect_close" else "equal"

    @functools.wraps(compare)
    def judged(got: Any, expected: Any, *args: Any, **kwargs: Any) -> None:
        try:
            compare(got, expected, *args, **kwargs)
        except CheckFailed:
            remember_failure(got, expected, comparison)
            raise

    return judged


# --- the comparator --------------------------------------------------------------------------


def _value_of(got: Any) -> Any:
    """What a check compares: an outcome's returned value (raising LearnerError if the
    learner's function raised), or ``got`` itself."""
    return got.value if isinstance(got, (Outcome, _Part)) else got


@dataclass
class _Part:
    """A part of a call's result (one array of a tuple), with the call it came from."""

    value: Any
    outcome: Outcome


def _name_of(got: Any) -> str:
    """How a message names ``got``: the call that made it, or "the result"."""
    if isinstance(got, _Part):
        return f"the result of {got.outcome.call_text}"
    return got.call_text if isinstance(got, Outcome) else "the result"


def _inputs_of(
    got: Any, index: tuple[int, ...] | None = None, shape: tuple[int, ...] | None = None
) -> str:
    outcome = got.outcome if isinstance(got, _Part) else got
    if isinstance(outcome, Outcome):
        text = outcome.input_text(index, shape)
        return f"\n{text}" if text else ""
    return ""


def tolerances(got: Any, rtol: float | None, atol: float | None) -> tuple[float, float]:
    """The contract's tolerance: looser when any input array is float32 (or float16)."""
    low_precision = False
    got = got.outcome if isinstance(got, _Part) else got
    if isinstance(got, Outcome):
        low_precision = any(
            isinstance(value, np.ndarray) and value.dtype in (np.float32, np.float16)
            for value in (*got.args, *got.kwargs.values())
        )
    default_rtol, default_atol = (
        (FLOAT32_RTOL, FLOAT32_ATOL) if low_precision else (DEFAULT_RTOL, DEFAULT_ATOL)
    )
    return (default_rtol if rtol is None else rtol, default_atol if atol is None else atol)


def as_numeric_array(
    value: Any, call: str | Callable[[], str], expected_shape: tuple[int, ...]
) -> np.ndarray:
    """``np.asarray`` of a plain returned value, or a CheckFailed that says why it is not numeric.

    ``call`` names the call in the message: text, or a function that makes it (only on failure).
    """
    if isinstance(value, (Handle, Unsupported)):
        fail(f"{_text(call)} returned {value!r}; expected an array of shape {expected_shape}.")
    if value is None:
        fail(
            f"{_text(call)} returned None; expected an array of shape {expected_shape} (is a `return` missing?)."
        )
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        fail(
            f"{_text(call)} returned {describe_value(value)}, which is not a rectangular array of numbers."
        )
    if array.dtype.kind not in "biuf":
        fail(
            f"{_text(call)} returned {describe_value(value)} (dtype {array.dtype}); expected numbers."
        )
    return array


@_remembers_failure
def expect_close(
    got: Any,
    expected: Any,
    *,
    rtol: float | None = None,
    atol: float | None = None,
    what: str | Callable[[], str] | None = None,
    hint: str | Callable[[], str] = "",
    inputs: Outcome | None = None,
) -> None:
    """Same shape exactly, same non-finite positions, values within tolerance.

    ``what`` names the result in a failure's message (by default, the call that made
    ``got``) and ``hint`` ends it; each is text, or a function that makes the text, called
    only when the check fails. ``inputs``: the call whose inputs the message shows when
    ``got`` is a part of its result (one array of a returned tuple), not the call itself.
    """
    value = _value_of(got)
    if inputs is not None and not isinstance(got, Outcome):
        got = _Part(value, inputs)

    def name() -> str:
        return _text(what) if what else _name_of(got)

    expected_array = np.asarray(expected, dtype=np.float64)
    array = as_numeric_array(value, name, expected_array.shape)
    rtol, atol = tolerances(got, rtol, atol)
    if array.shape != expected_array.shape:
        call, extra = name(), _extra(hint)
        fail(
            f"{call} returned shape {array.shape}; expected shape {expected_array.shape}"
            f"{_shape_advice(array.shape, expected_array.shape)}."
            f"{_inputs_of(got)}{extra}"
        )
    actual = np.asarray(array, dtype=np.float64)
    if actual.size >= _PIECE and _close_everywhere(actual, expected_array, rtol, atol):
        return
    with np.errstate(invalid="ignore", over="ignore"):
        close = np.abs(actual - expected_array) <= atol + rtol * np.abs(expected_array)
    finite = np.isfinite(expected_array)
    # the common case in a few passes: NaN and inf are never within a finite bound, so this
    # holds only if every value is finite and close
    if close.all() and finite.all():
        return
    both_nan = np.isnan(actual) & np.isnan(expected_array)
    same_inf = np.isinf(expected_array) & (actual == expected_array)
    ok = both_nan | same_inf | (finite & np.isfinite(actual) & close)
    if ok.all():
        return
    call, extra = name(), _extra(hint)
    bad = np.argwhere(~ok)
    index = tuple(int(i) for i in bad[0])
    got_item, expected_item = actual[index], expected_array[index]
    where = f" at index [{_index_text(index)}]" if index else ""
    count = f" ({len(bad)} of {ok.size} values differ)" if ok.size > 1 else ""
    if not np.isfinite(got_item) and np.isfinite(expected_item):
        problem = (
            f"{call} returned {_number(got_item)}{where}; expected {_number(expected_item)}{count}."
        )
    else:
        problem = f"{call} is wrong{where}: expected {_number(expected_item)}, got {_number(got_item)}{count}."
    fail(problem + _inputs_of(got, index if index else None, array.shape) + extra)


_PIECE = 1 << 15  # values compared at a time: two buffers of 256 KiB stay in the cache


def _close_everywhere(actual: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> bool:
    """For a large array: every value finite and within tolerance, judged piece by piece in
    two reused buffers (the whole-array expression makes five temporaries of its size: the
    conv2d speed check's 5.5 MB result took ~4 ms, this ~1 ms). False sends the caller to
    the full comparison, which finds and describes the first difference."""
    if np.ndim(rtol) or np.ndim(atol):
        return False
    flat_actual, flat_expected = actual.reshape(-1), expected.reshape(-1)
    difference, bound = np.empty(_PIECE), np.empty(_PIECE)
    with np.errstate(invalid="ignore", over="ignore"):
        for start in range(0, flat_actual.size, _PIECE):
            got = flat_actual[start : start + _PIECE]
            wanted = flat_expected[start : start + _PIECE]
            d, b = difference[: got.size], bound[: got.size]
            np.subtract(got, wanted, out=d)
            np.abs(d, out=d)
            np.abs(wanted, out=b)
            b *= rtol
            b += atol
            # NaN is never <= anything; an infinite bound means an infinite expected value
            if not (np.less_equal(d, b).all() and np.isfinite(b).all()):
                return False
    return True


def _text(text: str | Callable[[], str]) -> str:
    """Message text given as text, or as a function that makes it only when it is needed."""
    return text() if callable(text) else text


def _extra(hint: str | Callable[[], str]) -> str:
    text = _text(hint)
    return f"\n{text}" if text else ""


def _shape_advice(got: tuple[int, ...], expected: tuple[int, ...]) -> str:
    if got == (*expected, 1) or got == (1, *expected):
        return " (an extra axis of length 1: check reshape / keepdims)"
    if math.prod(got) == math.prod(expected):
        return " (same number of values, arranged differently)"
    return ""


@_remembers_failure
def expect_equal(got: Any, expected: Any, *, what: str | None = None, hint: str = "") -> None:
    """Exact equality of plain values (ints, strings, tuples, dicts), types included."""
    value = _value_of(got)
    reason = _difference(value, expected)
    if reason is not None:
        call = what or _name_of(got)
        extra = f"\n{hint}" if hint else ""
        fail(
            f"{call} returned {describe_value(value)}; expected {describe_value(expected)}"
            f"{f' ({reason})' if reason else ''}.{_inputs_of(got)}{extra}"
        )


def _difference(value: Any, expected: Any) -> str | None:
    """None when equal; otherwise a reason for the message ('' when the values just differ)."""
    if isinstance(expected, bool):
        if not isinstance(value, (bool, np.bool_)):
            return "a bool is expected"
        return None if bool(value) == expected else ""
    if isinstance(expected, numbers.Integral):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            return f"an int is expected, not a {type(value).__name__}"
        return None if int(value) == int(expected) else ""
    if isinstance(expected, numbers.Real):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            return f"a number is expected, not a {type(value).__name__}"
        close = math.isclose(float(value), float(expected), rel_tol=1e-9, abs_tol=1e-12)
        return None if close else ""
    if isinstance(expected, str):
        if not isinstance(value, str):
            return f"a str is expected, not a {type(value).__name__}"
        return None if value == expected else ""
    if isinstance(expected, (tuple, list)):
        kind = type(expected).__name__
        if type(value) is not type(expected):
            return f"a {kind} is expected, not a {type(value).__name__}"
        if len(value) != len(expected):
            return f"{len(expected)} items are expected, not {len(value)}"
        for position, (got_item, expected_item) in enumerate(zip(value, expected, strict=True)):
            inner = _difference(got_item, expected_item)
            if inner is not None:
                return f"item {position}: {inner}" if inner else ""
        return None
    if isinstance(expected, dict):
        if not isinstance(value, dict):
            return f"a dict is expected, not a {type(value).__name__}"
        if set(value) != set(expected):
            missing = sorted(map(str, set(expected) - set(value)))
            unexpected = sorted(map(str, set(value) - set(expected)))
            parts = [f"missing keys {missing}"] if missing else []
            parts += [f"unexpected keys {unexpected}"] if unexpected else []
            return "; ".join(parts)
        for key, expected_item in expected.items():
            inner = _difference(value[key], expected_item)
            if inner is not None:
                return f"key {key!r}: {inner}" if inner else f"key {key!r} differs"
        return None
    return None if value == expected else ""


def expect_value(got: Any, expected: Any) -> None:
    """Judge the value of ``got`` (an :class:`Outcome`): ``expected`` is the reference result
    for the same call, compared as :func:`expect_close` does, or a callable
    ``judge(outcome)`` that raises :class:`CheckFailed` (for tuple or dict results).

    Every property helper below calls this first, so a property (inputs unchanged, no
    warning, the right error) earns points only together with a right value: a function
    that does nothing has no side effects and no warnings, and must not score for that.
    """
    if expected is None:
        raise TypeError("a property check needs the reference result of the same call")
    if callable(expected):
        expected(got)
    else:
        expect_close(got, expected)


def expect_raises(
    got: Outcome, error: str = "ValueError", *, valid: tuple[Outcome, Any], hint: str = ""
) -> None:
    """The call raised ``error`` (a subclass is fine) — any other outcome fails.

    ``valid`` is ``(outcome, expected)``: a call of the same function on a VALID input, made
    in the same check, and its reference result (as for :func:`expect_value`). It is judged
    first, so that a function that raises ``error`` for every input, or is not written yet,
    earns nothing for refusing the invalid one; its message is the valid call's. Make it in
    the same round trip as the invalid calls (``learner.call_many``).
    """
    expect_value(*valid)
    extra = f"\n{hint}" if hint else ""
    raised = got.raised
    if raised is None:
        fail(
            f"{got.call_text} returned {describe_value(got.reply.value)}; expected it to raise {error}.{_inputs_of(got)}{extra}"
        )
    if raised.is_a("NotImplementedError"):
        got.value  # noqa: B018  (raises the 'not implemented yet' LearnerError)
    if not raised.is_a(error):
        fail(
            f"{got.call_text} raised {raised.describe(got.file_name)}; expected {error}.{_inputs_of(got)}{extra}"
        )


def expect_unmodified(got: Outcome, expected: Any, *, hint: str = "") -> None:
    """The call returned the right value (``expected``: the reference result of the same
    call, or a judge, see :func:`expect_value`) and left its array arguments as they were."""
    expect_value(got, expected)
    names = [got._name(i) for i in range(len(got.args))]
    after = list(got.reply.inputs_after)[: len(got.args)]
    after += [None] * (len(got.args) - len(after))  # a missing report counts as modified
    for name, before, now in zip(names, got.args, after, strict=True):
        if not isinstance(before, np.ndarray) or now is True:  # True: unchanged, said the child
            continue
        if (
            not isinstance(now, np.ndarray)
            or now.shape != before.shape
            or not np.array_equal(now, before, equal_nan=True)
        ):
            extra = f"\n{hint}" if hint else ""
            fail(
                f"{got.call_text} changed its input {name} in place{_change(name, before, now)}; "
                f"the caller's arrays must stay as they were: compute into new arrays."
                f"\n{describe_input(name, before)}{extra}"
            )


def _change(name: str, before: np.ndarray, now: Any) -> str:
    """Where an input array changed: ': z[2] was -1, is now 0', or its new shape."""
    if not isinstance(now, np.ndarray):
        return ""
    if now.shape != before.shape:
        return f": its shape became {now.shape}"
    same = now == before
    if before.dtype.kind == "f" and now.dtype.kind == "f":
        same |= np.isnan(now) & np.isnan(before)
    differ = np.argwhere(~same)
    if not len(differ):
        return ""
    index = tuple(int(i) for i in differ[0])
    where = f"{name}[{_index_text(index)}]" if index else name
    return f": {where} was {_number(before[index])}, is now {_number(now[index])}"


def expect_no_warnings(got: Outcome, expected: Any, *, hint: str = "") -> None:
    """The call returned the right value (``expected``, see :func:`expect_value`) without
    emitting a warning (an overflow in exp, a division by zero)."""
    expect_value(got, expected)
    if got.warnings:
        first = got.warnings[0]
        extra = f"\n{hint}" if hint else ""
        fail(
            f"{got.call_text} emitted {first['category']}: {first['message']}.{_inputs_of(got)}{extra}"
        )


# --- describing values -------------------------------------------------------------------------


def _index_text(index: tuple[int, ...]) -> str:
    return ", ".join(str(i) for i in index)


def _number(value: Any) -> str:
    return f"{float(value):.8g}"


def brief(value: Any, *, most: int = 6) -> str:
    """An argument on one line, for a call in a message: its values when there are at most
    ``most`` of them (and no more than two axes), else its shape and dtype."""
    if isinstance(value, np.ndarray):
        if value.size > most or value.ndim > 2:
            return f"<array of shape {value.shape}, {value.dtype}>"
        text = " ".join(np.array2string(value, precision=4, separator=", ").split())
        return text if value.dtype == np.float64 else f"{text} ({value.dtype})"
    text = repr(value)  # Python numbers, names and lists, as given
    return text if len(text) <= 80 else f"<{type(value).__name__} of {len(value)} items>"


def call_with_values(outcome: Outcome, show: Callable[[Any], str] = brief) -> str:
    """``f(x=[1, 2], stride=2)``: the call with every argument shown by ``show``."""
    names = list(outcome.parameter_names) + [f"arg{i}" for i in range(len(outcome.args))]
    parts = [f"{name}={show(arg)}" for name, arg in zip(names, outcome.args, strict=False)]
    parts += [f"{key}={show(arg)}" for key, arg in outcome.kwargs.items()]
    return f"{outcome.function}({', '.join(parts)})"


def formula_first(attempt: Callable[..., None], *values: Any) -> None:
    """Run ``attempt(*values)`` for values given as numbers, lists or float32 arrays.

    When it fails, the same values are tried as float64 arrays; if that fails too, the
    problem is the formula, not the input type, and the message says so.
    """
    try:
        attempt(*values)
    except CheckFailed as failure:
        try:
            attempt(*(np.asarray(value, dtype=np.float64) for value in values))
        except (CheckFailed, LearnerError):
            raise CheckFailed(
                f"{failure}\n(It is wrong for the same values given as float64 arrays too: "
                "fix the formula first.)"
            ) from None
        raise


def describe_short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"<array {value.shape}>" if value.size > 6 else describe_value(value)
    return describe_value(value)


def describe_value(value: Any) -> str:
    """A one-line description that fits in a message: small arrays in full, big ones by shape."""
    if isinstance(value, np.ndarray):
        if value.size <= 12:
            body = np.array2string(value, precision=6, separator=", ", max_line_width=10_000)
            return (
                f"array({body}, dtype={value.dtype})"
                if value.dtype != np.float64
                else f"array({body})"
            )
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, np.generic):
        return f"{value!r}"
    if isinstance(value, (Handle, Unsupported)):
        return repr(value)
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


__all__ = [
    "CheckFailed",
    "CheckInfo",
    "Learner",
    "LearnerError",
    "Outcome",
    "brief",
    "check",
    "describe_value",
    "expect_close",
    "expect_equal",
    "expect_no_warnings",
    "expect_raises",
    "expect_unmodified",
    "expect_value",
    "fail",
    "formula_first",
    "reference",
]
