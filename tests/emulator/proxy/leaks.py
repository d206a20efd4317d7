"""Finding a leak the way an auditor would: every way a value can be written, searched for in every text.

``encodings(value)`` is the value raw and as each encoder on the way may have written it: JSON (with and without
``ensure_ascii``, and escaped twice), Python's ``repr``, percent-encoding as urllib and httpx do it (upper and
lower case hex, ``+`` or ``%20`` for a space), and XML's escaping. ``found`` says which secret, in which
encoding, is in which text. A card value is searched as a token (``1234`` is not found in ``12345``, ``1234.5`` or
a hex ``ab1234cd``), since a short value such as a CVV occurs inside longer numbers by chance.
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


# A token stands alone: no letter or digit touches it (a percent or \\u escape before it counts as a separator),
# and no decimal part follows (7391 is not found in 73910, 17391, ce7391e8 or 7391.50).
_BEFORE = r"(?:(?<![0-9A-Za-z])(?<![0-9]\.)|(?<=%[0-9A-Fa-f]{2})|(?<=\\u[0-9A-Fa-f]{4}))"
_AFTER = r"(?![0-9A-Za-z])(?!\.[0-9])"
_TOKEN = re.compile(_BEFORE + r"[0-9]+(?:(?:/|%2[Ff])[0-9]+)?" + _AFTER)
"""A number, or two joined by a slash (an expiry such as 07/41), raw or percent-encoded."""


def found(texts: Mapping[str, str], secrets: Iterable[str], tokens: Iterable[str] = ()) -> list[str]:
    """``"<where>: <what> (<encoding>)"`` for each secret (anywhere) or token (standing alone, digits and slashes
    only: card data) in each text, with the text around a token."""
    forms = {form: (token, encoding) for token in tokens for encoding, form in encodings(token).items()}
    hits = []
    for where, text in texts.items():
        for secret in secrets:
            for encoding, form in encodings(secret).items():
                if form in text:
                    hits.append(f"{where}: secret {secret[:3]}... ({encoding})")
        for match in _TOKEN.finditer(text):
            if match.group(0) in forms:
                token, encoding = forms[match.group(0)]
                context = text[max(0, match.start() - 60) : match.end() + 20]
                hits.append(f"{where}: {token} ({encoding}) in ...{context}...")
    return hits
