"""The C-Pay conformance suite: Schemathesis property-tests ``openapi.yaml`` against the emulator or a deployment.

``make conformance`` runs ``python -m cpay_conformance`` (see ``_runner``); ``st run`` picks up the same auth and
checks through ``schemathesis.toml``'s hooks file (``tests/conformance/st_hooks.py``), which calls ``install``.
"""

from cpay_conformance._auth import CPaySignAuth, SigningMode, WriteRefusedError, is_loopback_url
from cpay_conformance._checks import CHECK_NAMES, REPLACED_BUILTIN_CHECKS, activate, active_target
from cpay_conformance._codes import DOCUMENT_CODES, CodeBook, Envelope, emulator_codes, read_envelope
from cpay_conformance._generation import map_case  # noqa: F401 - registers the generation hook
from cpay_conformance._setup import CONFIG_PATH, REPO_ROOT, SPEC_PATH, install, load_schema, signing_auth
from cpay_conformance._target import EMULATOR, REMOTE, Target

__all__ = [
    "CHECK_NAMES",
    "CONFIG_PATH",
    "DOCUMENT_CODES",
    "EMULATOR",
    "REMOTE",
    "REPLACED_BUILTIN_CHECKS",
    "REPO_ROOT",
    "SPEC_PATH",
    "CPaySignAuth",
    "CodeBook",
    "Envelope",
    "SigningMode",
    "Target",
    "WriteRefusedError",
    "activate",
    "active_target",
    "emulator_codes",
    "install",
    "is_loopback_url",
    "load_schema",
    "read_envelope",
    "signing_auth",
]
