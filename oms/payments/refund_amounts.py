"""How much a refund pays back: pure rules, tested without a database (manual §2.6.2).

Order-level discounts are spread over the lines in proportion to their subtotals, to the fen, so
that the lines' net amounts add up to goods minus discounts exactly. Units of a line refunded in
several refunds add up to the line's net amount exactly: each refund takes the difference of the
rounded shares before and after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from oms.aftersales.status import RefundCause, RequestReason
from oms.core.money import CENT, ZERO


@dataclass(frozen=True)
class LineMoney:
    line_id: int
    quantity: int
    subtotal: Decimal


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def net_line_amounts(lines: list[LineMoney], discount_total: Decimal) -> dict[int, Decimal]:
    """Each line's subtotal minus its pro-rated share of the order's discounts (largest remainder)."""
    goods = sum((ln.subtotal for ln in lines), ZERO)
    if goods <= 0 or discount_total <= 0:
        return {ln.line_id: ln.subtotal for ln in lines}
    discount_fen = int(discount_total / CENT)
    raw = {ln.line_id: Decimal(discount_fen) * ln.subtotal / goods for ln in lines}
    shares = {k: int(v) for k, v in raw.items()}
    left = discount_fen - sum(shares.values())
    # Largest remainders first, then line order, so the result is the same every time.
    for line_id in sorted(raw, key=lambda k: (-(raw[k] - shares[k]), k))[:left]:
        shares[line_id] += 1
    return {ln.line_id: ln.subtotal - Decimal(shares[ln.line_id]) * CENT for ln in lines}


def units_amount(*, net: Decimal, quantity: int, already: int, units: int) -> Decimal:
    """What `units` more units of a line pay back when `already` units were refunded before."""
    if quantity <= 0 or units <= 0:
        return ZERO
    before = _round(net * already / quantity)
    after = _round(net * (already + units) / quantity)
    return after - before


# Causes where the seller is at fault: the buyer gets the original shipping fee back once every
# unit is refunded. A no-reason return keeps the shipping fee (7-day no-reason rule).
SELLER_FAULT_REASONS = frozenset({
    RequestReason.QUALITY, RequestReason.WRONG_ITEM, RequestReason.DAMAGED_IN_TRANSIT,
    RequestReason.NOT_AS_DESCRIBED, RequestReason.NOT_RECEIVED,
})


def shipping_refund(*, cause: str, reason: str, all_units_refunded: bool, shipping_fee: Decimal,
                    shipping_already_refunded: Decimal) -> Decimal:
    """The part of the order's shipping fee a refund pays back, per cause and reason."""
    left = max(shipping_fee - shipping_already_refunded, ZERO)
    if cause == RefundCause.CANCELLATION:
        return left
    if cause in (RefundCause.PARTIAL_CANCELLATION, RefundCause.ORDER_EDIT):
        return left if all_units_refunded else ZERO
    if cause in (RefundCause.RETURN, RefundCause.REFUND_ONLY):
        return left if all_units_refunded and reason in SELLER_FAULT_REASONS else ZERO
    return ZERO


def unit_net_price(*, net: Decimal, quantity: int) -> Decimal:
    """A line's net amount per unit (after its share of order discounts), not rounded."""
    return net / quantity if quantity > 0 else ZERO


def price_adjustment_amount(*, unit_difference: Decimal, units: int) -> Decimal:
    """优惠补差: the per-unit price difference times the units it applies to, to the fen."""
    if unit_difference <= 0 or units <= 0:
        return ZERO
    return _round(unit_difference * units)


def return_postage_compensation(*, claimed: Decimal, already: Decimal, cap: Decimal) -> Decimal:
    """What the buyer's return postage pays back: what they paid, within what is left of the per-order cap."""
    left = max(cap - already, ZERO)
    return min(max(claimed, ZERO), left)
