"""Several people editing the lines of one order at once: every edit lands, and the money adds up."""
# ruff: noqa: F811  (`take` and its fixtures come from tests/orders/changes_fixtures.py)

from decimal import Decimal

import pytest

from oms.orders import line_edits
from oms.orders.models import Order
from oms.payments.models import Refund
from tests.concurrency import run_concurrently
from tests.orders.changes_fixtures import network, shop, take  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_line_edits_on_one_order_keep_totals_and_refunds_consistent(take, actor):
    order = take(("TEE", 5), ("MUG", 5), worker=False, buyer_remark="请加急")  # paid 100.00, held for its remark
    cs = actor("customer_service")

    def edit(i):
        if i == 0:
            return line_edits.change_line(order_no=order.order_no, line_no=1, quantity=2, actor=cs).refund
        if i == 1:
            return line_edits.change_line(order_no=order.order_no, line_no=2, quantity=4, actor=cs).refund
        if i == 2:
            return line_edits.change_line(order_no=order.order_no, line_no=2, unit_price="9.00", actor=cs).refund
        return line_edits.add_line(order_no=order.order_no, sku="TEE", quantity=1, unit_price="0.00",
                                   actor=cs).refund

    run_concurrently(4, edit)

    order = Order.objects.get(pk=order.pk)
    lines = list(order.lines.order_by("line_no"))
    assert [(ln.line_no, ln.quantity, ln.unit_price) for ln in lines] == [
        (1, 2, Decimal("10.00")), (2, 4, Decimal("9.00")), (3, 1, Decimal("0.00"))]
    assert order.goods_total == sum(ln.subtotal for ln in lines) == Decimal("56.00")
    assert order.payable_amount == Decimal("56.00")
    refunded = sum(r.amount for r in Refund.objects.filter(order=order))
    assert refunded == order.paid_amount - order.payable_amount == Decimal("44.00")
    assert order.events.filter(action__startswith="order_line_").count() == 4
