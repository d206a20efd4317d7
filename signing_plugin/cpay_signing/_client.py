"""``create_client``: a ready generated ``cpay_client.Client`` for an environment, signing every request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

import httpx

from cpay_signing._auth import CPayAuth
from cpay_signing._envelope import araise_for_business_error, raise_for_business_error
from cpay_signing._secret import SecretKey
from cpay_signing._transport import AsyncCPayTransport, CPayTransport

if TYPE_CHECKING:
    from cpay_client import Client

__all__ = ["DEFAULT_CONNECT_RETRIES", "DEFAULT_TIMEOUT", "ENVIRONMENTS", "create_client"]

ENVIRONMENTS: Final[Mapping[str, str]] = {
    # Section 2, "Env config". The operations' paths carry the /openapi/v1 prefix themselves.
    "sandbox": "https://sandbox-api.cpay.ltd",
    "production": "https://api.cpay.ltd",
}

DEFAULT_TIMEOUT: Final = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)
"""Fail fast when C-Pay is unreachable; give a slow answer (order creation, payouts) half a minute."""

DEFAULT_CONNECT_RETRIES: Final = 2
"""Retries of a failed connection attempt. Only connecting is retried: nothing was sent, so a payout or an
order cannot be created twice. A request that reached the server is never retried here."""


def create_client(
    environment_or_base_url: str | None = None,
    /,
    *,
    base_url: str | None = None,
    merchant_id: str | int,
    secret_key: str | SecretKey,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    connect_retries: int = DEFAULT_CONNECT_RETRIES,
    headers: Mapping[str, str] | None = None,
    raise_business_errors: bool = True,
) -> Client:
    """A generated ``cpay_client.Client`` whose sync and async calls are signed by ``CPayAuth``.

    Name the server once: positionally, ``"sandbox"``, ``"production"`` or a base URL such as
    ``"http://127.0.0.1:8000"`` (the emulator); or as ``base_url=...``. Both underlying httpx clients get
    the same auth, timeout and headers, and a transport that retries connection failures
    ``connect_retries`` times and raises ``cpay_signing.TransportError`` for network failures. Close the
    client with ``with client:`` / ``async with client:``.

    With ``raise_business_errors`` (the default) every call whose envelope has a ``code`` other than 0
    raises ``cpay_signing.BusinessError`` (from an httpx response hook, before the generated parser);
    without it, such envelopes are returned like successes and ``unwrap`` raises instead.

    Raises ``ValueError`` for an unknown environment name or a server named twice or not at all, and
    ``ImportError`` if the generated client package ``cpay_client`` is not installed.
    """
    from cpay_client import Client  # imported here: the generated package is optional for signing alone

    if (environment_or_base_url is None) == (base_url is None):
        raise ValueError("name the C-Pay server once: an environment or base URL, or base_url=...")
    base_url = _base_url(environment_or_base_url or base_url or "")
    if connect_retries < 0:
        raise ValueError("connect_retries must be 0 or more")
    auth = CPayAuth(merchant_id, secret_key)
    common_headers = dict(headers or {})
    client = Client(base_url=base_url, timeout=timeout, headers=common_headers)
    client.set_httpx_client(
        httpx.Client(
            base_url=base_url,
            auth=auth,
            timeout=timeout,
            headers=common_headers,
            transport=CPayTransport(httpx.HTTPTransport(retries=connect_retries)),
            event_hooks={"response": [raise_for_business_error] if raise_business_errors else []},
        )
    )
    client.set_async_httpx_client(
        httpx.AsyncClient(
            base_url=base_url,
            auth=auth,
            timeout=timeout,
            headers=common_headers,
            transport=AsyncCPayTransport(httpx.AsyncHTTPTransport(retries=connect_retries)),
            event_hooks={"response": [araise_for_business_error] if raise_business_errors else []},
        )
    )
    return client


def _base_url(environment_or_base_url: str) -> str:
    if environment_or_base_url in ENVIRONMENTS:
        return ENVIRONMENTS[environment_or_base_url]
    if environment_or_base_url.startswith(("http://", "https://")):
        return environment_or_base_url.rstrip("/")
    raise ValueError(
        f"unknown C-Pay environment {environment_or_base_url[:100]!r}: "
        f"use {', '.join(map(repr, ENVIRONMENTS))} or an http(s) base URL"
    )
