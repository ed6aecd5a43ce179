"""Retention sweeps running at once (two workers) anonymise each order once (SKIP LOCKED / re-checked UPDATE)."""

from __future__ import annotations

import pytest

from oms.audit.models import AuditEvent
from oms.orders.anonymisation import ANONYMISED_ACTION, anonymise_archived
from oms.orders.models import Order
from oms.orders.personal_data import ANONYMISED
from tests.concurrency import run_concurrently
from tests.orders.personal_data_fixtures import make_order

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_sweeps_at_once_anonymise_every_old_archived_order_exactly_once(settings):
    settings.OMS_PII_RETENTION_DAYS = 365
    orders = [make_order(phone=f"1380013{i:04d}", archived_days_ago=400) for i in range(8)]

    done = run_concurrently(2, lambda i: anonymise_archived(batch_size=3))

    assert sum(done) == 8
    for order in orders:
        order = Order.objects.get(pk=order.pk)
        assert order.ship_phone == ANONYMISED and order.anonymised_at is not None
        assert AuditEvent.objects.filter(order=order, action=ANONYMISED_ACTION).count() == 1
