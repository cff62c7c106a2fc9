"""Text from a learner, made safe to show and to store.

What a learner's code says (an exception's message, a warning, a class name, a progress
line, a repr) and what a learner's folder holds (file and folder names, a source line
quoted in a syntax error) is cleaned once, where it enters the grading process, by
:func:`clean` (one string) or :func:`clean_tree` (a reply's JSON header):

- a lone surrogate (``"\\ud800"``, which no UTF-8 file can hold) becomes U+FFFD;
- a control character other than a newline or a tab, a bidirectional override and a line
  separator are shown inert, as their Python escape (ESC becomes the four characters
  ``\\x1b``), so that no escape sequence reaches a terminal or a log that would obey it;
- the text is cut to a length.

Writers call :func:`valid_unicode` on what they produce, so that a report is written
whatever a string inside it holds.
"""

from __future__ import annotations

import re
from typing import Any

TEXT_LIMIT = 10_000  # characters of any one string a child sends

# C0 controls but tab and newline, DEL, C1 controls (U+009B is a one-character CSI), the
# bidirectional marks and overrides, and the separators that end a line in some readers
_INERT = [(0x00, 0x08), (0x0B, 0x1F), (0x7F, 0x9F), (0x061C, 0x061C), (0x200E, 0x200F)]
_INERT += [(0x2028, 0x202E), (0x2066, 0x2069)]
_SURROGATES = (0xD800, 0xDFFF)
_NAMED = {0x0D: "\\r"}  # as Python writes it
_TABLE: dict[int, str] = {
    code: _NAMED.get(code, f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    for first, last in _INERT
    for code in range(first, last + 1)
}
_TABLE.update(dict.fromkeys(range(_SURROGATES[0], _SURROGATES[1] + 1), "\ufffd"))
_ONE_LINE = {**_TABLE, ord("\n"): "\\n", ord("\t"): "\\t"}
_UNSAFE = re.compile(
    "[" + "".join(f"{chr(first)}-{chr(last)}" for first, last in [*_INERT, _SURROGATES]) + "]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(value: object, limit: int = TEXT_LIMIT) -> str:
    """``value`` as text that can be shown and stored: see the module's docstring."""
    text = value if type(value) is str else _as_text(value)
    if len(text) <= limit and not _UNSAFE.search(text):
        return text
    return _shown(text, _TABLE, limit)


def one_line(value: object, limit: int = TEXT_LIMIT) -> str:
    """:func:`clean`, with newlines and tabs shown inert too (a name, a line on stderr)."""
    text = value if type(value) is str else _as_text(value)
    return _shown(text, _ONE_LINE, limit)


def clean_tree(tree: Any, limit: int = TEXT_LIMIT) -> Any:
    """Every string of a JSON value (dict keys too) cleaned; anything else as it was.

    Walks without recursion: a header nested as deep as the JSON parser allows is cleaned
    at any depth of the caller's stack. Containers are changed in place.
    """
    if type(tree) is str:
        return clean(tree, limit)
    pending = [tree]
    while pending:
        node = pending.pop()
        if type(node) is list:
            for index, item in enumerate(node):
                if type(item) is str:
                    node[index] = clean(item, limit)
                elif type(item) in (list, dict):
                    pending.append(item)
        elif type(node) is dict:
            for key in list(node):
                item = node[key]
                if type(item) is str:
                    item = clean(item, limit)
                elif type(item) in (list, dict):
                    pending.append(item)
                if type(key) is str and (len(key) > limit or _UNSAFE.search(key)):
                    del node[key]
                    key = clean(key, limit)
                node[key] = item
    return tree


def valid_unicode(text: str) -> str:
    """``text`` with every surrogate replaced by U+FFFD: encodable as UTF-8, always."""
    return _SURROGATE.sub("\ufffd", text)


def _as_text(value: object) -> str:
    try:
        return str(value)
    except Exception:  # a learner's __str__ may raise; its repr is ours to give
        return f"<{type(value).__name__}>"


def _shown(text: str, table: dict[int, str], limit: int) -> str:
    """``text`` translated by ``table`` and cut to ``limit`` characters, the cut marked."""
    shown = text[:limit].translate(table)
    if len(text) > limit or len(shown) > limit:
        return shown[: max(limit - 3, 0)] + "..."
    return shown
