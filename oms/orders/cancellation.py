"""Cancellation (manual §2.6.3): the one path every cancellation takes, whoever asks.

`cancel_locked` decides by how far the order got in the warehouse:
- nothing started (no package on a pick list, packed or labelled): cancelled at once — reservations
  released, packages cancelled, holds cleared, coupon uses given back, a refund raised when money
  was paid, the buyer told why;
- picking started: an interception (拦截) is requested for each started package and the order stays
  as it is until the warehouse confirms (oms/fulfillment/interception.py) or reports it too late;
- a parcel already left: refused; after-sales (return and refund, or refund only) is the path.
The merchant (back office, API), the buyer through an integration client, a channel re-push and the
unpaid-order sweep all come through here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor, require
from oms.accounts.roles import CANCEL_ORDERS, INTEGRATION
from oms.aftersales.status import RefundCause
from oms.audit.services import record
from oms.core.errors import Conflict, PermissionDenied, ValidationFailed
from oms.fulfillment.models import Interception, InterceptionStatus, Package, PackageStatus
from oms.fulfillment.services import cancel_packages
from oms.inventory import services as stock
from oms.notifications.outbox import enqueue
from oms.orders.entry import lock_order
from oms.orders.errors import ChannelNotAllowed
from oms.orders.models import Order, OrderDiscount
from oms.orders.review.models import Coupon, HoldResolution, OrderHold
from oms.orders.status import OrderStatus, PaymentStatus, check_transition

CANCEL_REASONS = {
    "out_of_stock": _("Out of stock"),
    "item_withdrawn": _("Item withdrawn"),
    "buyer_unverifiable": _("Buyer information cannot be verified"),
    "risk": _("Risk control"),
    "buyer_request": _("Buyer asked to cancel"),
    "other": _("Other"),
}
BUYER_REASON = "buyer_request"
UNPAID_TIMEOUT = "unpaid_timeout"
# Every reason an order can carry, for labels (the sweep's reason is not a person's choice).
REASON_LABELS = {**CANCEL_REASONS, UNPAID_TIMEOUT: _("Not paid in time")}

LIVE_PACKAGES = (PackageStatus.ALLOCATED, PackageStatus.PACKED)
LEFT_PACKAGES = (PackageStatus.SHIPPED, PackageStatus.DELIVERED, PackageStatus.RETURNED)
LEFT_ORDERS = (OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.COMPLETED)

NOW, INTERCEPT, LEFT = "now", "intercept", "left"


class UnknownCancelReason(ValidationFailed):
    code = "unknown_cancel_reason"
    default_message = _("Choose one of the cancellation reasons.")


class CancelReasonNotAllowed(PermissionDenied):
    code = "cancel_reason_not_allowed"
    default_message = _("Integration clients cancel for the buyer only: use the reason 'buyer_request'.")


class AlreadyShipped(Conflict):
    code = "already_shipped"
    default_message = _("The parcel has left the warehouse, so the order can no longer be cancelled. "
                        "Open an after-sales request instead (return and refund, or refund only).")


class AlreadyCancelled(Conflict):
    code = "already_cancelled"
    default_message = _("This order is already cancelled.")


@dataclass
class CancelOutcome:
    order: Order
    cancelled: bool  # False: interceptions were requested and the order waits for the warehouse
    interceptions: list[Interception] = field(default_factory=list)
    refund: object | None = None  # payments.Refund raised for a paid order


def travelling(package: Package) -> Package:
    """The package that carries this one's units: the package it was merged into, or itself."""
    if package.status == PackageStatus.MERGED and package.merged_into_id:
        return package.merged_into
    return package


def started(package: Package) -> bool:
    """Whether the warehouse has started on a live package (on a pick list, packed or labelled); a merged
    package counts when the package it travels in has started, since its units are picked with it."""
    package = travelling(package)
    return package.status in LIVE_PACKAGES and bool(
        package.pick_list_id or package.status == PackageStatus.PACKED or package.tracking_no)


def cancellation_path(*, order_status: str, package_statuses: list[str], started_packages: int) -> str:
    """NOW, INTERCEPT or LEFT, from the order's status and its packages (pure; see the module docstring)."""
    if order_status in LEFT_ORDERS or any(s in LEFT_PACKAGES for s in package_statuses):
        return LEFT
    return INTERCEPT if started_packages else NOW


def _statuses(packages: list[Package]) -> list[str]:
    """Package statuses (a merged one has the status of the package it travels in), a parcel the
    warehouse reported as already gone counting as shipped."""
    gone = set(Interception.objects.filter(package__in=packages, status=InterceptionStatus.TOO_LATE)
               .values_list("package_id", flat=True))
    statuses = [(p.pk, travelling(p).status) for p in packages]
    return [PackageStatus.SHIPPED if pk in gone and s in LIVE_PACKAGES else s for pk, s in statuses]


def _check_actor(order: Order, actor: Actor, reason: str) -> None:
    """An integration client cancels for the buyer, and only orders of its own channels."""
    if actor.user is None or INTEGRATION not in actor.roles:
        return
    if reason != BUYER_REASON:
        raise CancelReasonNotAllowed(details={"reason": reason, "allowed": [BUYER_REASON]})
    if not actor.user.may_act_for_channel(order.channel_id):
        raise ChannelNotAllowed(details={"channel": order.channel.code})


def cancel_locked(order: Order, *, actor: Actor, reason: str, note: str = "", via: str = "") -> CancelOutcome:
    """Cancel an order whose row the caller has locked, or request interceptions when picking started."""
    if order.status == OrderStatus.CANCELLED:
        raise AlreadyCancelled(details={"order_no": order.order_no})
    packages = list(Package.objects.filter(order=order).select_related("merged_into").order_by("id"))
    begun = [p for p in packages if started(p)]
    path = cancellation_path(order_status=order.status, package_statuses=_statuses(packages),
                             started_packages=len(begun))
    if path == LEFT:
        raise AlreadyShipped(details={"order_no": order.order_no, "status": order.status})
    check_transition(order.status, OrderStatus.CANCELLED)
    if path == INTERCEPT:
        return _request_interceptions(order, begun, actor=actor, reason=reason, note=note, via=via)
    return cancel_now_locked(order, actor=actor, reason=reason, note=note, via=via)


def _request_interceptions(order: Order, packages: list[Package], *, actor: Actor, reason: str, note: str,
                           via: str) -> CancelOutcome:
    """One open interception per started package; asking again returns the open ones (no duplicates)."""
    open_ = {i.package_id: i for i in Interception.objects.filter(
        package__in=packages, status=InterceptionStatus.REQUESTED).order_by("id")}
    new = [Interception.objects.create(order=order, package=p, reason=reason[:32], note=note[:500], via=via[:16],
                                       requested_by_id=actor.user_id)
           for p in packages if p.pk not in open_]
    if new:
        record(order, "interception_requested", actor=actor, reason=reason[:200], note=note,
               data={"packages": [i.package.number for i in new], "via": via or "back_office"})
        enqueue("interception.requested", {"order_no": order.order_no, "packages": [i.package.number for i in new]})
    everything = sorted([*open_.values(), *new], key=lambda i: i.package_id)
    return CancelOutcome(order=order, cancelled=False, interceptions=everything)


def cancel_now_locked(order: Order, *, actor: Actor, reason: str, note: str = "", via: str = "",
                      data: dict | None = None) -> CancelOutcome:
    """Cancel at once (order row locked): release stock, cancel packages, clear holds, give back coupons,
    refund what was paid; the buyer is told through the outbox."""
    from oms.payments.refunds import live_refunded, raise_refund_locked

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
    refund = None
    # COD and unpaid orders took no money; an order whose refunds already cover the payment needs none.
    if (order.payment_status == PaymentStatus.PAID and order.paid_amount > 0
            and live_refunded(order) < order.paid_amount):
        refund = raise_refund_locked(order, cause=RefundCause.CANCELLATION, actor=actor, reason=reason,
                                     note=note)
    data = {**(data or {}), "released_units": released}
    if packages:
        data["cancelled_packages"] = packages
    if via:
        data["via"] = via
    if refund is not None:
        data["refund"] = refund.number
    record(order, "order_cancelled", actor=actor, reason=reason[:200], note=note,
           changes={"status": [status_before, OrderStatus.CANCELLED]}, data=data)
    enqueue("order.cancelled", {"order_no": order.order_no, "reason": reason})
    return CancelOutcome(order=order, cancelled=True, refund=refund)


def check_reason(reason: str, note: str) -> None:
    """Raise unless the reason is one of CANCEL_REASONS (with a note for 'other')."""
    if reason not in CANCEL_REASONS:
        raise UnknownCancelReason(details={"reason": reason, "allowed": sorted(CANCEL_REASONS)})
    if reason == "other" and not note.strip():
        raise UnknownCancelReason(_("Say why in the note when the reason is 'other'."), details={"note": note})


@transaction.atomic
def cancel_order(*, order_no: str, actor: Actor, reason: str, note: str = "", via: str = "") -> CancelOutcome:
    """Cancel an order that has not shipped (or request its interception), with one of CANCEL_REASONS."""
    require(actor, CANCEL_ORDERS)
    check_reason(reason, note)
    order = lock_order(order_no)
    _check_actor(order, actor, reason)
    return cancel_locked(order, actor=actor, reason=reason, note=note.strip(), via=via)


def cancel_preview(order: Order) -> str:
    """What a cancellation of this order would do now (NOW, INTERCEPT or LEFT), for the order page."""
    packages = list(Package.objects.filter(order=order).select_related("merged_into"))
    return cancellation_path(order_status=order.status, package_statuses=_statuses(packages),
                             started_packages=sum(1 for p in packages if started(p)))
