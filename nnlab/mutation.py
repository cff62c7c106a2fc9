"""Mutants of the model answers: single-change variants, to measure what the checks catch.

Operators (each mutant makes exactly one change in one function of ``solutions/<slug>.py``):

- ``operator``: a binary or augmented operator swapped (``+``/``-``, ``*``/``/``, ``//``/``/``,
  ``**``/``*``, ``@``/``*``, ``%``/``//``);
- ``comparison``: a comparison flipped at its boundary (``<``/``<=``, ``>``/``>=``) and
  reversed (``<``/``>``, ``==``/``!=``, ``in``/``not in``, ``is``/``is not``);
- ``constant``: a number nudged (``0`` -> ``1``, ``n`` -> ``n + 1``, ``0.0`` -> ``1.0``,
  ``0.5`` -> ``0.6``, ``2.0`` -> ``3.0``, a tiny one such as ``1e-7`` -> ``1e-6``) or a
  boolean flipped;
- ``axis``: an ``axis=`` argument changed (``0`` <-> ``-1``, ``k`` -> ``0``, a tuple loses its
  last axis, a variable becomes ``-1``) or a ``keepdims=`` flipped;
- ``sibling``: a call swapped for its sibling (``sum``/``mean``, ``max``/``min``,
  ``maximum``/``minimum``, ``argmax``/``argmin``), as ``np.sum(...)`` or ``x.sum(...)``;
- ``slice``: a slice bound shifted by one (the start ``+ 1``, the stop ``- 1``);
- ``statement``: an assignment, augmented assignment or call statement replaced by ``pass``;
- ``transpose``: ``x.T``, ``np.transpose(x, ...)`` or ``x.transpose(...)`` becomes ``x``.

The Keras exercises (``keras_model``, ``keras_cnn``: each grading trains a network) get a
subset that keeps their run short and aims at the mistakes their contracts name, not at
choices the contracts leave open (:data:`KERAS_OPERATORS`):

- ``name``: a Keras or history name swapped for its classic wrong sibling (:data:`_NAMES`:
  ``"relu"`` -> ``"linear"``, ``"sigmoid"`` <-> ``"softmax"``, ``"binary_crossentropy"`` and
  ``"sparse_categorical_crossentropy"`` -> ``"categorical_crossentropy"``, ``"accuracy"`` ->
  ``"mae"``, ``"loss"`` <-> ``"val_loss"``);
- ``argument``: a keyword argument left out of a call (``validation_data=``,
  ``batch_size=``, ``activation=``, ``metrics=``, ``label=``, ...);
- ``swap``: a name swapped for its training/validation counterpart where the function has
  both (``x_train`` <-> ``x_val``, ``y_train`` <-> ``y_val``, ``loss`` <-> ``val_loss``);
- ``element``: one element left out of a list (a layer of a ``Sequential``, the metric);
- ``operator``, ``comparison``, ``statement`` as above, and ``constant`` except inside a
  capitalised call (a layer, ``Input``: units, kernel and pool sizes are the learner's choice
  within the parameter budget, judged by the trained result) other than its
  ``learning_rate=``.

A line whose comment says ``pragma: no mutate`` (mutmut's marker) gets no mutant: the Keras
model answers mark the code their contracts leave to the learner's design (the hidden layers,
what ``fit`` prints, a title), each with its reason; the report counts the mutants left out.

Nothing inside a ``raise`` statement, a string or a docstring is mutated, nor code outside
the functions. Two operators that give the same program give one mutant. Each
:class:`Mutant` knows the function it changes (``where``), the contract function it is
reported under (``function``: ``where`` itself, or the first contract function of the stub
that calls the private helper ``where``, directly or not), every contract function it can
change (``reaches``) and its unified diff against the model answer.

Why the standard library's :mod:`ast` rather than a mutation library: mutmut (3.x) and
cosmic-ray are both maintained, but their operators are not a library API (mutmut
rewrites a package into trampolines and runs pytest itself; cosmic-ray's operators work
on parso trees through its session database and plugin registry), and neither has the
mistakes that matter in NumPy code: the axis of a reduction, ``keepdims``, ``sum`` for
``mean``, a dropped transpose. With :mod:`ast` each operator is a few lines that find a
node, and the mutant is the model answer with that node's source text replaced (the
positions :mod:`ast` gives), so a diff shows the one change and nothing reformatted.

Deterministic: the mutants come in source order; ``sample`` keeps ``count`` of them chosen
by ``random.Random(seed)``.
"""

from __future__ import annotations

import ast
import difflib
import io
import random
import re
import tokenize
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from nnlab import catalog

OPERATORS = (  # in this order of preference when two give the same program
    "operator",
    "comparison",
    "axis",
    "constant",
    "sibling",
    "slice",
    "statement",
    "transpose",
    "name",
    "argument",
    "swap",
    "element",
)
NUMPY_OPERATORS = OPERATORS[:8]
KERAS_OPERATORS = ("operator", "comparison", "constant", "statement", *OPERATORS[8:])
# the Keras exercises' names and the mistake each is swapped for
_NAMES = {
    "relu": "linear",
    "sigmoid": "softmax",
    "softmax": "sigmoid",
    "binary_crossentropy": "categorical_crossentropy",
    "sparse_categorical_crossentropy": "categorical_crossentropy",
    "accuracy": "mae",
    "loss": "val_loss",
    "val_loss": "loss",
}

_BINARY = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Pow: ast.Mult,
    ast.MatMult: ast.Mult,
    ast.Mod: ast.FloorDiv,
}
_SYMBOL = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Pow: "**",
    ast.MatMult: "@",
    ast.Mod: "%",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}
# each comparison: (boundary flip, reversal); None where there is no such mutant
_COMPARISON = {
    ast.Lt: (ast.LtE, ast.Gt),
    ast.LtE: (ast.Lt, ast.GtE),
    ast.Gt: (ast.GtE, ast.Lt),
    ast.GtE: (ast.Gt, ast.LtE),
    ast.Eq: (None, ast.NotEq),
    ast.NotEq: (None, ast.Eq),
    ast.In: (None, ast.NotIn),
    ast.NotIn: (None, ast.In),
    ast.Is: (None, ast.IsNot),
    ast.IsNot: (None, ast.Is),
}
_SIBLINGS = {
    "sum": "mean",
    "mean": "sum",
    "max": "min",
    "min": "max",
    "amax": "amin",
    "amin": "amax",
    "maximum": "minimum",
    "minimum": "maximum",
    "argmax": "argmin",
    "argmin": "argmax",
}
_ATOMIC = (ast.Name, ast.Constant, ast.Call, ast.Attribute, ast.Subscript)
Position = tuple[int, int]  # (line from 1, UTF-8 byte column), as ast gives them


@dataclass(frozen=True)
class Mutant:
    slug: str
    number: int  # its place among every mutant of the exercise (source order), from 1
    operator: str  # one of OPERATORS
    where: str  # the function whose code changed
    function: str  # the contract function it is reported under
    reaches: tuple[str, ...]  # every contract function that runs the changed code
    line: int
    column: int  # from 1, in characters
    change: str  # "`>=` -> `>`"
    description: str  # "line 9, column 22: `>=` -> `>`"
    source: str  # the whole mutated module
    diff: str = field(repr=False)

    @property
    def name(self) -> str:
        return f"{self.slug}-{self.number:04d}"


@dataclass(frozen=True)
class _Edit:
    operator: str
    where: str
    start: Position
    end: Position
    new: str
    what: str  # the old and new text, for the description
    at: Position | None = None  # where the description points, when not at ``start``


class _Source:
    """The model answer's text, addressed by ast positions (lines from 1, UTF-8 byte columns)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.data = text.encode("utf-8")
        self.starts = [0]
        for line in self.data.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, position: Position) -> int:
        line, column = position
        return self.starts[line - 1] + column

    def segment(self, node: ast.AST) -> str:
        return self.between(_start(node), _end(node))

    def between(self, start: Position, end: Position) -> str:
        return self.data[self.offset(start) : self.offset(end)].decode("utf-8")

    def replaced(self, edit: _Edit) -> str:
        data = self.data[: self.offset(edit.start)] + edit.new.encode("utf-8")
        return (data + self.data[self.offset(edit.end) :]).decode("utf-8")


def _start(node: ast.AST) -> Position:
    return node.lineno, node.col_offset  # type: ignore[attr-defined]


def _end(node: ast.AST) -> Position:
    return node.end_lineno, node.end_col_offset  # type: ignore[attr-defined]


def _skipped_nodes(function: ast.FunctionDef) -> set[int]:
    """ids of the nodes no operator touches: raise statements, strings, the docstring,
    annotations and default values (the contract's, not the computation's)."""
    skipped: set[int] = set()
    roots: list[ast.AST] = [*function.args.defaults, *function.args.kw_defaults]  # type: ignore[list-item]
    roots += [
        a.annotation for a in ast.walk(function.args) if isinstance(a, ast.arg) and a.annotation
    ]
    if function.returns:
        roots.append(function.returns)
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        roots.append(body[0])
    for node in ast.walk(function):
        if isinstance(node, (ast.Raise, ast.JoinedStr, ast.Assert)):
            roots.append(node)
    for root in roots:
        if root is not None:
            skipped.update(id(node) for node in ast.walk(root))
    return skipped


def _nudged(value: object) -> object | None:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        if value == 0.0:
            return 1.0
        if abs(value) < 1e-3:
            return float(f"{value * 10:.3g}")
        if abs(value) <= 1.0:
            return round(value + 0.1, 12)
        return value + 1.0
    return None


def _shifted(text: str, node: ast.AST, step: str) -> str:
    plain = isinstance(node, _ATOMIC) or (
        isinstance(node, ast.BinOp) and type(node.op) in (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv)
    )
    return f"{text if plain else f'({text})'} {step} 1"


def _operator_position(
    source: _Source, after: ast.AST, before: ast.AST, symbol: str
) -> tuple[Position, Position] | None:
    """Where ``symbol`` stands between the end of ``after`` and the start of ``before``."""
    gap = source.between(_end(after), _start(before))
    words = r"\s+".join(map(re.escape, symbol.split()))
    pattern = rf"\b{words}\b" if symbol[0].isalpha() else rf"(?<![=<>!*/]){words}(?![=<>*/])"
    match = re.search(pattern, gap)
    if match is None:
        return None
    base = source.offset(_end(after))

    def position(offset: int) -> Position:
        absolute = base + len(gap[:offset].encode("utf-8"))
        line = max(i for i, start in enumerate(source.starts) if start <= absolute)
        return line + 1, absolute - source.starts[line]

    return position(match.start()), position(match.end())


def _architecture(function: ast.FunctionDef) -> set[int]:
    """ids of the nodes in the arguments of a capitalised call (a Keras layer, ``Input``),
    but for a ``learning_rate=``: the Keras subset nudges no number there."""
    found: set[int] = set()
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if called[:1].isupper():
            roots = [*node.args, *(k.value for k in node.keywords if k.arg != "learning_rate")]
            found.update(id(inner) for root in roots for inner in ast.walk(root))
    return found


def _counterpart(name: str) -> str:
    """The validation name of a training name and back: x_train <-> x_val, loss <-> val_loss."""
    if name.endswith("_train"):
        return name[: -len("_train")] + "_val"
    if name.endswith("_val"):
        return name[: -len("_val")] + "_train"
    return name[len("val_") :] if name.startswith("val_") else "val_" + name


def _defined(function: ast.FunctionDef) -> set[str]:
    """The function's parameters and the names it assigns."""
    names = {a.arg for a in ast.walk(function.args) if isinstance(a, ast.arg)}
    names.update(
        node.id
        for node in ast.walk(function)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    )
    return names


def _left_out(items: Sequence[ast.AST], index: int) -> tuple[Position, Position]:
    """The text to cut so that ``items[index]`` (arguments or list elements, in source order)
    is gone with its comma: up to the next item, or from the previous one for the last."""
    item = items[index]
    if index + 1 < len(items):
        return _start(item), _start(items[index + 1])
    if index > 0:
        return _end(items[index - 1]), _end(item)
    return _start(item), _end(item)


def _keras_edits(source: _Source, function: ast.FunctionDef, skipped: set[int]) -> Iterator[_Edit]:
    """The Keras subset's own operators: name, argument, swap, element."""
    name = function.name
    defined = _defined(function)
    for node in ast.walk(function):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in _NAMES:
                old, new = source.segment(node), repr(_NAMES[node.value]).replace("'", '"')
                yield _Edit("name", name, _start(node), _end(node), new, f"`{old}` -> `{new}`")
        elif isinstance(node, ast.Call):
            items = sorted([*node.args, *node.keywords], key=_start)
            for index, keyword in enumerate(items):
                if isinstance(keyword, ast.keyword) and keyword.arg is not None:
                    start, end = _left_out(items, index)
                    what = f"`{source.segment(keyword)}` left out"
                    yield _Edit("argument", name, start, end, "", what, _start(keyword))
        elif isinstance(node, ast.List) and node.elts:
            for index, element in enumerate(node.elts):
                start, end = _left_out(node.elts, index)
                what = f"`{source.segment(element).splitlines()[0]}` left out of the list"
                yield _Edit("element", name, start, end, "", what, _start(element))
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            other = _counterpart(node.id)
            if other in defined and node.id in defined:
                yield _Edit(
                    "swap", name, _start(node), _end(node), other, f"`{node.id}` -> `{other}`"
                )


def _edits(source: _Source, function: ast.FunctionDef, keras: bool = False) -> Iterator[_Edit]:
    skipped = _skipped_nodes(function)
    name = function.name
    if keras:
        yield from _keras_edits(source, function, skipped)
        skipped |= _architecture(function)

    def edit(
        operator: str, place: ast.AST | tuple[Position, Position], new: str, old: str
    ) -> _Edit:
        """``place``: the node whose text is replaced, or (start, end) of the text."""
        start, end = (_start(place), _end(place)) if isinstance(place, ast.AST) else place
        return _Edit(operator, name, start, end, new, f"`{old}` -> `{new}`")

    for node in ast.walk(function):
        if id(node) in skipped or node is function:
            continue
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            old, new = _SYMBOL[type(node.op)], _SYMBOL[_BINARY[type(node.op)]]
            place = _operator_position(source, node.left, node.right, old)
            if place:
                yield edit("operator", place, new, old)
        elif isinstance(node, ast.AugAssign) and type(node.op) in _BINARY:
            old, new = _SYMBOL[type(node.op)] + "=", _SYMBOL[_BINARY[type(node.op)]] + "="
            place = _operator_position(source, node.target, node.value, old)
            if place:
                yield edit("operator", place, new, old)
        elif isinstance(node, ast.Compare):
            left = node.left
            for op, right in zip(node.ops, node.comparators, strict=True):
                old = _SYMBOL[type(op)]
                place = _operator_position(source, left, right, old)
                for other in _COMPARISON.get(type(op), ()):
                    if other is not None and place:
                        yield edit("comparison", place, _SYMBOL[other], old)
                left = right
        elif isinstance(node, ast.Constant) and not isinstance(node.value, str):
            new_value = _nudged(node.value)
            if new_value is not None:
                yield edit("constant", node, repr(new_value), source.segment(node))
        elif isinstance(node, ast.keyword) and node.arg in ("axis", "keepdims"):
            value = node.value
            old = source.segment(value)
            if node.arg == "keepdims":
                if isinstance(value, ast.Constant) and isinstance(value.value, bool):
                    yield edit("axis", value, repr(not value.value), old)
                continue
            literal = _literal(value)
            if isinstance(literal, int):
                new = "-1" if literal == 0 else "0"
            elif isinstance(literal, tuple) and len(literal) > 1:
                new = repr(literal[:-1])
            elif isinstance(value, ast.Name):
                new = "-1"
            else:
                continue
            yield edit("axis", value, new, old)
        elif isinstance(node, ast.Call):
            func = node.func
            attribute = func.attr if isinstance(func, ast.Attribute) else None
            if attribute in _SIBLINGS:
                start = (func.end_lineno, func.end_col_offset - len(attribute))  # type: ignore[operator]
                yield edit("sibling", (start, _end(func)), _SIBLINGS[attribute], attribute)
            elif isinstance(func, ast.Name) and func.id in ("max", "min"):
                yield edit("sibling", func, _SIBLINGS[func.id], func.id)
            if attribute == "transpose":
                if isinstance(func.value, ast.Name) and func.value.id == "np":  # type: ignore[union-attr]
                    if node.args:
                        kept = source.segment(node.args[0])
                        yield edit("transpose", node, kept, source.segment(node))
                else:
                    kept = source.segment(func.value)  # type: ignore[union-attr]
                    yield edit("transpose", node, kept, source.segment(node))
        elif isinstance(node, ast.Attribute) and node.attr == "T":
            yield edit("transpose", node, source.segment(node.value), source.segment(node))
        elif isinstance(node, ast.Slice):
            for bound, step in ((node.lower, "+"), (node.upper, "-")):
                if bound is not None and id(bound) not in skipped:
                    old = source.segment(bound)
                    yield edit("slice", bound, _shifted(old, bound, step), old)
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) or (
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
        ):
            old = source.segment(node).splitlines()[0]
            yield _Edit("statement", name, _start(node), _end(node), "pass", f"`{old}` removed")


def _literal(node: ast.AST) -> object:
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def _calls(function: ast.FunctionDef) -> set[str]:
    """Every name ``function`` uses: the functions it calls or hands on are among them."""
    return {node.id for node in ast.walk(function) if isinstance(node, ast.Name)}


def _reaching(
    functions: dict[str, ast.FunctionDef], contract: Sequence[str]
) -> dict[str, list[str]]:
    """Function name -> the contract functions (in contract order) that run it."""
    reached: dict[str, list[str]] = {name: [] for name in functions}
    for entry in contract:
        if entry not in functions:
            continue
        seen, todo = {entry}, [entry]
        while todo:
            for called in _calls(functions[todo.pop()]) & set(functions):
                if called not in seen:
                    seen.add(called)
                    todo.append(called)
        for name in seen:
            reached[name].append(entry)
    return reached


PRAGMA = "pragma: no mutate"


def quiet_lines(text: str) -> set[int]:
    """The lines (from 1) whose comment says ``pragma: no mutate``."""
    return {
        token.start[0]
        for token in tokenize.generate_tokens(io.StringIO(text).readline)
        if token.type == tokenize.COMMENT and PRAGMA in token.string
    }


def mutants(
    slug: str, text: str, *, functions: Sequence[str] = (), pragmas: bool = True
) -> list[Mutant]:
    """Every mutant of the model answer ``text`` of ``slug``, in source order.

    ``functions``: only the mutants that can change one of these contract functions.
    ``pragmas``: none on a line marked ``pragma: no mutate`` (False: those too).
    """
    tree = ast.parse(text)
    source = _Source(text)
    quiet = quiet_lines(text) if pragmas else set()
    keras = catalog.get(slug).uses_tensorflow
    allowed = KERAS_OPERATORS if keras else NUMPY_OPERATORS
    defined = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    contract = list(catalog.signatures(slug))
    reached = _reaching(defined, contract)
    original = ast.dump(tree)
    seen = {original}
    found: list[Mutant] = []
    edits = [
        edit
        for node in defined.values()
        for edit in _edits(source, node, keras)
        if edit.operator in allowed
    ]
    edits.sort(key=lambda e: (e.start, e.end, OPERATORS.index(e.operator), e.new))
    for one in edits:
        reaches = tuple(reached[one.where])
        if not reaches or (functions and not set(reaches) & set(functions)):
            continue
        line, byte = one.at or one.start
        if line in quiet:
            continue
        changed = source.replaced(one)
        try:
            dumped = ast.dump(ast.parse(changed))
        except SyntaxError:
            continue
        if dumped in seen:
            continue
        seen.add(dumped)
        shown = [f for f in reaches if not functions or f in functions]
        line_start = source.starts[line - 1]
        column = len(source.data[line_start : line_start + byte].decode("utf-8")) + 1
        function = one.where if one.where in contract else shown[0]
        path = f"solutions/{slug}.py"
        diff = "".join(
            difflib.unified_diff(
                text.splitlines(keepends=True),
                changed.splitlines(keepends=True),
                fromfile=path,
                tofile=f"{path} (mutant)",
                n=1,
            )
        )
        found.append(
            Mutant(
                slug=slug,
                number=len(found) + 1,
                operator=one.operator,
                where=one.where,
                function=function,
                reaches=reaches,
                line=line,
                column=column,
                change=one.what,
                description=f"line {line}, column {column}: {one.what}",
                source=changed,
                diff=diff,
            )
        )
    return found


def sample(found: Sequence[Mutant], count: int | None, seed: int) -> list[Mutant]:
    """``count`` of ``found`` chosen by ``seed`` (all of them when ``count`` is None), in
    source order."""
    if count is None or count >= len(found):
        return list(found)
    chosen = random.Random(seed).sample(range(len(found)), count)
    return [found[index] for index in sorted(chosen)]
