"""Allocation runs by itself in the worker when review approves an order (outbox `order.approved`)."""

from __future__ import annotations

from oms.accounts.actor import Actor
from oms.fulfillment.errors import AlreadyAllocated, NotAllocatable
from oms.fulfillment.services import allocate_order
from oms.notifications.outbox import subscribe
from oms.orders.errors import OrderNotFound


# One message per transaction, not batches: an allocation locks its order and then stock levels,
# and a second order locked after those levels would break the lock order (orders first).
@subscribe("order.approved")
def allocate_approved_order(payload: dict) -> None:
    try:
        allocate_order(order_no=payload["order_no"], actor=Actor.system())
    except (NotAllocatable, AlreadyAllocated, OrderNotFound):
        pass  # cancelled meanwhile, a person allocated it first, or nothing to allocate at all
