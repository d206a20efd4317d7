"""``CPayClient``: the generated ``cpay_client.Client`` as ``create_client`` builds it, with ``with_options``.

A subclass, so every generated function takes it (``client: AuthenticatedClient | Client``). It remembers how
it was built (``ClientSetup``) so that ``with_options(max_retries=0)`` (and the generated ``with_headers``,
``with_cookies``, ``with_timeout``, whose upstream versions return a copy without the signed httpx clients)
give a new client with changed settings, signed like its parent and sharing its connection pool. The parent
is never changed. The pool belongs to the parent: close the parent, not the derived clients, to release it.

This module imports the generated package, so ``cpay`` imports it only when a client is made.
"""

from __future__ import annotations

from typing import Any

import attrs
import httpx

from cpay._auth import CPayAuth
from cpay._envelope import araise_for_business_error, raise_for_business_error
from cpay._recovery import RecoverySettings
from cpay._retry import RetryPolicy
from cpay._runtime import AsyncRuntimeTransport, CallRuntime, RuntimeTransport
from cpay._secret import SecretKey
from cpay._signed_httpx import AsyncSignedHttpxClient, SignedHttpxClient
from cpay_client import Client

__all__ = ["CPayClient", "ClientSetup", "build_client"]


@attrs.frozen(kw_only=True)
class ClientSetup:
    """Everything a ``CPayClient`` is made of; ``with_options`` evolves it."""

    base_url: str
    auth: CPayAuth
    secret_key: SecretKey = attrs.field(repr=False)
    timeout: httpx.Timeout
    headers: dict[str, str]
    cookies: dict[str, str]
    raise_business_errors: bool
    retry: RetryPolicy
    recovery: RecoverySettings
    transport: httpx.BaseTransport
    async_transport: httpx.AsyncBaseTransport


@attrs.define
class CPayClient(Client):
    """The generated ``cpay_client.Client``, signed, with retries, optional lost-write recovery and logging.

    Made by ``cpay.create_client``. Pass it as ``client=`` to any generated function; close it with
    ``with client:`` / ``async with client:``. ``with_options`` gives a client with other settings for some
    calls (``get_order_detail.sync(client=client.with_options(max_retries=5), ...)``).
    """

    _setup: ClientSetup = attrs.field(kw_only=True, alias="setup", repr=False)

    def with_options(
        self,
        *,
        max_retries: int | None = None,
        initial_retry_delay: float | None = None,
        max_retry_delay: float | None = None,
        timeout: httpx.Timeout | None = None,
        recover_lost_writes: bool | None = None,
    ) -> CPayClient:
        """A client like this one with the settings given changed; the others, the signature and the
        connection pool are shared. ``None`` keeps a setting. Raises ``ValueError`` for an invalid one."""
        setup = self._setup
        retry = setup.retry
        retry = attrs.evolve(
            retry,
            max_retries=retry.max_retries if max_retries is None else max_retries,
            initial_delay=retry.initial_delay if initial_retry_delay is None else initial_retry_delay,
            max_delay=retry.max_delay if max_retry_delay is None else max_retry_delay,
        )
        recovery = setup.recovery
        if recover_lost_writes is not None:
            recovery = attrs.evolve(recovery, enabled=recover_lost_writes)
        return build_client(
            attrs.evolve(setup, retry=retry, recovery=recovery, timeout=setup.timeout if timeout is None else timeout),
            owns=False,
        )

    def with_headers(self, headers: dict[str, str]) -> CPayClient:
        """A client like this one that also sends ``headers`` (this one is not changed)."""
        return build_client(attrs.evolve(self._setup, headers={**self._setup.headers, **headers}), owns=False)

    def with_cookies(self, cookies: dict[str, str]) -> CPayClient:
        """A client like this one that also sends ``cookies`` (this one is not changed)."""
        return build_client(attrs.evolve(self._setup, cookies={**self._setup.cookies, **cookies}), owns=False)

    def with_timeout(self, timeout: httpx.Timeout) -> CPayClient:
        """A client like this one with another timeout (this one is not changed)."""
        return self.with_options(timeout=timeout)


def build_client(setup: ClientSetup, *, owns: bool) -> CPayClient:
    """A ``CPayClient`` whose httpx clients run ``setup``'s transports through the runtime transports.

    ``owns``: whether closing it closes the transports (the first client), or leaves them to their owner.
    """
    runtime = CallRuntime(
        retry=setup.retry,
        recovery=setup.recovery,
        secret_key=setup.secret_key,
        sign=lambda request: next(setup.auth.sync_auth_flow(request)),
    )
    common: dict[str, Any] = {
        "base_url": setup.base_url,
        "signer": setup.auth,
        "timeout": setup.timeout,
        "headers": setup.headers,
        "cookies": setup.cookies,
    }
    client = CPayClient(
        base_url=setup.base_url, timeout=setup.timeout, headers=setup.headers, cookies=setup.cookies, setup=setup
    )
    client.set_httpx_client(
        SignedHttpxClient(
            **common,
            transport=RuntimeTransport(setup.transport, runtime, owns=owns),
            event_hooks={"response": [raise_for_business_error] if setup.raise_business_errors else []},
        )
    )
    client.set_async_httpx_client(
        AsyncSignedHttpxClient(
            **common,
            transport=AsyncRuntimeTransport(setup.async_transport, runtime, owns=owns),
            event_hooks={"response": [araise_for_business_error] if setup.raise_business_errors else []},
        )
    )
    return client
