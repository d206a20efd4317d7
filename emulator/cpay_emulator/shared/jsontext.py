"""Reading the JSON a client sends: the control API's bodies and the C-Pay API's JSON-in-a-form fields.

Both parse text from the network, so both bound it first, with the toolkit's scan (``cpay._jsonshape``),
and give one message per broken rule, which each surface wraps in its own error.
"""

from __future__ import annotations

import json
import re
from typing import Any

from cpay import json_shape_problem  # the toolkit's one bound on JSON from the network

__all__ = ["MAX_JSON_DEPTH", "json_type", "load_json_text"]

MAX_JSON_DEPTH = 32
"""How deep a client's JSON may nest: ``products`` and the KYC ``data`` are 2 deep, control bodies at most 2.
Deeper is refused before it is parsed (2,000 levels made ``json.loads`` raise ``RecursionError``)."""

_SURROGATE = re.compile("[\ud800-\udfff]")


def load_json_text(text: str) -> Any:
    """The value of a JSON text a client sent, or ``ValueError`` whose message is the rule it breaks.

    The rule reads after a field's name (``invalid parameter products: is nested deeper than 32 levels``):
    ``must be JSON text``, ``is nested deeper than 32 levels`` (checked first, without parsing), or ``holds a lone
    surrogate``: a ``\\ud800`` escape outside a pair, which jsonschema-rs, SQLite and UTF-8 all refuse.
    """
    problem = json_shape_problem(text, max_depth=MAX_JSON_DEPTH)
    if problem is not None:
        raise ValueError(problem)
    try:
        value = json.loads(text)
    except ValueError:
        raise ValueError("must be JSON text") from None
    # A surrogate comes as itself (a text taken from parsed JSON: a proxied answer's field) or from an escape.
    lone = _SURROGATE.search(text) is not None
    if not lone and "\\u" in text:
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            lone = True
    if lone:
        raise ValueError("holds a lone surrogate (a \\ud800-\\udfff escape outside a pair)")
    return value


def json_type(value: Any) -> str:
    """The JSON Schema type name of a decoded JSON value (``integer`` for an int, ``object`` for a mapping)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
