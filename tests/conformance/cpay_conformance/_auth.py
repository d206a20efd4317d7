"""``CPaySignAuth``: signs the request Schemathesis has already encoded, so what is signed is what is sent.

Schemathesis validates a generated case, encodes it with ``requests`` and only then calls this auth on the
``PreparedRequest``. Signing there (and not in a ``before_call`` hook, which sees values before encoding and
whose edits make Schemathesis re-validate the case) keeps positive cases positive, and every reproduction
(``curl``, ``st replay``, cassettes) carries the same valid ``sign`` that the server received.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import quote, unquote_plus, urlsplit, urlunsplit

import requests

from cpay_signing import SecretKey, compute_sign

__all__ = ["MERCHANT_ID", "SIGN", "CPaySignAuth", "SigningMode", "WriteRefusedError", "is_loopback_url"]

MERCHANT_ID = "merchantId"
SIGN = "sign"
_FORM = "application/x-www-form-urlencoded"
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class SigningMode:
    """How a ``CPaySignAuth`` treats the two credentials; the non-default modes build the sign probes."""

    SIGN = "sign"
    """Add ``merchantId`` (if missing) and a valid ``sign``: what every generated request gets."""
    MERCHANT_ONLY = "merchant-only"
    """Add ``merchantId`` but no ``sign``: a request whose signature is missing."""


class WriteRefusedError(RuntimeError):
    """A request that may create an order or move money was about to go to a remote deployment without opt-in."""


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` points at this machine (where the emulator runs), so writes are harmless."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _decode(piece: bytes) -> tuple[str, str]:
    """``name=value`` as a form decoder reads it: ``+`` is a space, percent-escapes are UTF-8."""
    raw_name, _, raw_value = piece.partition(b"=")
    # A value that is not UTF-8 cannot be signed as the server reads it; ``replace`` signs something close,
    # and the server rejects such a request as malformed before it looks at the sign.
    return (
        unquote_plus(raw_name.decode("utf-8", "replace"), errors="replace"),
        unquote_plus(raw_value.decode("utf-8", "replace"), errors="replace"),
    )


def _pieces(encoded: bytes) -> list[bytes]:
    return [piece for piece in encoded.split(b"&") if piece]


class CPaySignAuth(requests.auth.AuthBase):
    """A ``requests`` auth that signs C-Pay requests (document section 16) after they are encoded.

    * Parameters are read from the query string and, for a form-encoded body, from the body too (C-Pay reads
      both alike); the signature covers all of them as the server decodes them.
    * ``merchantId`` is added where it is missing (to the form body of a form POST, else to the query string);
      any ``sign`` already present is dropped and a fresh one appended. The other bytes are left as they were,
      so Schemathesis's own encoding (order, escapes, repeated names) reaches the server unchanged.
    * ``allow_writes=False`` refuses (``WriteRefusedError``) to sign a request with a body-carrying method to a
      host that is not loopback, unless its path is one of ``read_only_paths`` (the GET operations, which a
      method probe may call with POST): the default against a real deployment is read-only, and C-Pay
      rejects an unsigned request.

    The secret key is kept in a ``SecretKey``, so it never shows in a repr, a log or a report.
    """

    def __init__(
        self,
        merchant_id: str,
        secret_key: str | SecretKey,
        *,
        allow_writes: bool = True,
        read_only_paths: frozenset[str] = frozenset(),
        mode: str = SigningMode.SIGN,
    ) -> None:
        if not merchant_id:
            raise ValueError("merchant_id is empty")
        self.merchant_id = merchant_id
        self._secret_key = SecretKey.of(secret_key)
        self.allow_writes = allow_writes
        self.read_only_paths = read_only_paths
        self.mode = mode

    def __repr__(self) -> str:
        return f"CPaySignAuth(merchant_id={self.merchant_id!r}, secret_key={self._secret_key!r}, mode={self.mode!r})"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        url = request.url or ""
        if (
            not self.allow_writes
            and (request.method or "").upper() in _WRITE_METHODS
            and urlsplit(url).path not in self.read_only_paths
            and not is_loopback_url(url)
        ):
            raise WriteRefusedError(
                f"refusing to sign {request.method} {urlsplit(url).path}: operations that create orders or move "
                "money run against a remote deployment only with the write opt-in (WRITE=1 / CPAY_WRITE=1)"
            )
        parts = urlsplit(url)
        query = _pieces(parts.query.encode("ascii", "replace"))
        body = request.body
        is_form = _media_type(request) == _FORM
        if is_form and isinstance(body, str):
            body = body.encode("utf-8")
        if is_form and isinstance(body, bytes) and body:
            # POST: credentials go beside the other fields, in the body; the query string (if any) is signed too.
            new_body = self._sign(query, _pieces(body))
            request.body = new_body
            request.headers["Content-Length"] = str(len(new_body))
        else:
            signed_query = self._sign([], query).decode("ascii")
            request.url = urlunsplit(parts._replace(query=signed_query))
        return request

    def _sign(self, first: list[bytes], second: list[bytes]) -> bytes:
        """Return ``second`` re-joined with ``merchantId`` (if missing in both) and ``sign`` appended.

        ``first`` holds pieces that stay where they are (the query string of a form POST) but are signed too.
        """
        fields: list[tuple[str, str]] = []
        kept: list[bytes] = []
        has_merchant = False
        for piece in first:
            name, value = _decode(piece)
            if name != SIGN:
                fields.append((name, value))
                has_merchant = has_merchant or (name == MERCHANT_ID and bool(value))
        for piece in second:
            name, value = _decode(piece)
            if name == SIGN:
                continue
            kept.append(piece)
            fields.append((name, value))
            has_merchant = has_merchant or (name == MERCHANT_ID and bool(value))
        if not has_merchant:
            fields.append((MERCHANT_ID, self.merchant_id))
            kept.append(f"{MERCHANT_ID}={quote(self.merchant_id, safe='')}".encode("ascii"))
        if self.mode == SigningMode.SIGN:
            kept.append(f"{SIGN}={compute_sign(fields, self._secret_key)}".encode("ascii"))
        return b"&".join(kept)


def _media_type(request: requests.PreparedRequest) -> str:
    return str(request.headers.get("Content-Type", "")).partition(";")[0].strip().lower()
