"""``create_client``: a ready generated client (``CPayClient``) for an environment, signing every request.

The client's behaviour lives in the transports ``_runtime`` installs: retries of reads (``_retry``),
lost-response recovery of writes (``_recovery``) and logging (``_calllog``); ``_signed_client`` assembles it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final

import httpx

from cpay._auth import CPayAuth
from cpay._calllog import configure_from_environment, redact_httpx_request_lines
from cpay._recovery import DEFAULT_DUPLICATE_CODES, DEFAULT_NOT_FOUND_CODES, RecoverySettings
from cpay._retry import (
    DEFAULT_INITIAL_RETRY_DELAY,
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_RETRY_DELAY,
    RetryPolicy,
)
from cpay._secret import SecretKey
from cpay._wire import CredentialsPlacement

if TYPE_CHECKING:
    from cpay._signed_client import CPayClient

__all__ = ["DEFAULT_CONNECT_RETRIES", "DEFAULT_TIMEOUT", "ENVIRONMENTS", "create_client"]

ENVIRONMENTS: Final[Mapping[str, str]] = {
    # Section 2, "Env config". The operations' paths carry the /openapi/v1 prefix themselves.
    "sandbox": "https://sandbox-api.cpay.ltd",
    "production": "https://api.cpay.ltd",
    # The vendor's reference (cpayfinance/document, api-host.md) and its Go SDK's sandbox config name this host
    # "testing"; the document's examples of sections 4 and 9 use it. Plain HTTP: nothing is encrypted.
    "testing": "http://8.142.157.45:9075",
}

DEFAULT_TIMEOUT: Final = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)
"""Fail fast when C-Pay is unreachable; give a slow answer (order creation, payouts) half a minute."""

DEFAULT_CONNECT_RETRIES: Final = 2
"""Retries of a failed connection attempt, for every call: nothing was sent, so a payout or an order cannot be
created twice. A write that reached the server is never re-sent blindly (see ``recover_lost_writes``)."""


def create_client(
    environment_or_base_url: str | None = None,
    /,
    *,
    base_url: str | None = None,
    merchant_id: str | int,
    secret_key: str | SecretKey,
    credentials_in: CredentialsPlacement = "query",
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    connect_retries: int | None = None,
    headers: Mapping[str, str] | None = None,
    raise_business_errors: bool = True,
    max_retries: int = DEFAULT_MAX_RETRIES,
    initial_retry_delay: float = DEFAULT_INITIAL_RETRY_DELAY,
    max_retry_delay: float = DEFAULT_MAX_RETRY_DELAY,
    recover_lost_writes: bool = False,
    duplicate_codes: Iterable[int] = DEFAULT_DUPLICATE_CODES,
    not_found_codes: Iterable[int] = DEFAULT_NOT_FOUND_CODES,
    transport: httpx.BaseTransport | None = None,
    async_transport: httpx.AsyncBaseTransport | None = None,
) -> CPayClient:
    """A generated ``cpay_client.Client`` (a ``CPayClient``) whose sync and async calls are signed by ``CPayAuth``.

    Name the server once: positionally, ``"sandbox"``, ``"production"``, ``"testing"`` (the vendor's plain-HTTP
    test host, ``ENVIRONMENTS``) or a base URL such as
    ``"http://127.0.0.1:8000"`` (the emulator); or as ``base_url=...``. Both underlying httpx clients get
    the same auth, timeout and headers. Close the client with ``with client:`` / ``async with client:``.

    ``merchantId`` and ``sign`` travel in every request's query string, as ``openapi.yaml`` declares; with
    ``credentials_in="body"`` a POST carries them in its form body instead, as the vendor's Go and PHP SDKs
    send them. C-Pay reads both places (docs/site/signature.md, "Where the credentials travel").

    * Network failures raise ``cpay.TransportError``. A failed connection is retried
      ``connect_retries`` times (default ``DEFAULT_CONNECT_RETRIES``) for every call: nothing was sent.
    * Read-only calls (GET) are retried ``max_retries`` times on timeouts, connection errors, HTTP 408, 429 and
      5xx, after ``initial_retry_delay`` seconds doubling up to ``max_retry_delay``, with jitter, or after the
      server's ``Retry-After`` (up to 60 s; a longer one returns the response at once). Each attempt's
      connection is itself retried ``connect_retries`` times by the default transport.
    * Writes (POST) are sent once. With ``recover_lost_writes``, a write that carries a ``merchantTradeNo``
      and whose response is lost (read timeout, reset, 5xx) is looked up with ``getOrderDetail``: the order
      found is returned (``cpay.recovery_of(envelope)`` says so) or, where the operation's result
      cannot be rebuilt from it, raised as ``RecoveredOrderError``; when no order exists the write is sent
      once more; otherwise ``OutcomeUnknownError``. ``duplicate_codes`` and ``not_found_codes`` are the
      ``code`` values meaning "merchantTradeNo already used" and "no such order" (default: the emulator's).
    * Each call is logged on the ``cpay`` logger; ``CPAY_LOG=info|debug`` in the environment turns it on.
    * ``client.with_options(max_retries=..., ...)`` gives a client with other settings for some calls.

    With ``raise_business_errors`` (the default) every call whose envelope has a ``code`` other than 0
    raises ``cpay.BusinessError`` (from an httpx response hook, before the generated parser);
    without it, such envelopes are returned like successes and ``unwrap`` raises instead.

    ``transport`` / ``async_transport`` replace the default ``httpx.HTTPTransport(retries=connect_retries)``
    (and its async twin) under the client's own: an ``httpx.MockTransport`` in tests, an
    ``httpx.ASGITransport`` for the emulator in-process, a transport with a proxy.

    Raises ``ValueError`` for an unknown environment name, a server named twice or not at all, an invalid
    setting or ``CPAY_LOG`` value, and ``ImportError`` if the generated package ``cpay_client`` is missing.
    """
    from cpay._signed_client import ClientSetup, build_client  # imports the generated package

    if (environment_or_base_url is None) == (base_url is None):
        raise ValueError("name the C-Pay server once: an environment or base URL, or base_url=...")
    base_url = _base_url(environment_or_base_url or base_url or "")
    if connect_retries is not None and connect_retries < 0:
        raise ValueError("connect_retries must be 0 or more")
    if connect_retries is not None and (transport is not None or async_transport is not None):
        raise ValueError("connect_retries configures the default transport: give it or a transport, not both")
    retries = DEFAULT_CONNECT_RETRIES if connect_retries is None else connect_retries
    configure_from_environment()
    redact_httpx_request_lines()
    key = SecretKey.of(secret_key)
    setup = ClientSetup(
        base_url=base_url,
        auth=CPayAuth(merchant_id, key, credentials_in=credentials_in),
        secret_key=key,
        timeout=timeout,
        headers=dict(headers or {}),
        cookies={},
        raise_business_errors=raise_business_errors,
        retry=RetryPolicy(max_retries=max_retries, initial_delay=initial_retry_delay, max_delay=max_retry_delay),
        recovery=RecoverySettings(
            enabled=recover_lost_writes,
            duplicate_codes=frozenset(duplicate_codes),
            not_found_codes=frozenset(not_found_codes),
        ),
        transport=transport or httpx.HTTPTransport(retries=retries),
        async_transport=async_transport or httpx.AsyncHTTPTransport(retries=retries),
    )
    return build_client(setup, owns=True)


def _base_url(environment_or_base_url: str) -> str:
    if environment_or_base_url in ENVIRONMENTS:
        return ENVIRONMENTS[environment_or_base_url]
    if environment_or_base_url.startswith(("http://", "https://")):
        return environment_or_base_url.rstrip("/")
    raise ValueError(
        f"unknown C-Pay environment {environment_or_base_url[:100]!r}: "
        f"use {', '.join(map(repr, ENVIRONMENTS))} or an http(s) base URL"
    )
