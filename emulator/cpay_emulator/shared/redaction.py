"""What never leaves the emulator and the proxy: secret keys, signs and sensitive values, in every encoding.

``openapi.yaml`` marks the fields never shown with ``x-cpay-sensitive: true`` (``sensitive_fields`` finds
them; ``cpay.mask_sensitive`` is the one mask of their values). ``Redactor`` takes what must not be
written out of the proxy's texts (recording, log lines, violation messages, reports, ``/_proxy/violations``):

* a configured secret key, wherever it appears and however it was encoded on the way: raw, JSON- or
  repr-escaped (``\\"``, ``\\\\``, ``\\u0022``, escaped again), percent-encoded (either case, ``%2522`` too),
  form-encoded (``+``) or as an XML/HTML entity; it becomes ``***``;
* the request's ``sign``, which becomes ``<sign>``;
* the request's sensitive values (a card number an upstream echoes in its ``msg``), in the same encodings,
  which become their masks (``************1111``, ``***``).

``scrub`` does it on a JSON value before it is serialized: keys named like a sensitive field have their values
masked at any depth, and every string (keys included) is cleaned. Serializing after cleaning is what makes the
escaped forms impossible to miss: the old way, redacting the serialized line, missed a secret holding ``"``
or ``\\`` because the line held its escaped form.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote

from cpay import MASK, SENSITIVE_FIELDS, SecretKey, mask_sensitive

__all__ = ["CREDENTIAL_HEADERS", "SENSITIVE", "Redactor", "encoded_pattern", "sensitive_fields", "sensitive_values"]

SENSITIVE = "x-cpay-sensitive"
"""The spec's extension marking a field whose value is never shown."""
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
"""Headers whose values are credentials whatever they hold: recorded as ``***``."""
_SIGN = "sign"
_ENTITIES = {
    "&": ("&amp;", "&#38;"),
    '"': ("&quot;", "&#34;"),
    "'": ("&apos;", "&#39;"),
    "<": ("&lt;",),
    ">": ("&gt;",),
}
_NAMED_ESCAPES = {"\n": "n", "\r": "r", "\t": "t", "\b": "b", "\f": "f"}


def sensitive_fields(node: Any) -> frozenset[str]:
    """Every property or parameter name marked ``x-cpay-sensitive: true`` anywhere in ``node`` (a whole spec).

    One set for the whole spec: a card number sent to an operation that does not declare it is still one.
    """
    found: set[str] = set()
    if isinstance(node, Mapping):
        for name, schema in (node.get("properties") or {}).items():
            if isinstance(schema, Mapping) and schema.get(SENSITIVE) is True:
                found.add(name)
        if isinstance(node.get("name"), str) and "in" in node and node.get(SENSITIVE) is True:
            found.add(node["name"])
        for value in node.values():
            found |= sensitive_fields(value)
    elif isinstance(node, list):
        for value in node:
            found |= sensitive_fields(value)
    return frozenset(found)


def sensitive_values(query: bytes, body: bytes | None, sensitive: frozenset[str]) -> dict[str, str]:
    """``{value: its mask}`` of the request's sensitive parameters, read leniently (repeated names, bad escapes)
    so that even a request the verifier refused has its card data known, and masked wherever it reappears.

    Read as ``urllib.parse.parse_qsl(text, keep_blank_values=False)`` reads it (the tests hold it to that), but
    decoding only the names, and a value only when its name is sensitive: this runs on every request the proxy
    sees, most of which hold no sensitive field at all, and parse_qsl unquotes every name and every value.
    """
    found: dict[str, str] = {}
    for encoded in (query, body or b""):
        if not encoded:
            continue
        for piece in encoded.decode("utf-8", "replace").split("&"):
            name, equals, value = piece.partition("=")
            if not equals or not value:  # parse_qsl drops both without keep_blank_values
                continue
            if "%" in name or "+" in name:
                name = unquote(name.replace("+", " "), errors="replace")
            if name in sensitive:
                value = unquote(value.replace("+", " "), errors="replace")
                masked = mask_sensitive({name: value}, sensitive=sensitive)[name]
                if masked != value:
                    found[value] = masked
    return found


def _hex(number: int, width: int) -> str:
    return "".join(f"[{digit}{digit.upper()}]" if digit.isalpha() else digit for digit in f"{number:0{width}x}")


def _character(character: str) -> str:
    """A regular expression matching ``character`` in any of the encodings ``Redactor`` undoes."""
    code = ord(character)
    forms = [r"\\*" + re.escape(character)]  # raw, or escaped with backslashes (JSON, repr, twice escaped)
    if code <= 0xFFFF:
        forms.append(r"\\+u" + _hex(code, 4))
    else:  # JSON writes a character beyond the BMP as a surrogate pair
        high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
        forms.append(r"\\+u" + _hex(high, 4) + r"\\+u" + _hex(low, 4))
    forms.append("".join("%(?:25)*" + _hex(byte, 2) for byte in character.encode("utf-8")))
    if code < 0x20 or code == 0x7F:
        forms.append(r"\\+x" + _hex(code, 2))
    if character in _NAMED_ESCAPES:
        forms.append(r"\\+" + _NAMED_ESCAPES[character])
    if character == " ":
        forms.append(r"\+")
    forms.extend(re.escape(entity) for entity in _ENTITIES.get(character, ()))
    return "(?:" + "|".join(forms) + ")"


def encoded_pattern(text: str) -> str:
    """A regular expression matching ``text`` raw or in any encoding ``Redactor`` undoes (see the module)."""
    return "".join(_character(character) for character in text)


# A value stands alone: no letter or digit touches it (a percent or \\u escape before it counts as a separator),
# and it is not the whole part of a decimal number.
_BEFORE = r"(?:(?<![0-9A-Za-z])(?<![0-9]\.)|(?<=%[0-9A-Fa-f]{2})|(?<=\\u[0-9A-Fa-f]{4}))"
_AFTER = r"(?![0-9A-Za-z])(?!\.[0-9])"


@functools.lru_cache(maxsize=4096)
def _value_pattern(value: str) -> re.Pattern[str]:
    """``value`` in any encoding, standing alone: a CVV ``7391`` is masked in ``cvv=7391&`` or ``cvv%3D7391``, not
    in ``73910``, ``7391.50`` or a hex ``ce7391e8`` (a short value occurs inside others by chance)."""
    return re.compile(_BEFORE + encoded_pattern(value) + _AFTER)


class Redactor:
    """Takes the configured secret keys, a request's ``sign`` and its sensitive values out of the proxy's texts."""

    def __init__(self, secrets: Iterable[SecretKey], sensitive: frozenset[str] = SENSITIVE_FIELDS) -> None:
        keys = sorted({secret.reveal() for secret in secrets}, key=len, reverse=True)
        self.sensitive = sensitive
        self._secrets = re.compile("|".join(encoded_pattern(key) for key in keys)) if keys else None

    def clean(self, text: str, sign: str = "", values: Mapping[str, str] | None = None) -> str:
        """``text`` with every secret key, the ``sign`` and the ``values`` (``{value: mask}``) taken out."""
        if self._secrets is not None:
            text = self._secrets.sub(MASK, text)
        if sign and sign in text:
            text = text.replace(sign, f"<{_SIGN}>")
        for value, masked in (values or {}).items():
            text = _value_pattern(value).sub(masked, text)
        return text

    def scrub(self, value: Any, sign: str = "", values: Mapping[str, str] | None = None) -> Any:
        """A JSON value with sensitive fields masked at any depth and every string cleaned; to serialize after."""
        if isinstance(value, str):
            return self.clean(value, sign, values)
        if isinstance(value, list):
            return [self.scrub(item, sign, values) for item in value]
        if isinstance(value, dict):
            scrubbed = {}
            for key, item in value.items():
                name = self.clean(key, sign, values) if isinstance(key, str) else key
                if key in self.sensitive and item not in ("", None):
                    text = item if isinstance(item, str) else str(item)
                    scrubbed[name] = mask_sensitive({key: text}, sensitive=self.sensitive)[key]
                else:
                    scrubbed[name] = self.scrub(item, sign, values)
            return scrubbed
        return value

    def headers(
        self, headers: Iterable[tuple[bytes, bytes]], sign: str = "", values: Mapping[str, str] | None = None
    ) -> list[list[str]]:
        """Headers as ``[name, value]`` text pairs: credentials as ``***``, every other value cleaned."""
        written = []
        for name, value in headers:
            text_name = _text(name).lower()
            text = MASK if text_name in CREDENTIAL_HEADERS else self.clean(_text(value), sign, values)
            written.append([self.clean(text_name, sign, values), text])
        return written


def _text(raw: bytes) -> str:
    """A header's bytes as text: UTF-8 when they are (a secret in them is then found whole), else Latin-1."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
