"""``CPayAuth``: an ``httpx.Auth`` that adds ``merchantId`` and ``sign`` to every request (document section 16)."""

from __future__ import annotations

from collections.abc import Generator, Mapping
from urllib.parse import quote, urlencode

import httpx

from cpay._errors import CPayError
from cpay._secret import SecretKey
from cpay._wire import CredentialsPlacement, sign_request_parameters

__all__ = ["CPayAuth"]

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"


class CPayAuth(httpx.Auth):
    """Signs C-Pay requests for ``httpx.Client`` and ``httpx.AsyncClient`` (``auth=CPayAuth(...)``).

    ``merchantId`` and ``sign`` go in the query string of every request, GET and POST alike, as
    ``openapi.yaml`` declares them; with ``credentials_in="body"`` a POST carries them at the end of its form
    body instead, as the vendor's own SDKs send them (a GET still carries them in its query string). C-Pay
    reads both places. The signature covers the query string and, for a POST, its
    ``application/x-www-form-urlencoded`` body, as the server decodes them. ``sign_request_parameters`` (the one
    signer of the toolkit) does the work: see it for the rules (a ``merchantId`` already sent is kept, a
    ``sign`` already sent is replaced, a repeated name or text that is not form-encoded UTF-8 raises
    ``MalformedParametersError``). Everything else (the other parameters' bytes and order, headers, extensions
    such as the timeout) is kept as it was.

    Any other body (JSON, multipart) raises ``CPayError``: the document signs only these two forms.
    """

    requires_request_body = True

    merchant_id: str
    credentials_in: CredentialsPlacement

    def __init__(
        self, merchant_id: str | int, secret_key: str | SecretKey, *, credentials_in: CredentialsPlacement = "query"
    ) -> None:
        merchant_id = str(merchant_id)
        if not merchant_id:
            raise ValueError("merchant_id is empty")
        if credentials_in not in ("query", "body"):
            raise ValueError(f"credentials_in must be 'query' or 'body', not {credentials_in!r}")
        self.merchant_id = merchant_id
        self.credentials_in = credentials_in
        self._secret_key = SecretKey.of(secret_key)

    def __repr__(self) -> str:
        placement = "" if self.credentials_in == "query" else f", credentials_in={self.credentials_in!r}"
        return f"CPayAuth(merchant_id={self.merchant_id!r}, secret_key={self._secret_key!r}{placement})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield self.sign_request(request)

    def sign_request(self, request: httpx.Request) -> httpx.Request:
        """Return ``request`` signed: the same object with a new URL, or a copy with a new URL and form body."""
        media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        if media_type == FORM_MEDIA_TYPE:
            query, body = sign_request_parameters(
                request.url.query,
                request.content,
                merchant_id=self.merchant_id,
                secret_key=self._secret_key,
                credentials_in=self.credentials_in,
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

    def sign_parameters(self, params: object, data: object) -> tuple[str, bytes | None] | None:
        """Sign a request's parameters before httpx builds it: ``(query string, form body or None)``, or ``None``.

        ``params`` (query) and ``data`` (form body) are what a caller hands ``httpx.Client.request``. When each is
        ``None`` or a mapping of ``str`` names to plain ``str`` or ``int`` values (what the generated client
        passes), they are form-encoded here and signed by ``sign_request_parameters``, so the URL httpx then
        parses already carries ``merchantId`` and ``sign``. Otherwise (another value type, whose text httpx
        chooses) the answer is ``None``: build the request, then ``sign_request`` it.

        The result decodes to the same parameters as ``sign_request`` over httpx's own encoding (a test pins
        that). It exists for speed: ``sign_request`` has httpx parse and validate the whole URL a second time
        (``URL.copy_with``, about 20 us of a 150 us in-process call, measured by ``bench/bench_client.py``).
        """
        query = _plain_form(params)
        body = _plain_form(data) if data is not None else ""
        if query is None or body is None:
            return None
        signed_query, signed_body = sign_request_parameters(
            query,
            None if data is None else body,
            merchant_id=self.merchant_id,
            secret_key=self._secret_key,
            credentials_in=self.credentials_in,
        )
        return signed_query.decode("ascii"), signed_body


def _plain_form(fields: object) -> str | None:
    """``fields`` form-encoded, or ``None`` when it is not a mapping of names to exact ``str``/``int`` values."""
    if fields is None:
        return ""
    if not isinstance(fields, Mapping):
        return None
    pairs: list[tuple[str, str]] = []
    for name, value in fields.items():
        if name.__class__ is not str:
            return None
        if value.__class__ is str:
            pairs.append((name, value))
        elif value.__class__ is int:
            pairs.append((name, str(value)))
        else:  # bool, float, None, a str subclass, a list: httpx has its own text for these
            return None
    return urlencode(pairs, quote_via=quote)
