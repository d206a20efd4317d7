"""``OrderStatus``: the one enum of an order's state, for webhooks, the generated client and the emulator.

It is the generated client's own class (``cpay_client.models.OrderStatus``, made from the spec's
``OrderStatus`` schema), so a webhook's ``event.order_status`` and a polled ``order.status`` are the same
members (``is`` holds across both), and an unknown value follows the one rule of every generated enum: a
pseudo-member named ``UNKNOWN`` that equals the raw value, whose ``is_known`` is false
(``generator/templates/str_enum.py.jinja``). ``cpay`` imports this module, and so the generated package,
on first use, as it does for ``CPayClient``.
"""

from __future__ import annotations

from typing import Final

from cpay_client.models import OrderStatus

__all__ = ["FINAL_ORDER_STATUSES", "OrderStatus"]

FINAL_ORDER_STATUSES: Final[frozenset[OrderStatus]] = frozenset({OrderStatus.COMPLETED, OrderStatus.CLOSED})
"""The statuses an order never leaves (the spec's ``OrderStatus``: "14 and 15 are final"). An unknown status
is not among them: a receiver cannot know that a status newer than its client is final."""
