"""The sweep and people confirming receipt at the same moment complete each order exactly once."""
# ruff: noqa: F811  (`place` is a fixture imported from tests/orders/completion_fixtures.py)

from datetime import timedelta

import pytest
from django.utils import timezone

from oms.audit.models import AuditEvent
from oms.orders.completion import complete_delivered, confirm_receipt
from oms.orders.models import Order
from tests.concurrency import run_concurrently
from tests.orders.completion_fixtures import place  # noqa: F401  (a fixture; the tests take it as an argument)

pytestmark = pytest.mark.django_db(transaction=True)


def test_sweep_and_confirmations_together_complete_every_order_once(place, actor):
    now = timezone.now()
    orders = [place(status="delivered", delivered_at=now - timedelta(days=8)) for _ in range(12)]
    shop = actor("integration")

    def work(i):
        if i == 0:
            return complete_delivered(now=now, batch_size=4)
        done = 0
        for order in orders[i - 1::3]:
            done += confirm_receipt(order_no=order.order_no, actor=shop, by="buyer").changed
        return done

    results = run_concurrently(4, work)

    ids = [o.pk for o in orders]
    assert Order.objects.filter(pk__in=ids, status="completed").count() == 12
    assert sum(results) == 12  # each order completed by exactly one of them
    assert AuditEvent.objects.filter(order_id__in=ids, action="receipt_confirmed").count() == 12
    by = set(Order.objects.filter(pk__in=ids).values_list("receipt_confirmed_by", flat=True))
    assert by <= {"auto", "buyer"}
