"""Line edits before allocation (manual §2.6.4): change a quantity, swap a SKU, add or remove a line.

Allowed only while the order has no live package (waiting for payment or review, or on hold).
Each edit recomputes goods, discounts (kept, never above goods) and payable in one transaction
with one audit event carrying the line diff and the money before and after. Any stock the order
holds is released first; review (run again in the same transaction) reserves what it needs.

Money on a paid order: a lower payable raises a partial refund of the difference (cause
order_edit, to the original payment route); a higher one leaves the order held by review's
payment rule ("paid short") until the difference is recorded as a top-up payment. A swap keeps
the line's unit price unless a new one is given. A removed line is deleted (the audit event keeps
it); a line with stock, package or refund history cannot be removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.accounts.actor import Actor, require
from oms.accounts.roles import CHANGE_BEFORE_SHIPMENT
from oms.aftersales.status import RefundCause
from oms.audit.services import record
from oms.core.errors import BusinessRuleViolation, Conflict, NotFound, ValidationFailed
from oms.core.money import ZERO
from oms.core.no_delete import discard_uncommitted_lines
from oms.fulfillment.models import Package, PackageStatus
from oms.inventory import services as stock
from oms.inventory.models import Sku
from oms.orders.entry import lock_order
from oms.orders.intake.validation import _Checker, _storable
from oms.orders.models import Order, OrderDiscount, OrderLine
from oms.orders.review.services import REVIEWABLE, ReviewOutcome, review_locked
from oms.orders.status import OrderStatus, PaymentStatus
from oms.orders.totals import line_subtotal

EDITABLE = (OrderStatus.PENDING_PAYMENT, OrderStatus.PENDING_REVIEW, OrderStatus.ON_HOLD)
MAX_LINES = 500


class LinesNotEditable(Conflict):
    code = "lines_not_editable"
    default_message = gettext_lazy("Lines can only be edited before the order is allocated to a warehouse.")


class InvalidLineEdit(ValidationFailed):
    code = "invalid_line_edit"
    default_message = gettext_lazy("The line edit is not valid; see the fields.")


class LineNotFound(NotFound):
    code = "order_line_not_found"
    default_message = gettext_lazy("The order has no line with this number.")


class LastLine(Conflict):
    code = "last_line"
    default_message = gettext_lazy("The last line of an order cannot be removed; cancel the order instead.")


class LineHasHistory(Conflict):
    code = "line_has_history"
    default_message = gettext_lazy("This line has stock, package or refund history and cannot be removed; "
                                   "change its quantity instead.")


class LineUnitsSettled(Conflict):
    code = "line_units_settled"
    default_message = gettext_lazy("Units of this line were cancelled, held back or refunded; change it through "
                                   "the out-of-stock choice or after-sales instead.")


class RefundUnderWay(BusinessRuleViolation):
    code = "edit_above_net_paid"
    default_message = gettext_lazy("A refund is already under way for this order: the new amount cannot be above "
                                   "what the buyer has paid net of it.")


@dataclass(frozen=True)
class LineEdit:
    order: Order
    refund: str | None  # number of the refund raised for a lower amount
    review: ReviewOutcome | None


def _line_data(ln: OrderLine) -> dict:
    return {"line_no": ln.line_no, "sku": ln.sku_code, "quantity": ln.quantity,
            "unit_price": f"{ln.unit_price:.2f}", "subtotal": f"{ln.subtotal:.2f}"}


def _money(order: Order) -> dict:
    return {"goods_total": f"{order.goods_total:.2f}", "discount_total": f"{order.discount_total:.2f}",
            "payable_amount": f"{order.payable_amount:.2f}", "paid_amount": f"{order.paid_amount:.2f}"}


def _raise_if_invalid(c: _Checker) -> None:
    if c.errors:
        raise InvalidLineEdit(details=c.errors)


def _active_sku(code: str, c: _Checker, field: str = "sku") -> Sku | None:
    if not code:
        return None
    if not _storable(code) or len(code) > 64:
        c.add(field, _("No SKU has this code."))
        return None
    sku = Sku.objects.filter(code=code).first()
    if sku is None:
        c.add(field, _("No SKU has this code."))
    elif not sku.active:
        c.add(field, _("This SKU is switched off."))
    return sku


def _set_sku(line: OrderLine, sku: Sku) -> None:
    line.sku, line.sku_code, line.name, line.spec, line.platform_sku = sku, sku.code, sku.name, sku.spec, ""


def _edit(order_no: str, actor: Actor, action: str, note: str, change: Callable[[Order], dict]) -> LineEdit:
    """Lock, check, apply `change` to the lines, then recompute money, refund or hold, audit, review."""
    from oms.payments.refunds import live_refunded, raise_refund_locked

    require(actor, CHANGE_BEFORE_SHIPMENT)
    order = lock_order(order_no)
    from oms.approvals.guards import refuse_if_pending  # approvals imports orders

    refuse_if_pending(order=order, family="money")  # an amounts/payment change request waits for approval
    live = Package.objects.filter(order=order).exclude(status=PackageStatus.CANCELLED).exists()
    if order.status not in EDITABLE or live:
        raise LinesNotEditable(
            _("Lines can only be edited before allocation; this order is %(status)s.")
            % {"status": order.get_status_display()}, details={"order_no": order_no, "status": order.status})
    before_lines = [_line_data(ln) for ln in order.lines.order_by("line_no")]
    money_before = _money(order)
    released = stock.release(order=order, actor=actor, reason="order lines edited")
    data = change(order)
    lines = list(order.lines.order_by("line_no"))
    if not released and [_line_data(ln) for ln in lines] == before_lines:
        return LineEdit(order=order, refund=None, review=None)  # the same values again: nothing to record
    goods = sum((ln.subtotal for ln in lines), ZERO)
    discounts = OrderDiscount.objects.filter(order=order).aggregate(s=Sum("amount"))["s"] or ZERO
    order.goods_total = goods
    order.discount_total = min(discounts, goods)
    order.payable_amount = goods + order.shipping_fee - order.discount_total
    refund = None
    if order.payment_status == PaymentStatus.PAID:
        refunded = live_refunded(order)
        net_paid = order.paid_amount - refunded
        if order.payable_amount > net_paid and refunded > 0:
            raise RefundUnderWay(details={"payable": f"{order.payable_amount:.2f}", "paid": f"{order.paid_amount:.2f}",
                                          "refunded": f"{refunded:.2f}", "net_paid": f"{net_paid:.2f}"})
    order.save(update_fields=["goods_total", "discount_total", "payable_amount", "updated_at"])
    if order.payment_status == PaymentStatus.PAID and order.payable_amount < net_paid:
        refund = raise_refund_locked(order, cause=RefundCause.ORDER_EDIT, actor=actor,
                                     extra_amount=net_paid - order.payable_amount, note=note)
    after_lines = [_line_data(ln) for ln in lines]
    money_after = _money(order)
    changes = {k: [money_before[k], money_after[k]] for k in money_after if money_before[k] != money_after[k]}
    if before_lines != after_lines:
        changes["lines"] = [_lines_text(before_lines), _lines_text(after_lines)]
    if order.discount_total < discounts:
        data["discount_capped"] = f"{discounts:.2f}"
    if released:
        data["released_units"] = released
    if refund is not None:
        data["refund"] = refund.number
        data["refund_amount"] = f"{refund.amount:.2f}"
    elif order.payment_status == PaymentStatus.PAID and order.payable_amount > order.paid_amount:
        data["awaiting_payment"] = f"{order.payable_amount - order.paid_amount:.2f}"
    record(order, action, actor=actor, changes=changes, note=note[:2000],
           data={**data, "lines_before": before_lines, "lines_after": after_lines})
    review = review_locked(order, actor=actor, trigger="line_edit") if order.status in REVIEWABLE else None
    return LineEdit(order=order, refund=refund.number if refund else None, review=review)


def _lines_text(lines: list[dict]) -> str:
    return "; ".join(f"#{ln['line_no']} {ln['sku']} ×{ln['quantity']} @{ln['unit_price']}" for ln in lines)


def _line(order: Order, line_no: int) -> OrderLine:
    line = OrderLine.objects.filter(order=order, line_no=line_no).first()
    if line is None:
        raise LineNotFound(details={"line_no": line_no})
    return line


def _units_settled(line: OrderLine) -> bool:
    """Whether units of the line were refunded or held back by an out-of-stock choice."""
    return line.refund_lines.exists() or line.withheld_units.exists()


@transaction.atomic
def change_line(*, order_no: str, line_no: int, actor: Actor, quantity=None, sku: str = "", unit_price=None,
                note: str = "") -> LineEdit:
    """Change a line's quantity, SKU or unit price before allocation (a swap keeps the price unless given)."""
    c = _Checker()
    given = {"quantity": quantity, "unit_price": unit_price}
    new_qty = c.quantity(given, "quantity", "quantity") if quantity is not None else None
    new_price = c.money(given, "unit_price", "unit_price") if unit_price not in (None, "") else None
    new_sku = _active_sku((sku or "").strip(), c)
    if new_qty is None and new_price is None and new_sku is None and not c.errors:
        c.add("quantity", _("Give a new quantity, SKU or unit price."))
    _raise_if_invalid(c)

    def change(order: Order) -> dict:
        line = _line(order, line_no)
        if _units_settled(line):  # a new quantity or price would not match what was already paid back
            raise LineUnitsSettled(details={"line_no": line_no})
        if new_sku is not None and new_sku.pk != line.sku_id:
            _set_sku(line, new_sku)
        if new_qty is not None:
            line.quantity = new_qty
        if new_price is not None:
            line.unit_price = new_price
        line.subtotal = line_subtotal(line.quantity, line.unit_price)
        line.save()
        return {"line": line_no}

    return _edit(order_no, actor, "order_line_changed", note, change)


@transaction.atomic
def add_line(*, order_no: str, actor: Actor, sku: str, quantity, unit_price, note: str = "") -> LineEdit:
    """Add a line (one of our active SKUs, a quantity and a unit price) before allocation."""
    c = _Checker()
    given = {"quantity": quantity, "unit_price": unit_price}
    new_qty = c.quantity(given, "quantity", "quantity")
    new_price = c.money(given, "unit_price", "unit_price")
    code = (sku or "").strip() if isinstance(sku, str) else ""
    if not code:
        c.add("sku", _("This field is required."))
    new_sku = _active_sku(code, c)
    _raise_if_invalid(c)

    def change(order: Order) -> dict:
        existing = order.lines.count()
        if existing >= MAX_LINES:
            raise InvalidLineEdit(details={"lines": [_("At most %(n)d lines.") % {"n": MAX_LINES}]})
        line_no = (order.lines.aggregate(m=Max("line_no"))["m"] or 0) + 1
        line = OrderLine(order=order, line_no=line_no, quantity=new_qty, unit_price=new_price,
                         subtotal=line_subtotal(new_qty, new_price))
        _set_sku(line, new_sku)
        line.save()
        return {"line": line_no}

    return _edit(order_no, actor, "order_line_added", note, change)


@transaction.atomic
def remove_line(*, order_no: str, line_no: int, actor: Actor, note: str = "") -> LineEdit:
    """Remove a line before allocation (not the last one); the audit event keeps what it was."""

    def change(order: Order) -> dict:
        line = _line(order, line_no)
        if order.lines.count() <= 1:
            raise LastLine(details={"line_no": line_no})
        if (line.reservations.exists() or line.package_lines.exists() or _units_settled(line)
                or line.after_sales_lines.exists()):
            raise LineHasHistory(details={"line_no": line_no})
        removed = _line_data(line)
        discard_uncommitted_lines(OrderLine.objects.filter(pk=line.pk))  # the event below keeps it
        return {"line": line_no, "removed": removed}

    return _edit(order_no, actor, "order_line_removed", note, change)

