"""Bounding a JSON text from the network before it is parsed: its nesting depth and its top-level members.

``json.loads`` recurses once per level of nesting (text nested 2,000 deep raises ``RecursionError``) and builds
every value before a caller can count them. So a text is measured first, here, by a scan that reads only its
strings (skipped whole, so a ``[`` or ``"`` inside one counts for nothing) and the characters ``[]{}:``, and
stops at the first bound passed: refusing a text nested 2,000 deep reads its first few dozen characters.

The scan does not check that the text is JSON; the parser that runs after it does. The webhook parser
(``_webhook``) and the emulator (its control API and its JSON-in-a-form fields) share it.

Why not a library: the standard ``json`` has no depth option, and the parsers that bound depth do not let the
caller choose the bound (orjson refuses past 1,024 levels) or bring a compiled dependency into the SDK's small
install (orjson, pysimdjson, ijson's C backend); ijson's pure-Python backend would count the levels, but it
parses every value on the way, where this scan reads only the brackets and skips strings whole.
"""

from __future__ import annotations

import re

__all__ = ["json_shape_problem"]

# A string token (possessive: no backtracking on a long or unterminated string), or one structural character.
_TOKENS = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}:]')
_OPENING = frozenset("[{")
_CLOSING = frozenset("]}")


def json_shape_problem(text: str, *, max_depth: int, max_members: int | None = None) -> str | None:
    """Why ``text`` is beyond the bounds (``"is nested deeper than 8 levels"``), or ``None`` when it is within them.

    ``max_depth``: how many arrays and objects may be open at once (``{"a": [1]}`` is 2 deep).
    ``max_members``: how many members the top-level object may have (``None``: any number).
    """
    depth = 0
    members = 0
    for token in _TOKENS.finditer(text):
        character = token.group()
        if character in _OPENING:
            depth += 1
            if depth > max_depth:
                return f"is nested deeper than {max_depth} levels"
        elif character in _CLOSING:
            depth -= 1
        elif character == ":" and depth == 1 and max_members is not None:
            members += 1
            if members > max_members:
                return f"has more than {max_members} fields"
    return None
