"""Raising refunds: the one entry every cause uses (cancellation, lines cancelled, returns, …).

The caller holds the order row lock (select_for_update), which is what keeps the total of live
refunds within what was paid when several people or processes raise refunds at once.
Verification, approval and execution are further actions on the refund (payments/refund_flow.py).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from oms.accounts.actor import Actor
from oms.aftersales.state import refresh_after_sales_status
from oms.aftersales.status import LIVE_REFUND_STATUSES, RefundCause, RefundStatus
from oms.audit.services import record
from oms.core.money import CENT, ZERO
from oms.core.sequences import next_values
from oms.orders.models import Order, OrderLine
from oms.orders.status import OrderStatus, PaymentStatus
from oms.payments.models import Refund, RefundLine
from oms.payments.refund_amounts import LineMoney, net_line_amounts, shipping_refund, units_amount
from oms.payments.refund_errors import (
    InvalidRefundLines,
    NothingToRefund,
    RefundExceedsPaid,
    RefundQuantityTooLarge,
)

# Causes the system raises on its own from an action that already established them.
SELF_VERIFYING = frozenset({RefundCause.CANCELLATION, RefundCause.PARTIAL_CANCELLATION, RefundCause.ORDER_EDIT})


def refund_number(order: Order) -> str:
    return f"RF{order.order_no}-{next_values('refund_no')[0]}"


def live_refunded(order: Order) -> Decimal:
    """What the order's live refunds hold (requested to succeeded, failed ones included: they are retried)."""
    total = Refund.objects.filter(order=order, status__in=LIVE_REFUND_STATUSES).aggregate(s=Sum("amount"))["s"]
    return total or ZERO


def cancellation_refundable(order: Order) -> Decimal:
    """What a cancelled paid order still has to refund (paid − live refunds); zero for any other order."""
    if order.status != OrderStatus.CANCELLED or order.payment_status != PaymentStatus.PAID:
        return ZERO
    return max(order.paid_amount - live_refunded(order), ZERO)


def refunded_units(order: Order) -> dict[int, int]:
    """Units per order line held by live refunds."""
    rows = (RefundLine.objects.filter(refund__order=order, refund__status__in=LIVE_REFUND_STATUSES)
            .values("line_id").annotate(units=Sum("quantity")))
    return {r["line_id"]: r["units"] for r in rows}


def line_goods_refunded(order: Order) -> dict[int, Decimal]:
    """Per order line, the goods money live refunds took from it: unit refunds plus price adjustments."""
    taken: dict[int, Decimal] = {}
    for r in (RefundLine.objects.filter(refund__order=order, refund__status__in=LIVE_REFUND_STATUSES)
              .values("line_id").annotate(s=Sum("amount"))):
        taken[r["line_id"]] = r["s"] or ZERO
    for r in (Refund.objects.filter(order=order, status__in=LIVE_REFUND_STATUSES, adjusted_line__isnull=False)
              .values("adjusted_line_id").annotate(s=Sum("goods_amount"))):
        taken[r["adjusted_line_id"]] = taken.get(r["adjusted_line_id"], ZERO) + (r["s"] or ZERO)
    return taken


def _units_refund(*, net: Decimal, quantity: int, already: int, units: int, taken: Decimal,
                  adjusted: bool) -> Decimal:
    """What `units` more units of a line pay back.

    Without price adjustments on the line: their share of the line's net (units_amount). After price
    adjustments (优惠补差), what is left of the line's net (net − earlier unit refunds − adjustments) is
    shared evenly over the units not yet refunded, and a unit never pays more than its plain share: so
    a line never pays back more than its net in total, however adjustments and returns interleave.
    """
    plain = units_amount(net=net, quantity=quantity, already=already, units=units)
    if not adjusted:
        return plain
    left, units_left = max(net - taken, ZERO), quantity - already
    after = (left * (units_left - units) / units_left).quantize(CENT, rounding=ROUND_HALF_UP) if units_left else ZERO
    return min(plain, max(left - after, ZERO))


def raise_refund_locked(order: Order, *, cause: str, actor: Actor, lines: dict[int, int] | None = None,
                        reason: str = "", extra_amount: Decimal = ZERO, request=None, note: str = "",
                        extra_shipping: Decimal = ZERO, adjusted_line: OrderLine | None = None,
                        adjusted_units: int | None = None, cap_to_refundable: bool = False) -> Refund:
    """Raise a refund on a locked order: computed from lines (order line id → units) and the shipping rule.

    `extra_amount` is for causes that are not units of goods (price adjustment, shipping
    compensation); its caller computes it from its own rule. `extra_shipping` is a part of the
    order's shipping fee paid back by such a cause: it counts as shipping refunded, so no later
    rule pays it again. Whole-order cancellation refunds whatever is left of what was paid.
    `adjusted_line`/`adjusted_units` mark a price adjustment's line and units. With
    `cap_to_refundable` (returns received in the warehouse) a refund larger than what is left of what
    was paid refunds what is left instead of being refused: the goods are back either way.
    """
    order_lines = list(OrderLine.objects.filter(order=order).order_by("line_no"))
    by_id = {ln.pk: ln for ln in order_lines}
    already = refunded_units(order)
    shipping_done = (Refund.objects.filter(order=order, status__in=LIVE_REFUND_STATUSES)
                     .aggregate(s=Sum("shipping_amount"))["s"] or ZERO)
    paid_left = order.paid_amount - live_refunded(order)
    wanted = dict(lines or {})
    if cause == RefundCause.CANCELLATION and not wanted:
        wanted = {ln.pk: ln.quantity - already.get(ln.pk, 0) for ln in order_lines
                  if ln.quantity - already.get(ln.pk, 0) > 0}
    bad = [k for k, v in wanted.items() if k not in by_id or not isinstance(v, int) or v <= 0]
    if bad:
        raise InvalidRefundLines(details={"lines": bad})
    too_many = {by_id[k].line_no: {"asked": v, "left": by_id[k].quantity - already.get(k, 0)}
                for k, v in wanted.items() if already.get(k, 0) + v > by_id[k].quantity}
    if too_many:
        raise RefundQuantityTooLarge(details={"lines": too_many})
    nets = net_line_amounts([LineMoney(ln.pk, ln.quantity, ln.subtotal) for ln in order_lines],
                            order.discount_total)
    taken = line_goods_refunded(order) if wanted else {}
    adjusted = (set(Refund.objects.filter(order=order, status__in=LIVE_REFUND_STATUSES, adjusted_line__isnull=False)
                    .values_list("adjusted_line_id", flat=True)) if wanted else set())
    refund_lines = [(by_id[k], v, _units_refund(net=nets[k], quantity=by_id[k].quantity, already=already.get(k, 0),
                                                units=v, taken=taken.get(k, ZERO), adjusted=k in adjusted))
                    for k, v in sorted(wanted.items(), key=lambda kv: by_id[kv[0]].line_no)]
    goods = sum((amount for _ln, _q, amount in refund_lines), ZERO) + extra_amount
    all_units = all(already.get(ln.pk, 0) + wanted.get(ln.pk, 0) >= ln.quantity for ln in order_lines)
    shipping = shipping_refund(cause=cause, reason=reason, all_units_refunded=all_units,
                               shipping_fee=order.shipping_fee, shipping_already_refunded=shipping_done)
    shipping += extra_shipping
    if cause == RefundCause.CANCELLATION and order.paid_amount:
        # Everything left of what was paid, so rounding can never strand a fen; the shipping part
        # is what is left of the fee, within what is left at all (earlier refunds may have taken more).
        shipping = min(shipping, max(paid_left, ZERO))
        goods = max(paid_left - shipping, ZERO)
    if cap_to_refundable and goods + shipping > paid_left:
        goods, shipping, refund_lines = _capped(max(paid_left, ZERO), goods - extra_amount, shipping, refund_lines,
                                                extra_amount)
    amount = goods + shipping
    if amount <= 0:
        raise NothingToRefund(details={"order_no": order.order_no})
    if amount > paid_left:
        raise RefundExceedsPaid(details={"order_no": order.order_no, "amount": f"{amount:.2f}",
                                         "refundable": f"{max(paid_left, ZERO):.2f}"})
    verified = cause in SELF_VERIFYING
    refund = Refund.objects.create(
        number=refund_number(order), order=order, request=request, cause=cause,
        status=RefundStatus.VERIFIED if verified else RefundStatus.REQUESTED,
        goods_amount=goods, shipping_amount=shipping, amount=amount,
        payment_method=order.payment_method, original_transaction_id=order.transaction_id,
        requested_by_id=actor.user_id, verified_by_id=actor.user_id if verified else None, note=note[:2000],
        adjusted_line=adjusted_line, adjusted_units=adjusted_units,
    )
    RefundLine.objects.bulk_create([RefundLine(refund=refund, line=ln, quantity=q, amount=a)
                                    for ln, q, a in refund_lines])
    record(order, "refund_requested", actor=actor, reason=cause, note=note[:2000],
           data={"refund": refund.number, "amount": f"{amount:.2f}", "shipping": f"{shipping:.2f}",
                 "status": refund.status,
                 "lines": [{"line_no": ln.line_no, "quantity": q, "amount": f"{a:.2f}"} for ln, q, a in refund_lines]})
    refresh_after_sales_status(order)
    return refund


def _capped(left: Decimal, lines_goods: Decimal, shipping: Decimal, refund_lines: list, extra: Decimal):
    """Cut a refund down to `left`: shipping first, then the extra amount, then line amounts from the last line."""
    excess = lines_goods + extra + shipping - left
    cut = min(shipping, excess)
    shipping, excess = shipping - cut, excess - cut
    cut = min(extra, excess)
    extra, excess = extra - cut, excess - cut
    capped = []
    for ln, q, a in reversed(refund_lines):
        cut = min(a, excess)
        capped.append((ln, q, a - cut))
        excess -= cut
    capped.reverse()
    return sum((a for _ln, _q, a in capped), ZERO) + extra, shipping, capped
