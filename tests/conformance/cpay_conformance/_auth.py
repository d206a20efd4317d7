"""``CPaySignAuth``: signs the request Schemathesis has already encoded, so what is signed is what is sent.

Schemathesis validates a generated case, encodes it with ``requests`` and only then calls this auth on the
``PreparedRequest``. Signing there (and not in a ``before_call`` hook, which sees values before encoding and
whose edits make Schemathesis re-validate the case) keeps positive cases positive, and every reproduction
(``curl``, ``st replay``, cassettes) carries the same valid ``sign`` that the server received.

What is signed and where the credentials go is decided by ``cpay.sign_request_parameters``, the
toolkit's one signer, which ``CPayAuth`` and the emulator's verifier share: ``merchantId`` and ``sign`` in the
query string, the sign over the query string and the form body.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

import requests

from cpay import MalformedParametersError, SecretKey, sign_request_parameters

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


class CPaySignAuth(requests.auth.AuthBase):
    """A ``requests`` auth that signs C-Pay requests (document section 16) after they are encoded.

    * ``sign_request_parameters`` signs the query string and, for a form-encoded body, the body too; it adds
      ``merchantId`` (where missing) and ``sign`` to the query string and leaves the other bytes as they were,
      so Schemathesis's own encoding (order, escapes) reaches the server unchanged.
    * A request the signer refuses (a name repeated, as a form encoder sends an array; text that is not
      UTF-8) goes out as generated, without credentials: no ``sign`` is defined for it, and C-Pay refuses it
      either way (the emulator reads it as malformed before it looks at the sign).
    * ``SigningMode.MERCHANT_ONLY`` sends the signer's ``merchantId`` but drops its ``sign``.
    * ``allow_writes=False`` refuses (``WriteRefusedError``) to sign a request with a body-carrying method to a
      host that is not loopback, unless its path is one of ``read_only_paths`` (the GET operations, which a
      method probe may call with POST): the default against a real deployment is read-only, and C-Pay
      rejects an unsigned request. ``destination``: the deployment behind a proxy on this machine; its host is
      the one judged, not the proxy's.

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
        destination: str | None = None,
    ) -> None:
        if not merchant_id:
            raise ValueError("merchant_id is empty")
        self.merchant_id = merchant_id
        self._secret_key = SecretKey.of(secret_key)
        self.allow_writes = allow_writes
        self.read_only_paths = read_only_paths
        self.mode = mode
        self.destination = destination

    def __repr__(self) -> str:
        return f"CPaySignAuth(merchant_id={self.merchant_id!r}, secret_key={self._secret_key!r}, mode={self.mode!r})"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        url = request.url or ""
        if (
            not self.allow_writes
            and (request.method or "").upper() in _WRITE_METHODS
            and urlsplit(url).path not in self.read_only_paths
            and not is_loopback_url(self.destination or url)
        ):
            raise WriteRefusedError(
                f"refusing to sign {request.method} {urlsplit(url).path}: operations that create orders or move "
                "money run against a remote deployment only with the write opt-in (WRITE=1 / CPAY_WRITE=1)"
            )
        parts = urlsplit(url)
        body = request.body
        is_form = _media_type(request) == _FORM
        if is_form and isinstance(body, str):
            body = body.encode("utf-8")
        form = body if is_form and isinstance(body, bytes) and body else None
        try:
            query, signed_body = sign_request_parameters(
                parts.query, form, merchant_id=self.merchant_id, secret_key=self._secret_key
            )
        except MalformedParametersError:
            return request
        if self.mode == SigningMode.MERCHANT_ONLY:
            query = b"&".join(piece for piece in query.split(b"&") if not piece.startswith(SIGN.encode() + b"="))
        request.url = urlunsplit(parts._replace(query=query.decode("utf-8")))
        if signed_body is not None:
            request.body = signed_body
            request.headers["Content-Length"] = str(len(signed_body))
        return request


def _media_type(request: requests.PreparedRequest) -> str:
    return str(request.headers.get("Content-Type", "")).partition(";")[0].strip().lower()
