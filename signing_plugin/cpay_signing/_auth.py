"""``CPayAuth``: an ``httpx.Auth`` that adds ``merchantId`` and ``sign`` to every request (document section 16)."""

from __future__ import annotations

from collections.abc import Generator

import httpx

from cpay_signing._errors import CPayError
from cpay_signing._secret import SecretKey
from cpay_signing._wire import sign_request_parameters

__all__ = ["CPayAuth"]

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"


class CPayAuth(httpx.Auth):
    """Signs C-Pay requests for ``httpx.Client`` and ``httpx.AsyncClient`` (``auth=CPayAuth(...)``).

    ``merchantId`` and ``sign`` go in the query string of every request, GET and POST alike, as
    ``openapi.yaml`` declares them; the signature covers the query string and, for a POST, its
    ``application/x-www-form-urlencoded`` body, as the server decodes them. ``sign_request_parameters`` (the one
    signer of the toolkit) does the work: see it for the rules (a ``merchantId`` already sent is kept, a
    ``sign`` already sent is replaced, a repeated name or text that is not form-encoded UTF-8 raises
    ``MalformedParametersError``). Everything else (the other parameters' bytes and order, headers, extensions
    such as the timeout) is kept as it was.

    Any other body (JSON, multipart) raises ``CPayError``: the document signs only these two forms.
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
        """Return ``request`` signed: the same object with a new URL, or a copy with a new URL and form body."""
        media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        if media_type == FORM_MEDIA_TYPE:
            query, body = sign_request_parameters(
                request.url.query, request.content, merchant_id=self.merchant_id, secret_key=self._secret_key
            )
            headers = request.headers.copy()
            headers.pop("transfer-encoding", None)
            headers["content-length"] = str(len(body))
            return httpx.Request(
                request.method,
                request.url.copy_with(query=query),
                headers=headers,
                content=body,
                extensions=request.extensions,
            )
        if request.content:
            raise CPayError(
                f"cannot sign a {media_type or 'untyped'} request body: C-Pay signs query strings and "
                f"{FORM_MEDIA_TYPE} bodies only (section 16)"
            )
        query, _ = sign_request_parameters(
            request.url.query, None, merchant_id=self.merchant_id, secret_key=self._secret_key
        )
        request.url = request.url.copy_with(query=query)
        return request
