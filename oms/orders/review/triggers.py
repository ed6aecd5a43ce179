"""When review runs by itself: on new and paid orders, and again when a hold reason may have cleared.

These are outbox handlers, so they run in the worker after the change committed; a review
that finds the order already moved on (cancelled, reviewed by a person) does nothing.
"""

from __future__ import annotations

import logging

from oms.accounts.actor import Actor
from oms.notifications.outbox import subscribe
from oms.orders.models import Order
from oms.orders.review.models import OrderHold
from oms.orders.review.services import NotAwaitingReview, review_order
from oms.orders.status import OrderStatus

log = logging.getLogger(__name__)
REREVIEW_BATCH = 500  # held orders re-checked per event; the oldest first


def _review(order_no: str, trigger: str) -> None:
    try:
        review_order(order_no=order_no, actor=Actor.system(), trigger=trigger)
    except NotAwaitingReview:
        pass  # someone or something else moved the order on first


@subscribe("order.received")
def review_new_order(payload: dict) -> None:
    if payload.get("status") == OrderStatus.PENDING_REVIEW:
        _review(payload["order_no"], "received")


@subscribe("order.paid")
def review_paid_order(payload: dict) -> None:
    _review(payload["order_no"], "payment")


def _held_for(code: str, channel_id: int | None = None, **line_filter) -> list[str]:
    holds = OrderHold.objects.filter(code=code, cleared_at__isnull=True, order__status=OrderStatus.ON_HOLD,
                                     **{f"order__lines__{k}": v for k, v in line_filter.items()})
    if channel_id is not None:
        holds = holds.filter(order__channel_id=channel_id)
    order_ids = holds.values_list("order_id", flat=True).distinct()
    return list(
        Order.objects.filter(pk__in=order_ids).order_by("placed_at", "id").values_list("order_no", flat=True)[
            :REREVIEW_BATCH]
    )


@subscribe("stock.available")
def rereview_out_of_stock(payload: dict) -> None:
    for order_no in _held_for("out_of_stock", sku_id=payload["sku_id"]):
        _review(order_no, "stock_available")


@subscribe("sku_mapping.changed")
def rereview_unknown_sku(payload: dict) -> None:
    # An unresolved line keeps the code the channel sent in sku_code (platform_sku stays empty).
    held = _held_for("unknown_sku", sku_code=payload["platform_sku"], channel_id=payload["channel_id"])
    for order_no in held:
        _review(order_no, "mapping_fixed")
