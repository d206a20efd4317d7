"""``CPayAuth``: an ``httpx.Auth`` that adds ``merchantId`` and ``sign`` to every request (document section 16)."""

from __future__ import annotations

from collections.abc import Generator
from urllib.parse import quote, unquote_plus

import httpx

from cpay_signing._errors import CPayError
from cpay_signing._secret import SecretKey
from cpay_signing._sign import SIGN_FIELD, compute_sign

__all__ = ["CPayAuth"]

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"
MERCHANT_ID_FIELD = "merchantId"


class CPayAuth(httpx.Auth):
    """Signs C-Pay requests for ``httpx.Client`` and ``httpx.AsyncClient`` (``auth=CPayAuth(...)``).

    * A request with an ``application/x-www-form-urlencoded`` body (the API's POST operations) is signed
      over its form fields; ``merchantId`` and ``sign`` are appended to the body.
    * A request without a body (the API's GET operations) is signed over its query string; ``merchantId``
      and ``sign`` are appended to the query string.
    * Any other body (JSON, multipart) raises ``CPayError``: the document signs only these two forms.

    The signature covers exactly the parameters on the wire, as the server decodes them (percent-escapes
    and ``+`` decoded, UTF-8). ``merchantId`` is added only where it is missing or empty. A ``sign``
    already present is replaced. Everything else (the other parameters' encoding and order, headers,
    extensions such as the timeout) is kept as it was, except empty pieces of ``a=1&&b=2``, which carry
    nothing and are dropped. A name repeated on the wire is signed with its last
    value, as the document's Java demo would read it into a ``HashMap``.
    """

    requires_request_body = True

    merchant_id: str

    def __init__(self, merchant_id: str | int, secret_key: str | SecretKey) -> None:
        merchant_id = str(merchant_id)
        if not merchant_id:
            raise ValueError("merchant_id is empty")
        self.merchant_id = merchant_id
        self._secret_key = SecretKey.of(secret_key)

    def __repr__(self) -> str:
        return f"CPayAuth(merchant_id={self.merchant_id!r}, secret_key={self._secret_key!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield self.sign_request(request)

    def sign_request(self, request: httpx.Request) -> httpx.Request:
        """Return ``request`` signed: the same object with a new URL, or a copy with a new form body."""
        media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        if media_type == FORM_MEDIA_TYPE:
            body = self._sign_encoded(request.content, "form body")
            headers = request.headers.copy()
            headers.pop("transfer-encoding", None)
            headers["content-length"] = str(len(body))
            return httpx.Request(
                request.method, request.url, headers=headers, content=body, extensions=request.extensions
            )
        if request.content:
            raise CPayError(
                f"cannot sign a {media_type or 'untyped'} request body: C-Pay signs query strings and "
                f"{FORM_MEDIA_TYPE} bodies only (section 16)"
            )
        request.url = request.url.copy_with(query=self._sign_encoded(request.url.query, "query string"))
        return request

    def _sign_encoded(self, encoded: bytes, where: str) -> bytes:
        """Sign ``a=1&b=2`` bytes; return them with ``merchantId`` (if missing) and ``sign`` appended."""
        kept: list[bytes] = []
        fields: list[tuple[str, str]] = []
        has_merchant_id = False
        for piece in encoded.split(b"&"):
            if not piece:
                continue
            raw_name, _, raw_value = piece.partition(b"=")
            try:
                name = unquote_plus(raw_name.decode("utf-8"), errors="strict")
                value = unquote_plus(raw_value.decode("utf-8"), errors="strict")
            except UnicodeDecodeError:
                raise CPayError(f"cannot sign the request: its {where} is not percent-encoded UTF-8") from None
            if name == SIGN_FIELD or (name == MERCHANT_ID_FIELD and not value):
                continue
            has_merchant_id = has_merchant_id or name == MERCHANT_ID_FIELD
            kept.append(piece)
            fields.append((name, value))
        if not has_merchant_id:
            fields.append((MERCHANT_ID_FIELD, self.merchant_id))
            kept.append(f"{MERCHANT_ID_FIELD}={quote(self.merchant_id, safe='')}".encode("ascii"))
        kept.append(f"{SIGN_FIELD}={compute_sign(fields, self._secret_key)}".encode("ascii"))
        return b"&".join(kept)
