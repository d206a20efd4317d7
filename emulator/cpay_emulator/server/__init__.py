"""The emulator's HTTP surfaces over the backends: the C-Pay API (``api`` handlers, ``endpoint`` machinery),
the control API, the cashier page, the API references, the webhook worker, the expiry sweep and the faults a
test arms; ``app`` assembles them.
"""
