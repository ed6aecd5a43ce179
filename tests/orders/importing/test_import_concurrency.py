"""Two imports of one file at once, on real connections: each order is created exactly once."""

import io
import threading

import pytest

from oms.audit.models import AuditEvent
from oms.notifications.models import OutboxMessage
from oms.orders.importing import services
from oms.orders.importing.services import import_orders
from oms.orders.models import Order
from tests.concurrency import run_concurrently
from tests.orders.importing.import_builders import csv_bytes, many_orders

pytestmark = pytest.mark.django_db(transaction=True)



def test_two_concurrent_imports_of_one_file_create_each_order_once(actor, monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 40)  # several batches, so the imports interleave
    cs = actor("customer_service")
    content = csv_bytes(many_orders(200, lines=2))

    reports = run_concurrently(2, lambda i: import_orders(fileobj=io.BytesIO(content), filename="same.csv", actor=cs))

    assert Order.objects.count() == 200
    assert AuditEvent.objects.count() == OutboxMessage.objects.count() == 200
    assert sum(len(r.created) for r in reports) == 200
    assert sum(len(r.duplicates) for r in reports) == 200
    assert all(r.errors == [] for r in reports)
    created = [no for r in reports for no in r.created]
    assert len(set(created)) == 200


def test_concurrent_imports_racing_past_the_duplicate_check_still_create_each_order_once(actor, monkeypatch):
    # Both imports see "nothing stored yet", as when two PostgreSQL transactions check at once;
    # the unique constraint then decides, and the loser's batch goes order by order.
    real_existing = services._existing
    first_checks = threading.local()

    def stale_once(keys):
        if not getattr(first_checks, "done", False):
            first_checks.done = True
            return set()
        return real_existing(keys)

    monkeypatch.setattr(services, "_existing", stale_once)
    cs = actor("customer_service")
    content = csv_bytes(many_orders(60, lines=2, prefix="RACE"))

    reports = run_concurrently(2, lambda i: import_orders(fileobj=io.BytesIO(content), filename="same.csv", actor=cs))

    assert Order.objects.count() == 60
    assert sum(len(r.created) for r in reports) == 60
    assert sum(len(r.duplicates) for r in reports) == 60
