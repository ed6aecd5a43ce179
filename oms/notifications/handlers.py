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


@subscribe("refund.issued")
def tell_buyer_refund_issued(payload: dict) -> None:
    """A refund was executed: tell the buyer the amount, once per refund."""
    from oms.notifications.services import notify_buyer
    from oms.payments.models import Refund

    refund = Refund.objects.select_related("order__channel").filter(number=payload.get("refund")).first()
    if refund is None:
        log.error("refund.issued for unknown refund %r: no message sent", payload.get("refund"))
        return
    notify_buyer(order=refund.order, event=MessageEvent.REFUND_ISSUED, dedup_key=f"refund_issued:{refund.number}",
                 extra={"refund_amount": f"{refund.amount:.2f}"})


@subscribe("order.cancelled")
def tell_buyer_cancelled(payload: dict) -> None:
    """An order was cancelled: tell the buyer why, in the language of the channel's messages (once per order)."""
    from django.utils import translation

    from oms.notifications.services import channel_language, notify_buyer
    from oms.orders.cancellation import REASON_LABELS
    from oms.orders.models import Order

    order = Order.objects.select_related("channel").filter(order_no=payload.get("order_no")).first()
    if order is None:
        log.error("order.cancelled for unknown order %r: no message sent", payload.get("order_no"))
        return
    reason = str(payload.get("reason") or "")
    with translation.override(channel_language(order.channel_id)):
        label = str(REASON_LABELS.get(reason, reason))
    event = MessageEvent.ORDER_CANCELLED
    notify_buyer(order=order, event=event, dedup_key=f"{event.value}:{order.order_no}",
                 extra={"cancel_reason": label})


@subscribe("after_sales.approved")
def tell_buyer_return_approved(payload: dict) -> None:
    """A return or exchange was approved: send the return address and the request number, once per request."""
    from oms.notifications.services import notify_buyer
    from oms.orders.models import Order

    order = Order.objects.select_related("channel").filter(order_no=payload.get("order_no")).first()
    if order is None:
        log.error("after_sales.approved for unknown order %r: no message sent", payload.get("order_no"))
        return
    number = payload.get("request_no", "")
    notify_buyer(order=order, event=MessageEvent.RETURN_APPROVED, dedup_key=f"return_approved:{number}",
                 extra={"request_no": number, "return_address": payload.get("return_address", "")})


@subscribe("after_sales.rejected")
def tell_buyer_after_sales_rejected(payload: dict) -> None:
    """An after-sales request was rejected: tell the buyer why, once per request."""
    from oms.notifications.services import notify_buyer
    from oms.orders.models import Order

    order = Order.objects.select_related("channel").filter(order_no=payload.get("order_no")).first()
    if order is None:
        log.error("after_sales.rejected for unknown order %r: no message sent", payload.get("order_no"))
        return
    number = payload.get("request_no", "")
    notify_buyer(order=order, event=MessageEvent.AFTER_SALES_REJECTED, dedup_key=f"after_sales_rejected:{number}",
                 extra={"request_no": number, "reject_reason": payload.get("reject_reason", "")})
