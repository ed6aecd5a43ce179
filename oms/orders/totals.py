"""Money rules of an order, pure and database-free.

goods total = Σ line subtotals; payable = goods + shipping − discounts; a paid order
has paid exactly the payable amount.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from oms.core.money import ZERO


@dataclass(frozen=True)
class Totals:
    goods_total: Decimal
    shipping_fee: Decimal
    discount_total: Decimal

    @property
    def payable(self) -> Decimal:
        return self.goods_total + self.shipping_fee - self.discount_total


def line_subtotal(quantity: int, unit_price: Decimal) -> Decimal:
    return (unit_price * quantity).quantize(Decimal("0.01"))


def compute_totals(
    *, lines: Iterable[tuple[int, Decimal]], shipping_fee: Decimal, discounts: Iterable[Decimal]
) -> Totals:
    goods = sum((line_subtotal(q, p) for q, p in lines), ZERO)
    return Totals(goods_total=goods, shipping_fee=shipping_fee, discount_total=sum(discounts, ZERO))


def totals_problems(totals: Totals, *, paid: bool, paid_amount: Decimal) -> dict[str, str]:
    """The invariants an order must satisfy, as {field: problem}; empty when consistent."""
    problems: dict[str, str] = {}
    if totals.discount_total > totals.goods_total:
        problems["discounts"] = _("Discounts %(discounts)s exceed the goods total %(goods)s.") % {
            "discounts": totals.discount_total, "goods": totals.goods_total}
    elif paid and paid_amount != totals.payable:
        problems["paid_amount"] = _(
            "Paid amount %(paid)s differs from goods %(goods)s + shipping %(shipping)s"
            " - discounts %(discounts)s = %(payable)s."
        ) % {"paid": paid_amount, "goods": totals.goods_total, "shipping": totals.shipping_fee,
             "discounts": totals.discount_total, "payable": totals.payable}
    elif not paid and paid_amount > totals.payable:
        problems["paid_amount"] = _("Paid amount %(paid)s exceeds the payable amount %(payable)s.") % {
            "paid": paid_amount, "payable": totals.payable}
    return problems
