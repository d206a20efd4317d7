"""The SDK's runtime under its name before 2.0.0: ``import cpay`` instead.

Every public name of ``cpay`` is here too, so code written for ``cpay_signing`` keeps working through the 2.x
releases; importing it warns (``DeprecationWarning``) and it goes away in 3.0.0.
"""

import warnings as _warnings

from cpay import *  # noqa: F403 - the whole public API, under the old name
from cpay import __all__ as __all__

_warnings.warn(
    "cpay_signing is now cpay: import cpay instead (cpay_signing goes away in cpay-openapi 3.0.0)",
    DeprecationWarning,
    stacklevel=2,
)
