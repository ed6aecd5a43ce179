"""An approved amounts correction keeps the order's books whole: its discount rows add up to the
corrected discount total, so a later line edit or a refund split does not undo it."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from oms.approvals import services as svc
from oms.audit.models import AuditEvent
from tests.approvals.setup import delivered_order, network, second

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _network():
    network()


def _rows_total(order) -> Decimal:
    return order.discounts.aggregate(s=Sum("amount"))["s"] or D("0.00")


@pytest.mark.parametrize(("discount", "paid"), [("20.00", "138.00"), ("4.80", "153.20"), ("0.00", "158.00")])
def test_the_discount_rows_add_up_to_the_approved_discount_total(actor, discount, paid):
    order = delivered_order()  # goods 148, shipping 10, one coupon row 14.80, paid 143.20
    cr = svc.request_change(kind="order_amounts", order_no=order.order_no, actor=actor("finance"), reason="r",
                            proposed={"discount_total": discount, "paid_amount": paid})
    svc.approve_change(number=cr.number, actor=second("finance"))

    order.refresh_from_db()
    assert order.discount_total == D(discount)
    assert _rows_total(order) == D(discount)
    assert order.payable_amount == order.paid_amount == D(paid)
    event = AuditEvent.objects.get(action="change_applied", data__change_request=cr.number)
    assert "discounts" in event.changes


def test_an_order_waiting_for_payment_marked_paid_moves_on_to_review(actor):
    from oms.orders.models import Order
    from oms.orders.status import OrderStatus, PaymentStatus
    from tests.approvals.setup import unpaid_order

    order = unpaid_order()
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PENDING_PAYMENT)
    cr = svc.request_change(kind="payment_status", order_no=order.order_no, actor=actor("finance"), reason="银行回单",
                            proposed={"payment_status": "paid", "paid_at": "2026-11-26T10:16:00+08:00",
                                      "transaction_id": "BANK-2"})
    svc.approve_change(number=cr.number, actor=second("finance"))

    order.refresh_from_db()
    assert (order.payment_status, order.status) == (PaymentStatus.PAID, OrderStatus.PENDING_REVIEW)
    event = AuditEvent.objects.get(action="change_applied", data__change_request=cr.number)
    assert event.changes["status"] == [OrderStatus.PENDING_PAYMENT, OrderStatus.PENDING_REVIEW]
