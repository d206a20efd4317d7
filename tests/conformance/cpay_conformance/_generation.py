"""Generation hooks: make Schemathesis's positive cases valid under the rules it does not read (see ``_rules``).

Registered with Schemathesis on import; inactive until ``activate`` names a target, like the checks.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import Case, HookContext

from cpay_conformance._checks import active_target
from cpay_conformance._rules import drop_credentials, spec_rules

__all__ = ["map_case"]


@schemathesis.hook
def map_case(context: HookContext, case: Case[Any]) -> Case[Any]:
    """Drop generated ``merchantId``/``sign`` extras; repair the JSON-in-string fields of positive cases."""
    if active_target() is not None:
        drop_credentials(case)
        spec_rules().repair_json_fields(case)
    return case
