"""Wiring the suite into Schemathesis: the signing auth and the envelope checks, for ``st run`` or in-process."""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

import schemathesis
import yaml
from schemathesis import BaseSchema

from cpay_conformance._auth import CPaySignAuth
from cpay_conformance._checks import activate
from cpay_conformance._paths import CONFIG_PATH, REPO_ROOT, SPEC_PATH
from cpay_conformance._target import Target

__all__ = ["CONFIG_PATH", "REPO_ROOT", "SPEC_PATH", "install", "load_schema", "signing_auth"]

_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
_installed = threading.Lock()
_global_auth: list[CPaySignAuth] = []


def signing_auth(target: Target, *, in_process: bool = False) -> CPaySignAuth:
    """The auth that signs every generated request as ``target``'s merchant.

    ``in_process``: the requests go to an ASGI app in this process (host ``testserver``), never to a deployment.
    """
    return CPaySignAuth(
        target.merchant_id,
        target.secret_key,
        allow_writes=target.allow_writes or in_process,
        read_only_paths=read_only_paths(),
        destination=target.destination or None,
    )


@functools.cache
def read_only_paths() -> frozenset[str]:
    """Paths of the spec's operations that only read (GET), where another method is a harmless probe."""
    with open(SPEC_PATH, encoding="utf-8") as stream:
        paths = yaml.safe_load(stream).get("paths", {})
    return frozenset(path for path, item in paths.items() if set(item) & _METHODS == {"get"})


def install(target: Target | None = None) -> Target:
    """For ``st run`` (the hooks file calls this): sign every request and judge envelopes for ``target``.

    ``target`` defaults to ``Target.from_env()`` (the ``CPAY_*`` variables). Calling it again re-targets the
    checks and the one global auth; it never registers a second auth.
    """
    target = target or Target.from_env()
    activate(target)
    auth = signing_auth(target)
    with _installed:
        if _global_auth:
            registered = _global_auth[0]
            registered.merchant_id = auth.merchant_id
            registered._secret_key = auth._secret_key
            registered.allow_writes = auth.allow_writes
            registered.read_only_paths = auth.read_only_paths
            registered.destination = auth.destination
        else:
            _global_auth.append(auth)
            # ``schemathesis.auth`` is a function carrying the global auth registry's methods as attributes.
            global_auth: Any = schemathesis.auth
            global_auth.set_from_requests(auth)
    return target


def load_schema(
    target: Target,
    *,
    app: Any = None,
    base_url: str | None = None,
    max_examples: int | None = None,
    phases: list[str] | None = None,
    seed: int | None = None,
    operations: list[str] | None = None,
    spec_path: Path | None = None,
) -> BaseSchema:
    """``openapi.yaml`` with the settings of ``schemathesis.toml``, signed as ``target``, for an in-process run.

    ``app``: an ASGI app to call in-process, or ``base_url``: a server to call over the network.
    ``max_examples``, ``phases`` and ``seed`` override the file's settings (a test keeps its run short; a seeded
    run does not use the example database, so it is repeatable);
    ``operations`` limits the run to these operationIds; ``spec_path`` tests another document than ``openapi.yaml``
    (an edited copy, as the emulator serves it).
    """
    config = schemathesis.Config.from_path(CONFIG_PATH)
    schema: BaseSchema = schemathesis.openapi.from_path(spec_path or SPEC_PATH, config=config)
    if operations is not None:
        schema = schema.include(operation_id=operations)
    if app is not None:
        schema.app = app
    if base_url is not None:
        schema.config.update(base_url=base_url)
    if max_examples is not None:
        schema.config.generation.update(max_examples=max_examples)
    if phases is not None:
        schema.config.phases.update(phases=phases)
    if seed is not None:
        schema.config.seed = seed
        # A seeded run replays nothing from the example database (.hypothesis/): the same seed, the same run.
        schema.config.generation.update(database="none")
    schema.auth.set_from_requests(signing_auth(target, in_process=app is not None))
    activate(target)
    return schema
