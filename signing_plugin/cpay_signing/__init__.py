"""Request signing and webhook verification for the C-Pay API v2.0 (document sections 15 and 16).

Import everything from here; the underscored modules are private.
"""

from cpay_signing._errors import BusinessError, CPayError, SignatureError, TransportError, WebhookPayloadError
from cpay_signing._secret import SecretKey
from cpay_signing._sign import SignableParams, compute_sign, signing_payload, verify_sign

__all__ = [
    "BusinessError",
    "CPayError",
    "SecretKey",
    "SignableParams",
    "SignatureError",
    "TransportError",
    "WebhookPayloadError",
    "compute_sign",
    "signing_payload",
    "verify_sign",
]
