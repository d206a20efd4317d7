"""Where the suite points and as whom: read from ``CPAY_*`` environment variables, the emulator's demo by default.

The runner (``make conformance``) sets these for the ``st run`` it starts; a user who calls ``st run`` directly
sets them by hand. ``CPAY_SECRET_KEY`` is read into a ``SecretKey`` and never printed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import attrs

from cpay import SecretKey
from cpay_conformance._codes import DOCUMENT_CODES, CodeBook, emulator_codes

__all__ = ["EMULATOR", "REMOTE", "Target"]

EMULATOR = "emulator"
REMOTE = "remote"
_TRUE = frozenset({"1", "true", "yes", "on"})


def _demo_credentials() -> tuple[str, str]:
    from cpay_emulator import DEMO_MERCHANT_ID, DEMO_SECRET_KEY

    return DEMO_MERCHANT_ID, DEMO_SECRET_KEY


def _secret_key(value: str | SecretKey) -> SecretKey:
    return SecretKey.of(value)


@attrs.frozen(kw_only=True)
class Target:
    """The deployment under test: the merchant to sign as, whether writes are allowed, what its codes mean.

    ``kind`` is ``emulator`` (all operations; the emulator's error codes) or ``remote`` (read-only unless
    ``allow_writes``; the document's codes plus any given in ``CPAY_BUSINESS_CODES``/``CPAY_SIGN_ERROR_CODES``).
    ``allow_writes`` is about hosts other than this machine: a POST to a loopback address is always signed,
    any other only with the opt-in (``CPAY_WRITE=1``), whatever the kind.
    """

    kind: str = attrs.field(validator=attrs.validators.in_((EMULATOR, REMOTE)))
    merchant_id: str
    secret_key: SecretKey = attrs.field(converter=_secret_key, repr=False)
    allow_writes: bool
    codes: CodeBook
    destination: str = ""
    """The deployment behind the URL the suite calls, when that URL is a proxy (``make conformance PROXY=1``): the
    write guard judges this host, so a proxy on this machine does not open a remote deployment to writes."""

    @classmethod
    def emulator(
        cls, merchant_id: str | None = None, secret_key: str | SecretKey | None = None, *, allow_writes: bool = False
    ) -> Target:
        """The emulator, as its demo merchant unless told otherwise (on loopback, writes need no opt-in)."""
        demo_id, demo_secret = _demo_credentials()
        return cls(
            kind=EMULATOR,
            merchant_id=merchant_id or demo_id,
            secret_key=secret_key or demo_secret,
            allow_writes=allow_writes,
            codes=emulator_codes(),
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Target:
        """``CPAY_TARGET`` (emulator|remote), ``CPAY_MERCHANT_ID``, ``CPAY_SECRET_KEY``, ``CPAY_WRITE`` (1 = opt in).

        ``CPAY_DESTINATION_URL``: the deployment behind a proxy the suite calls (see ``destination``).
        """
        kind = environ.get("CPAY_TARGET", EMULATOR).strip().lower() or EMULATOR
        merchant_id = environ.get("CPAY_MERCHANT_ID", "").strip()
        secret_key = environ.get("CPAY_SECRET_KEY", "")
        allow_writes = environ.get("CPAY_WRITE", "").strip().lower() in _TRUE
        destination = environ.get("CPAY_DESTINATION_URL", "").strip()
        if kind == EMULATOR:
            target = cls.emulator(merchant_id or None, secret_key or None, allow_writes=allow_writes)
        elif kind == REMOTE:
            if not merchant_id or not secret_key:
                raise ValueError("a remote target needs CPAY_MERCHANT_ID and CPAY_SECRET_KEY (MERCHANT_ID, SECRET_KEY)")
            target = cls(
                kind=REMOTE,
                merchant_id=merchant_id,
                secret_key=secret_key,
                allow_writes=allow_writes,
                codes=DOCUMENT_CODES,
            )
        else:
            raise ValueError(f"CPAY_TARGET must be {EMULATOR!r} or {REMOTE!r}, not {kind!r}")
        return attrs.evolve(target, codes=target.codes.with_overrides(environ), destination=destination)
