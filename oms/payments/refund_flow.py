"""The refund flow after a refund is raised: CS verifies, finance approves (twice above a threshold) and
executes through a payment adapter (manual §2.6.2); plus the two causes CS raises by hand.

Every action locks the order row first, then the refund row (the same order as raise_refund_locked),
moves the status only through the refund transition table, records one audit event on the order and
refreshes the order's derived after-sales state.

Execution calls the adapter while the rows are locked, then writes the result in the same transaction:
a second finance user pressing "execute" at the same moment waits and then finds the refund done.
Adapters are idempotent by the refund number (refund_adapters/base.py), so a crash between the
platform's answer and our commit leaves the refund approved/failed here and a retry finds the
platform's first refund instead of paying twice; the attempt is also logged before the commit.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.actor import Actor, require
from oms.accounts.roles import APPROVE_REFUNDS, VERIFY_REFUNDS
from oms.aftersales.state import refresh_after_sales_status
from oms.aftersales.status import (
    LIVE_REFUND_STATUSES,
    InvalidAfterSalesTransition,
    RefundCause,
    RefundStatus,
    check_refund_transition,
)
from oms.audit.services import record
from oms.core.errors import ValidationFailed
from oms.core.money import ZERO
from oms.notifications.outbox import enqueue
from oms.orders.entry import lock_order
from oms.orders.models import Order, OrderLine
from oms.orders.status import OrderStatus
from oms.payments.models import Refund
from oms.payments.refund_adapters import adapter_named
from oms.payments.refund_amounts import (
    LineMoney,
    net_line_amounts,
    price_adjustment_amount,
    return_postage_compensation,
    unit_net_price,
)
from oms.payments.refund_errors import (
    NothingToRefund,
    OrderNotCancelledForRefund,
    OrderNotShippedForReturnPostage,
    PriceAdjustmentExceedsLine,
    PriceDifferenceTooLarge,
    RefundNeedsAnotherPerson,
    RefundNotFound,
    RefundQuantityTooLarge,
    RefundReasonRequired,
    ReturnPostageCapReached,
)
from oms.payments.refunds import (
    cancellation_refundable,
    line_goods_refunded,
    raise_refund_locked,
    refunded_units,
)

log = logging.getLogger(__name__)
REFUND_ISSUED = "refund.issued"  # outbox topic; notifications/handlers.py tells the buyer
MAX_NOTE = 2000
MAX_REASON = 500


def second_approval_threshold() -> Decimal:
    return Decimal(getattr(settings, "OMS_REFUND_SECOND_APPROVAL_ABOVE", Decimal("1000")))


def return_postage_cap() -> Decimal:
    return Decimal(getattr(settings, "OMS_RETURN_SHIPPING_COMPENSATION_MAX", Decimal("20.00")))


def _clean_note(note: str, name: str = "note", limit: int = MAX_NOTE) -> str:
    note = (note or "").strip()
    if len(note) > limit:
        raise ValidationFailed(details={name: [_("At most %(n)s characters.") % {"n": limit}]})
    return note


def lock_refund(number: str) -> tuple[Order, Refund]:
    """The refund and its order, both locked: the order row first, as every refund action does."""
    order_no = Refund.objects.filter(number=number).values_list("order__order_no", flat=True).first()
    if order_no is None:
        raise RefundNotFound(details={"refund": number})
    order = lock_order(order_no)
    refund = Refund.objects.select_for_update().get(number=number)
    return order, refund


def _move(order: Order, refund: Refund, new: str, *, action: str, actor: Actor, reason: str = "", note: str = "",
          data: dict | None = None, fields: tuple[str, ...] = ()) -> Refund:
    """Change the refund's status through the table, save, audit on the order, refresh the derived state."""
    old = refund.status
    check_refund_transition(old, new)
    refund.status = new
    refund.save(update_fields=["status", *fields])
    record(order, action, actor=actor, reason=reason, note=note,
           changes={"refund_status": [old, new]},
           data={"refund": refund.number, "amount": f"{refund.amount:.2f}", "cause": refund.cause, **(data or {})})
    refresh_after_sales_status(order)
    return refund


def _require_status(refund: Refund, expected: str, new: str) -> None:
    """The table allows several ways into a status; an action takes exactly one of them."""
    if refund.status != expected:
        raise InvalidAfterSalesTransition(f"a refund in status {refund.status} cannot move to {new} by this action",
                                          details={"from": str(refund.status), "to": str(new),
                                                   "expected": str(expected)})
    check_refund_transition(refund.status, new)


def _not_the_same_person(refund: Refund, actor: Actor, *others: int | None) -> None:
    """Maker-checker: a person approves only what they did not raise, verify or approve before.

    System-raised steps (no user) never block anyone, and the system itself is not a person.
    """
    if actor.user_id is None:
        return
    if actor.user_id in {pk for pk in others if pk is not None}:
        raise RefundNeedsAnotherPerson(details={"refund": refund.number})


@transaction.atomic
def verify_refund(*, number: str, actor: Actor, note: str = "") -> Refund:
    """Customer service confirms a requested refund's cause and amount."""
    require(actor, VERIFY_REFUNDS)
    note = _clean_note(note)
    order, refund = lock_refund(number)
    check_refund_transition(refund.status, RefundStatus.VERIFIED)
    refund.verified_by_id = actor.user_id
    return _move(order, refund, RefundStatus.VERIFIED, action="refund_verified", actor=actor, note=note,
                 fields=("verified_by",))


@transaction.atomic
def approve_refund(*, number: str, actor: Actor, note: str = "") -> Refund:
    """Finance approves a verified refund; above the threshold it then waits for a second finance user."""
    require(actor, APPROVE_REFUNDS)
    note = _clean_note(note)
    order, refund = lock_refund(number)
    _require_status(refund, RefundStatus.VERIFIED, RefundStatus.APPROVED)
    _not_the_same_person(refund, actor, refund.requested_by_id, refund.verified_by_id)
    refund.approved_by_id = actor.user_id
    threshold = second_approval_threshold()
    if refund.amount > threshold:
        return _move(order, refund, RefundStatus.AWAITING_SECOND_APPROVAL, action="refund_approved", actor=actor,
                     note=note, data={"second_approval_above": f"{threshold:.2f}"}, fields=("approved_by",))
    refund.approved_at = timezone.now()
    return _move(order, refund, RefundStatus.APPROVED, action="refund_approved", actor=actor, note=note,
                 fields=("approved_by", "approved_at"))


@transaction.atomic
def second_approve_refund(*, number: str, actor: Actor, note: str = "") -> Refund:
    """A second finance user approves a refund above the threshold (not the first approver)."""
    require(actor, APPROVE_REFUNDS)
    note = _clean_note(note)
    order, refund = lock_refund(number)
    _require_status(refund, RefundStatus.AWAITING_SECOND_APPROVAL, RefundStatus.APPROVED)
    _not_the_same_person(refund, actor, refund.requested_by_id, refund.verified_by_id, refund.approved_by_id)
    refund.second_approved_by_id = actor.user_id
    refund.approved_at = timezone.now()
    return _move(order, refund, RefundStatus.APPROVED, action="refund_second_approved", actor=actor, note=note,
                 fields=("second_approved_by", "approved_at"))


@transaction.atomic
def reject_refund(*, number: str, actor: Actor, reason: str) -> Refund:
    """Reject a refund with a reason: customer service before verification, finance afterwards."""
    reason = _clean_note(reason, "reason", MAX_REASON)
    if not reason:
        raise RefundReasonRequired(details={"reason": [str(RefundReasonRequired.default_message)]})
    order, refund = lock_refund(number)
    require(actor, VERIFY_REFUNDS if refund.status == RefundStatus.REQUESTED else APPROVE_REFUNDS)
    check_refund_transition(refund.status, RefundStatus.REJECTED)
    refund.reject_reason = reason
    return _move(order, refund, RefundStatus.REJECTED, action="refund_rejected", actor=actor, reason=reason,
                 fields=("reject_reason",))


@transaction.atomic
def execute_refund(*, number: str, actor: Actor, reference: str = "", adapter: str | None = None) -> Refund:
    """Finance sends an approved (or failed) refund back by the original route through a payment adapter.

    Success: succeeded, with the platform's reference, and the buyer is told. A refusal is not an
    error: the refund becomes failed with the adapter's message and can be executed again.
    """
    require(actor, APPROVE_REFUNDS)
    chosen = adapter_named(adapter)
    order, refund = lock_refund(number)
    if refund.status not in (RefundStatus.APPROVED, RefundStatus.FAILED):
        check_refund_transition(refund.status, RefundStatus.SUCCEEDED)  # raises: not executable now
    result = chosen.refund(refund, reference=reference)
    refund.attempts += 1
    refund.adapter = chosen.name
    log.info("refund %s attempt %s via %s: ok=%s reference=%r message=%r", refund.number, refund.attempts,
             chosen.name, result.ok, result.reference, result.message)
    data = {"adapter": chosen.name, "attempt": refund.attempts}
    if not result.ok:
        refund.failure = (result.message or _("The payment platform refused the refund."))[:500]
        return _move(order, refund, RefundStatus.FAILED, action="refund_failed", actor=actor,
                     note=refund.failure, data=data, fields=("attempts", "adapter", "failure"))
    refund.external_reference = result.reference[:64]
    refund.refunded_at = timezone.now()
    refund.failure = ""
    _move(order, refund, RefundStatus.SUCCEEDED, action="refund_issued", actor=actor,
          data={**data, "external_reference": refund.external_reference},
          fields=("attempts", "adapter", "failure", "external_reference", "refunded_at"))
    enqueue(REFUND_ISSUED, {"refund": refund.number, "order_no": order.order_no,
                            "refund_amount": f"{refund.amount:.2f}"})
    return refund


def _order_line(order: Order, line_no: int) -> OrderLine:
    line = OrderLine.objects.filter(order=order, line_no=line_no).first()
    if line is None:
        raise ValidationFailed(details={"line_no": [_("This order has no line %(n)s.") % {"n": line_no}]})
    return line


@transaction.atomic
def raise_price_adjustment(*, order_no: str, actor: Actor, line_no: int, units: int, unit_difference: Decimal,
                           note: str = "") -> Refund:
    """优惠补差: refund a per-unit price difference for units of a line the buyer keeps (CS)."""
    require(actor, VERIFY_REFUNDS)
    note = _clean_note(note)
    if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
        raise ValidationFailed(details={"units": [_("A whole number of units, at least 1.")]})
    if unit_difference <= 0:
        raise ValidationFailed(details={"unit_difference": [_("A positive amount such as \"5.00\".")]})
    order = lock_order(order_no)
    line = _order_line(order, line_no)
    kept = line.quantity - refunded_units(order).get(line.pk, 0)  # units refunded in full get no difference
    if units > kept:
        raise RefundQuantityTooLarge(details={"units": {"asked": units, "left": kept}, "line_no": line_no})
    lines = list(OrderLine.objects.filter(order=order))
    nets = net_line_amounts([LineMoney(ln.pk, ln.quantity, ln.subtotal) for ln in lines], order.discount_total)
    unit_net = unit_net_price(net=nets[line.pk], quantity=line.quantity)
    if unit_difference > unit_net:
        raise PriceDifferenceTooLarge(details={"unit_difference": f"{unit_difference:.2f}",
                                               "unit_net_price": f"{unit_net:.2f}", "line_no": line_no})
    amount = price_adjustment_amount(unit_difference=unit_difference, units=units)
    # Earlier adjustments and unit refunds of this line count: together they never pass the line's net.
    left = max(nets[line.pk] - line_goods_refunded(order).get(line.pk, ZERO), ZERO)
    if amount > left:
        raise PriceAdjustmentExceedsLine(details={"amount": f"{amount:.2f}", "line_left": f"{left:.2f}",
                                                  "line_no": line_no})
    summary = _("Line %(n)s: %(units)s × %(diff)s") % {"n": line_no, "units": units, "diff": f"{unit_difference:.2f}"}
    return raise_refund_locked(order, cause=RefundCause.PRICE_ADJUSTMENT, actor=actor, extra_amount=amount,
                               note=f"{summary}\n{note}".strip(), adjusted_line=line, adjusted_units=units)


@transaction.atomic
def raise_cancellation_refund(*, order_no: str, actor: Actor, note: str = "") -> Refund:
    """Refund what is left of a cancelled paid order's payment, e.g. after its cancellation refund was rejected (CS)."""
    require(actor, VERIFY_REFUNDS)
    note = _clean_note(note)
    order = lock_order(order_no)
    if order.status != OrderStatus.CANCELLED:
        raise OrderNotCancelledForRefund(details={"order_no": order.order_no, "status": order.status})
    if cancellation_refundable(order) <= 0:
        raise NothingToRefund(details={"order_no": order.order_no})
    return raise_refund_locked(order, cause=RefundCause.CANCELLATION, actor=actor, reason=order.cancel_reason,
                               note=note)


class ShippingCompensation:
    """The two kinds of shipping compensation CS can raise."""

    SHIPPING_FEE = "shipping_fee"  # what is left of the order's own shipping fee
    RETURN_POSTAGE = "return_postage"  # the buyer's postage for sending goods back, capped per order
    CHOICES = (SHIPPING_FEE, RETURN_POSTAGE)


@transaction.atomic
def raise_shipping_compensation(*, order_no: str, actor: Actor, kind: str, postage: Decimal | None = None,
                                note: str = "") -> Refund:
    """Shipping fee compensation: the order's shipping fee left to refund, or return postage up to the cap (CS)."""
    require(actor, VERIFY_REFUNDS)
    note = _clean_note(note)
    if kind not in ShippingCompensation.CHOICES:
        raise ValidationFailed(details={"kind": [_("One of: shipping_fee, return_postage.")]})
    if kind == ShippingCompensation.RETURN_POSTAGE and (postage is None or postage <= 0):
        raise ValidationFailed(details={"postage": [_("What the buyer paid to send the goods back, e.g. \"12.00\".")]})
    order = lock_order(order_no)
    live = Refund.objects.filter(order=order, status__in=LIVE_REFUND_STATUSES)
    if kind == ShippingCompensation.SHIPPING_FEE:
        shipping_done = live.aggregate(s=Sum("shipping_amount"))["s"] or ZERO
        left = max(order.shipping_fee - shipping_done, ZERO)
        if left <= 0:
            raise NothingToRefund(details={"order_no": order.order_no, "shipping_fee": f"{order.shipping_fee:.2f}"})
        label = _("Order shipping fee")
        return raise_refund_locked(order, cause=RefundCause.SHIPPING_COMPENSATION, actor=actor, extra_shipping=left,
                                   note=f"{label}\n{note}".strip())
    if order.shipped_at is None:
        raise OrderNotShippedForReturnPostage(details={"order_no": order.order_no})
    cap = return_postage_cap()
    # Return postage is the goods part of shipping-compensation refunds (the fee part is shipping_amount).
    already = live.filter(cause=RefundCause.SHIPPING_COMPENSATION).aggregate(s=Sum("goods_amount"))["s"] or ZERO
    amount = return_postage_compensation(claimed=postage, already=already, cap=cap)
    if amount <= 0:
        raise ReturnPostageCapReached(details={"cap": f"{cap:.2f}", "already": f"{already:.2f}"})
    summary = _("Return postage %(paid)s (compensated %(amount)s, at most %(cap)s per order)") % {
        "paid": f"{postage:.2f}", "amount": f"{amount:.2f}", "cap": f"{cap:.2f}"}
    return raise_refund_locked(order, cause=RefundCause.SHIPPING_COMPENSATION, actor=actor, extra_amount=amount,
                               note=f"{summary}\n{note}".strip())
