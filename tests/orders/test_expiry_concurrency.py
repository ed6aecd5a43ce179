"""Sweeps running at once (two workers) cancel each timed-out order once (SKIP LOCKED)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from oms.orders.expiry import expire_unpaid
from oms.orders.models import Order
from tests.concurrency import run_concurrently
from tests.fulfillment.conftest import network, push  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("network")]


def test_two_sweeps_at_once_cancel_every_timed_out_order_exactly_once(push):  # noqa: F811
    placed = (timezone.now() - timedelta(hours=2)).isoformat()
    orders = [push(("TEE", 1), placed_at=placed, paid_amount="0.00",
                   payment={"method": "alipay", "status": "unpaid"}) for _ in range(6)]

    done = run_concurrently(2, lambda i: expire_unpaid(batch_size=2))

    assert sum(done) == 6
    for order in orders:
        order = Order.objects.get(pk=order.pk)
        assert order.status == "cancelled" and order.events.filter(action="order_cancelled").count() == 1
