"""When review runs by itself: on new and paid orders, and again when a hold reason may have cleared.

These are outbox handlers, so they run in the worker after the change committed; an order
found already moved on (cancelled, reviewed by a person) is skipped. New and paid orders
arrive in bursts, so they are reviewed a batch at a time (`review_orders`).
"""

from __future__ import annotations

from oms.accounts.actor import Actor
from oms.notifications.outbox import subscribe, subscribe_batch
from oms.orders.models import Order
from oms.orders.review.models import OrderHold
from oms.orders.review.services import review_orders
from oms.orders.status import OrderStatus

REREVIEW_BATCH = 500  # held orders re-checked per event; the oldest first


def _review(order_nos: list[str], trigger: str) -> None:
    # One call, however many orders: all of them are locked before any stock level or coupon. Two
    # calls in one transaction would lock the second call's orders after the first one's levels.
    if order_nos:
        review_orders(order_nos=order_nos, actor=Actor.system(), trigger=trigger)


@subscribe_batch("order.received")
def review_new_orders(payloads: list[dict]) -> None:
    _review([p["order_no"] for p in payloads if p.get("status") == OrderStatus.PENDING_REVIEW], "received")


@subscribe_batch("order.paid")
def review_paid_orders(payloads: list[dict]) -> None:
    _review([p["order_no"] for p in payloads], "payment")


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
    # Oldest first: review_orders plans each order against what the ones before it left.
    _review(_held_for("out_of_stock", sku_id=payload["sku_id"]), "stock_available")


@subscribe("sku_mapping.changed")
def rereview_unknown_sku(payload: dict) -> None:
    # An unresolved line keeps the code the channel sent in sku_code (platform_sku stays empty).
    _review(_held_for("unknown_sku", sku_code=payload["platform_sku"], channel_id=payload["channel_id"]),
            "mapping_fixed")
