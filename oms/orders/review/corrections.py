"""What a person does with an order waiting for payment or review: record the payment, correct the
address or phone, swap a line's SKU, accept a remark. Each change is one audit event; an order
waiting for review is then reviewed again in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor, require
from oms.accounts.roles import RECORD_PAYMENT, REVIEW_ORDERS
from oms.audit.services import diff, record
from oms.core.errors import Conflict, ValidationFailed
from oms.inventory.models import Sku
from oms.orders.entry import lock_order
from oms.orders.models import Order, OrderLine
from oms.orders.personal_data import masked_changes
from oms.orders.review.models import HoldResolution, OrderHold
from oms.orders.review.services import REVIEWABLE, ReviewOutcome, review_locked
from oms.orders.status import OrderStatus, PaymentMethod, PaymentStatus, check_transition

CORRECTABLE_FIELDS = (
    "ship_name", "ship_phone", "ship_province", "ship_city", "ship_district", "ship_detail", "ship_postcode",
    "customer_phone", "seller_note",
)
BEFORE_APPROVAL = (OrderStatus.PENDING_PAYMENT, *REVIEWABLE)
ACKNOWLEDGEABLE = ("remark_attention",)


class NotCorrectable(Conflict):
    code = "not_correctable"
    default_message = _("Only orders waiting for payment or review, or on hold, can be corrected here.")


class InvalidCorrection(ValidationFailed):
    code = "invalid_correction"


def _rereview(order: Order, actor: Actor, trigger: str) -> ReviewOutcome | None:
    return review_locked(order, actor=actor, trigger=trigger) if order.status in REVIEWABLE else None


@transaction.atomic
def correct_order(*, order_no: str, actor: Actor, changes: dict[str, str], note: str = "") -> ReviewOutcome | None:
    """Correct recipient, address or phone before approval, then review again."""
    require(actor, REVIEW_ORDERS)
    unknown = sorted(set(changes) - set(CORRECTABLE_FIELDS))
    if unknown or not changes:
        raise InvalidCorrection(_("These fields cannot be corrected here."),
                                details={"fields": unknown or [], "allowed": list(CORRECTABLE_FIELDS)})
    order = lock_order(order_no)
    if order.status not in BEFORE_APPROVAL:
        raise NotCorrectable(details={"order_no": order_no, "status": order.status})
    before = {f: getattr(order, f) for f in changes}
    new = {f: str(v).strip() for f, v in changes.items()}
    too_long = {f: Order._meta.get_field(f).max_length for f, v in new.items()
                if len(v) > Order._meta.get_field(f).max_length}
    if too_long:
        raise InvalidCorrection(_("Some values are too long."), details={"max_length": too_long})
    for field in ("ship_name", "ship_phone", "ship_province", "ship_city", "ship_detail"):
        if field in new and not new[field]:
            raise InvalidCorrection(_("This field cannot be emptied."), details={"field": field})
    changed = diff(before, new)
    if not changed:
        return _rereview(order, actor, "correction")
    for f, v in new.items():
        setattr(order, f, v)
    order.save(update_fields=[*new, "updated_at"])
    record(order, "order_corrected", actor=actor, changes=masked_changes(changed), note=note)
    return _rereview(order, actor, "correction")


@transaction.atomic
def swap_line_sku(*, order_no: str, line_no: int, sku_code: str, actor: Actor, note: str = "") -> ReviewOutcome | None:
    """Put one of our SKUs on a line (unknown, inactive or out-of-stock item), then review again."""
    require(actor, REVIEW_ORDERS)
    order = lock_order(order_no)
    if order.status not in REVIEWABLE:
        raise NotCorrectable(details={"order_no": order_no, "status": order.status})
    line = OrderLine.objects.filter(order=order, line_no=line_no).first()
    if line is None:
        raise InvalidCorrection(_("The order has no such line."), details={"line_no": line_no})
    sku = Sku.objects.filter(code=sku_code).first()
    if sku is None:
        raise InvalidCorrection(_("No SKU has this code."), details={"sku": sku_code})
    if line.sku_id == sku.pk:
        return _rereview(order, actor, "sku_swap")
    old = line.sku_code
    line.sku_id, line.sku_code = sku.pk, sku.code
    line.save(update_fields=["sku", "sku_code"])
    record(order, "line_sku_swapped", actor=actor, note=note,
           changes={f"line {line_no} SKU": [old, sku.code]}, data={"line": line_no})
    return _rereview(order, actor, "sku_swap")


@transaction.atomic
def acknowledge_remark(*, order_no: str, actor: Actor, note: str = "") -> ReviewOutcome | None:
    """A person has read the buyer's remark and handled it: that reason no longer holds the order."""
    require(actor, REVIEW_ORDERS)
    order = lock_order(order_no)
    if order.status != OrderStatus.ON_HOLD:
        raise NotCorrectable(details={"order_no": order_no, "status": order.status})
    held = OrderHold.objects.filter(order=order, cleared_at__isnull=True, code__in=ACKNOWLEDGEABLE)
    codes = sorted(held.values_list("code", flat=True))
    if not codes:
        raise InvalidCorrection(_("The order is not held for its remark."), details={"order_no": order_no})
    held.update(cleared_at=timezone.now(), resolution=HoldResolution.ACKNOWLEDGED)
    record(order, "remark_acknowledged", actor=actor, note=note, data={"reasons": codes})
    return _rereview(order, actor, "remark_acknowledged")


@transaction.atomic
def record_payment(*, order_no: str, actor: Actor, method: str, amount: Decimal, transaction_id: str = "",
                   paid_at: datetime | None = None, top_up: bool = False) -> ReviewOutcome | None:
    """Record the payment of an unpaid (or short-paid, held) order; it then goes through review.

    With top_up the amount is added to what a paid order already paid (the difference after a line
    edit raised the amount); the original method and transaction id stay, since refunds go back by
    that route, and the top-up's own are kept in the audit event.
    """
    require(actor, RECORD_PAYMENT)
    if method not in PaymentMethod.values or method == PaymentMethod.COD:
        raise InvalidCorrection(_("Unknown payment method."), details={"method": method})
    if not isinstance(amount, Decimal) or amount <= 0 or amount.as_tuple().exponent < -2:
        raise InvalidCorrection(_("The amount must be above zero with at most two decimals."),
                                details={"amount": str(amount)})
    order = lock_order(order_no)
    if order.status not in BEFORE_APPROVAL:
        raise NotCorrectable(details={"order_no": order_no, "status": order.status})
    from oms.approvals.guards import refuse_if_pending  # approvals imports orders

    refuse_if_pending(order=order, family="money")  # an amounts/payment change request waits for approval
    fields = ("payment_status", "payment_method", "paid_amount", "transaction_id", "paid_at")
    before = {f: getattr(order, f) for f in fields}
    if top_up:
        if order.payment_status != PaymentStatus.PAID:
            raise InvalidCorrection(_("Only a paid order can receive a top-up payment."),
                                    details={"top_up": [order.payment_status]})
        owed = order.payable_amount - order.paid_amount
        if amount > owed:  # more would only raise what a later refund could pay back
            raise InvalidCorrection(
                _("A top-up can be at most what is still owed (%(owed)s).") % {"owed": f"{max(owed, 0):.2f}"},
                details={"amount": str(amount), "owed": f"{max(owed, 0):.2f}"})
        order.paid_amount += amount
        order.save(update_fields=["paid_amount", "updated_at"])
        record(order, "payment_recorded", actor=actor, changes=diff(before, {"paid_amount": order.paid_amount}),
               data={"top_up": f"{amount:.2f}", "method": method, "transaction_id": transaction_id.strip()[:64]})
        return _rereview(order, actor, "payment")
    order.payment_status = PaymentStatus.PAID
    order.payment_method = method
    order.paid_amount = amount
    order.transaction_id = transaction_id.strip()[:64]
    order.paid_at = paid_at or timezone.now()
    changes = diff(before, {f: getattr(order, f) for f in fields})
    if order.status == OrderStatus.PENDING_PAYMENT:
        check_transition(order.status, OrderStatus.PENDING_REVIEW)
        changes["status"] = [order.status, OrderStatus.PENDING_REVIEW]
        order.status = OrderStatus.PENDING_REVIEW
    order.save()
    record(order, "payment_recorded", actor=actor, changes=changes)
    return _rereview(order, actor, "payment")
