"""The worker allocating approved orders and a person cancelling one of them at the same moment never
deadlock: each allocation is its own transaction (order, then its stock levels), like cancellation."""

import threading
import time

import pytest
from django.db import connections

from oms.accounts.actor import Actor
from oms.fulfillment import triggers
from oms.inventory.verification import verify_stock
from oms.notifications.models import OutboxMessage
from oms.notifications.outbox import deliver_pending
from oms.orders.cancellation import cancel_order
from oms.orders.models import Order
from oms.orders.review.services import review_order

from .conftest import receive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("network")]


def test_allocating_two_orders_while_the_second_is_cancelled_finishes_both(push, actor, monkeypatch):
    receive(actor, "TEE", "hz", 10)
    OutboxMessage.objects.all().delete()
    monkeypatch.setattr(triggers, "allocate_order", triggers.allocate_order)  # restored afterwards
    orders = []
    for _ in range(2):  # reviewed by hand, so both approvals wait in the outbox together
        order = push(("TEE", 1), payment={"method": "alipay", "status": "unpaid"}, paid_amount="0.00")
        order.payment_status, order.paid_amount, order.transaction_id = "paid", order.payable_amount, "T1"
        order.status = "pending_review"
        order.save()
        orders.append(order.order_no)
    OutboxMessage.objects.all().delete()
    for order_no in orders:
        assert review_order(order_no=order_no, actor=Actor.system()).passed

    first_done, real, calls, errors = threading.Event(), triggers.allocate_order, [], {}

    def slow_allocate(**kw):
        result = real(**kw)
        calls.append(kw["order_no"])
        if len(calls) == 1:
            first_done.set()
            time.sleep(0.3)  # the cancellation now takes the second order and its stock levels
        return result

    monkeypatch.setattr(triggers, "allocate_order", slow_allocate)

    def run(name, fn):
        try:
            fn()
        except Exception as exc:  # collected and asserted below
            errors[name] = exc
        finally:
            connections.close_all()

    def cancel():
        first_done.wait(10)
        cancel_order(order_no=orders[1], actor=actor("operations"), reason="buyer_request")

    threads = [threading.Thread(target=run, args=("worker", deliver_pending)),
               threading.Thread(target=run, args=("cancel", cancel))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert errors == {}
    assert Order.objects.get(order_no=orders[1]).status == "cancelled"
    assert Order.objects.get(order_no=orders[0]).packages.filter(status="allocated").count() == 1
    assert not OutboxMessage.objects.filter(topic="order.approved", sent_at__isnull=True).exclude(
        last_error="").exists()
    assert verify_stock().ok
