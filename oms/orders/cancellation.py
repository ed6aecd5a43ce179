"""Merchant cancellation before shipment, and the one path every cancellation takes.

Releasing reservations, clearing hold reasons and giving back coupon uses happen here, so a
channel's cancellation (a re-push) and a person's leave stock and coupons equally exact.
Refunds for paid orders belong to after-sales.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor, require
from oms.accounts.roles import CANCEL_ORDERS
from oms.audit.services import record
from oms.core.errors import ValidationFailed
from oms.fulfillment.services import cancel_packages
from oms.inventory import services as stock
from oms.notifications.outbox import enqueue
from oms.orders.entry import lock_order
from oms.orders.models import Order, OrderDiscount
from oms.orders.review.models import Coupon, HoldResolution, OrderHold
from oms.orders.status import OrderStatus, check_transition

CANCEL_REASONS = {
    "out_of_stock": _("Out of stock"),
    "item_withdrawn": _("Item withdrawn"),
    "buyer_unverifiable": _("Buyer information cannot be verified"),
    "risk": _("Risk control"),
    "buyer_request": _("Buyer asked to cancel"),
    "other": _("Other"),
}


class UnknownCancelReason(ValidationFailed):
    code = "unknown_cancel_reason"
    default_message = _("Choose one of the cancellation reasons.")


def cancel_locked(order: Order, *, actor: Actor, reason: str, note: str = "", via: str = "") -> None:
    """Cancel an order whose row the caller has locked: release stock, clear holds, give back coupons."""
    check_transition(order.status, OrderStatus.CANCELLED)
    status_before = order.status
    released = stock.release(order=order, actor=actor, reason=reason)
    packages = cancel_packages(order)
    OrderHold.objects.filter(order=order, cleared_at__isnull=True).update(
        cleared_at=timezone.now(), resolution=HoldResolution.CANCELLED
    )
    counted = list(OrderDiscount.objects.filter(order=order, use_counted=True).values_list("code", flat=True))
    if counted:  # give back exactly the uses review counted; rows locked in code order, as review locks them
        list(Coupon.objects.select_for_update().filter(code__in=counted).order_by("code").values_list("pk"))
        Coupon.objects.filter(code__in=counted, used_count__gt=0).update(used_count=F("used_count") - 1)
        OrderDiscount.objects.filter(order=order, use_counted=True).update(use_counted=False)
    order.status = OrderStatus.CANCELLED
    order.cancelled_at = order.cancelled_at or timezone.now()
    order.cancel_reason = reason[:200]
    order.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    data = {"released_units": released}
    if packages:
        data["cancelled_packages"] = packages
    if via:
        data["via"] = via
    record(order, "order_cancelled", actor=actor, reason=reason[:200], note=note,
           changes={"status": [status_before, OrderStatus.CANCELLED]}, data=data)
    enqueue("order.cancelled", {"order_no": order.order_no, "reason": reason})


@transaction.atomic
def cancel_order(*, order_no: str, actor: Actor, reason: str, note: str = "") -> Order:
    """Cancel an order that has not shipped, with one of CANCEL_REASONS (and a note for 'other')."""
    require(actor, CANCEL_ORDERS)
    if reason not in CANCEL_REASONS:
        raise UnknownCancelReason(details={"reason": reason, "allowed": sorted(CANCEL_REASONS)})
    if reason == "other" and not note.strip():
        raise UnknownCancelReason(_("Say why in the note when the reason is 'other'."), details={"note": note})
    order = lock_order(order_no)
    cancel_locked(order, actor=actor, reason=reason, note=note.strip())
    return order
