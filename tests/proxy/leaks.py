"""Finding a leak the way an auditor would: every way a value can be written, searched for in every text.

``encodings(value)`` is the value raw and as each encoder on the way may have written it: JSON (with and without
``ensure_ascii``, and escaped twice), Python's ``repr``, percent-encoding as urllib and httpx do it (upper and
lower case hex, ``+`` or ``%20`` for a space), and XML's escaping. ``found`` says which secret, in which
encoding, is in which text. A card value is searched as a token (``1234`` is not found in ``12345`` or ``1234.5``),
since a short value such as a CVV occurs inside longer numbers by chance.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from urllib.parse import quote, quote_plus

import httpx

__all__ = ["encodings", "found"]


def encodings(value: str) -> dict[str, str]:
    """``{encoding's name: value so encoded}`` (distinct forms only)."""
    forms = {
        "raw": value,
        "json": json.dumps(value, ensure_ascii=False)[1:-1],
        "json-ascii": json.dumps(value)[1:-1],
        "json-twice": json.dumps(json.dumps(value))[3:-3],
        "repr": repr(value)[1:-1],
        "percent": quote(value, safe=""),
        "percent-lower": re.sub(r"%[0-9A-F]{2}", lambda match: match.group(0).lower(), quote(value, safe="")),
        "percent-path": quote(value),
        "form": quote_plus(value),
        "httpx-query": str(httpx.QueryParams({"a": value}))[2:],
        "xml": html.escape(value, quote=True),
    }
    distinct: dict[str, str] = {}
    for name, form in forms.items():
        if form and form not in distinct.values():
            distinct[name] = form
    return distinct


def found(texts: Mapping[str, str], secrets: Iterable[str], tokens: Iterable[str] = ()) -> list[str]:
    """``"<where>: <what> (<encoding>)"`` for each secret (anywhere) or token (as a whole token) in each text."""
    hits = []
    for where, text in texts.items():
        for secret in secrets:
            for encoding, form in encodings(secret).items():
                if form in text:
                    hits.append(f"{where}: secret {secret[:3]}... ({encoding})")
        for token in tokens:
            for encoding, form in encodings(token).items():
                if re.search(r"(?<![0-9])(?<![0-9]\.)" + re.escape(form) + r"(?![0-9])(?!\.[0-9])", text):
                    hits.append(f"{where}: {token} ({encoding})")
    return hits
