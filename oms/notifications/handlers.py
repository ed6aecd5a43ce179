"""Outbox subscriptions of buyer messaging (imported when the app is ready)."""

from __future__ import annotations

import logging

from oms.notifications.models import MessageEvent
from oms.notifications.outbox import subscribe

log = logging.getLogger(__name__)
ORDER_APPROVED = "order.approved"


@subscribe(ORDER_APPROVED)
def confirm_order_to_buyer(payload: dict) -> None:
    """Review approved an order: tell the buyer on every medium they can receive (once per order)."""
    from oms.notifications.services import notify_buyer
    from oms.orders.models import Order

    order_no = payload.get("order_no") if isinstance(payload, dict) else None
    order = Order.objects.select_related("channel").filter(order_no=order_no).first() if order_no else None
    if order is None:  # nothing to retry: the order does not exist
        log.error("%s for unknown order %r: no confirmation sent", ORDER_APPROVED, order_no)
        return
    event = MessageEvent.ORDER_CONFIRMED
    notify_buyer(order=order, event=event, dedup_key=f"{event.value}:{order_no}")


@subscribe("order.shipped")
def tell_buyer_shipped(payload: dict) -> None:
    """A parcel of the order was handed to its carrier: tell the buyer the carrier and tracking number."""
    from oms.notifications.services import notify_buyer
    from oms.orders.models import Order

    order = Order.objects.select_related("channel").filter(order_no=payload.get("order_no")).first()
    if order is None:
        log.error("order.shipped for unknown order %r: no message sent", payload.get("order_no"))
        return
    event = MessageEvent.ORDER_SHIPPED
    notify_buyer(order=order, event=event, dedup_key=f"{event.value}:{order.order_no}:{payload.get('package')}",
                 extra={"carrier_name": payload.get("carrier_name", ""), "tracking_no": payload.get("tracking_no", "")})
