"""The one mask of sensitive parameter values, shared by the SDK's call log, the emulator and the proxy.

``openapi.yaml`` marks each field whose value must never be shown with ``x-cpay-sensitive: true``: pwpp's card
data (section 12). ``SENSITIVE_FIELDS`` is that list as the SDK knows it (a test holds it to the spec); the
emulator and the proxy, which read the spec, pass the fields it marks as well. Every place that writes a
parameter value where people read it (the ``cpay`` logger's DEBUG line, the emulator's sign-error message, the
proxy's recording, log and violation messages) masks it with ``mask_sensitive``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Final

from cpay._secret import SecretKey

__all__ = ["MASK", "SENSITIVE_FIELDS", "mask_sensitive"]

MASK: Final = "***"
"""What a masked value becomes (a card number keeps its last four digits: see ``mask_sensitive``)."""
SENSITIVE_FIELDS: Final = frozenset({"cardNumber", "cvv", "expDate"})
"""The fields ``openapi.yaml`` marks ``x-cpay-sensitive: true``: the card number, CVV and expiry of ``pwpp``."""
_SHORTEST_CARD: Final = 12
_LAST_FOUR: Final = frozenset({"cardNumber"})
"""Fields shown as on a receipt: PCI DSS lets the last four digits of a card number be displayed, and the proxy's
``replay`` needs them (they select the emulator's test outcomes: ``0002`` declined, ``3220`` 3-D Secure)."""


def mask_sensitive(
    parameters: Mapping[str, str],
    *,
    sensitive: Collection[str] = SENSITIVE_FIELDS,
    secret: str | SecretKey | None = None,
) -> dict[str, str]:
    """A copy of ``parameters`` (names to text values) with every value that must not be shown masked.

    * A ``sensitive`` field's value becomes ``***``; a card number keeps its last four digits
      (``************1111``), unless it is shorter than any card number (12 digits): then four are too many.
    * Any value that contains ``secret`` (a merchant's secret key, pasted into a remark, say) becomes ``***``.
    * An empty value stays empty: there is nothing to hide, and the signature leaves it out (section 16).

    Names are kept, so a reader still sees which fields were sent.
    """
    key = secret.reveal() if isinstance(secret, SecretKey) else secret
    masked = dict(parameters)
    for name, value in masked.items():
        if not value:
            continue
        if key and key in value:
            masked[name] = MASK
        elif name in _LAST_FOUR and name in sensitive and len(value) >= _SHORTEST_CARD:
            masked[name] = "*" * (len(value) - 4) + value[-4:]
        elif name in sensitive:
            masked[name] = MASK
    return masked
