"""httpx clients that sign each request as they build it (``create_client`` uses them instead of ``auth=``).

``CPayAuth`` as an ``httpx.Auth`` signs a request httpx has already built, and setting its new query string
makes httpx parse and validate the whole URL again. These clients sign the parameters first
(``CPayAuth.sign_parameters``) and hand httpx a URL that already carries ``merchantId`` and ``sign``, so it
is parsed once; anything that path does not take (a body other than a form, values httpx must format) is
built as usual and signed by ``CPayAuth.sign_request``. Either way the one signer,
``sign_request_parameters``, does the signing.
"""

from __future__ import annotations

from typing import Any

import httpx

from cpay._auth import FORM_MEDIA_TYPE, CPayAuth

__all__ = ["AsyncSignedHttpxClient", "SignedHttpxClient"]


class _SignsWhenBuilding:
    signer: CPayAuth

    def _signed(self, build: Any, method: str, url: httpx.URL | str, kwargs: dict[str, Any]) -> httpx.Request:
        params = kwargs.pop("params", None)
        data = kwargs.pop("data", None)
        plain = (
            isinstance(url, str)
            and "?" not in url
            and kwargs.get("content") is None
            and kwargs.get("files") is None
            and kwargs.get("json") is None
        )
        signed = self.signer.sign_parameters(params, data) if plain else None
        if signed is None:
            request: httpx.Request = build(method, url, params=params, data=data, **kwargs)
            return self.signer.sign_request(request)
        query, body = signed
        if body is not None:
            headers = httpx.Headers(kwargs.get("headers"))
            headers.setdefault("content-type", FORM_MEDIA_TYPE)
            kwargs["headers"] = headers
            kwargs["content"] = body
        built: httpx.Request = build(method, f"{url}?{query}", **kwargs)
        return built


class SignedHttpxClient(_SignsWhenBuilding, httpx.Client):
    """An ``httpx.Client`` whose every request is signed by ``signer`` when it is built."""

    def __init__(self, *, signer: CPayAuth, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.signer = signer

    def build_request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Request:
        return self._signed(super().build_request, method, url, kwargs)


class AsyncSignedHttpxClient(_SignsWhenBuilding, httpx.AsyncClient):
    """The ``httpx.AsyncClient`` twin of ``SignedHttpxClient``."""

    def __init__(self, *, signer: CPayAuth, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.signer = signer

    def build_request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Request:
        return self._signed(super().build_request, method, url, kwargs)
