"""Allocation runs by itself in the worker when review approves an order (outbox `order.approved`)."""

from __future__ import annotations

from oms.accounts.actor import Actor
from oms.fulfillment.errors import AlreadyAllocated, NotAllocatable
from oms.fulfillment.services import allocate_order
from oms.notifications.outbox import subscribe_batch
from oms.orders.errors import OrderNotFound


@subscribe_batch("order.approved")
def allocate_approved_orders(payloads: list[dict]) -> None:
    for payload in payloads:
        try:
            allocate_order(order_no=payload["order_no"], actor=Actor.system())
        except (NotAllocatable, AlreadyAllocated, OrderNotFound):
            pass  # cancelled meanwhile, a person allocated it first, or nothing to allocate at all
