"""import_orders: what gets created, what is skipped, what is recorded, and at what cost."""

import pytest

from oms.audit.models import AuditEvent
from oms.core.errors import PermissionDenied
from oms.notifications.models import OutboxMessage
from oms.orders.importing import services
from oms.orders.models import Order, OrderLine
from tests.orders.importing.import_builders import csv_bytes, many_orders, order_rows


def test_a_file_mixing_good_and_bad_orders_creates_only_the_good_ones(importer):
    rows = order_rows("G1") + order_rows("BAD1", customer_phone="") + order_rows("G2", lines=3)
    rows[3]["quantity"] = "0"  # the second row of BAD1

    report = importer(csv_bytes(rows))

    assert report.orders_in_file == 3 and report.rejected == 1
    assert set(Order.objects.values_list("external_id", flat=True)) == {"G1", "G2"}
    assert {(e.row, e.column) for e in report.errors} == {(4, "customer_phone"), (5, "quantity")}
    assert OrderLine.objects.count() == 5


def test_reimporting_the_same_file_creates_nothing_and_reports_duplicates(importer):
    content = csv_bytes(order_rows("R1") + order_rows("R2"))
    first = importer(content)

    again = importer(content)

    assert len(first.created) == 2
    assert again.created == [] and again.duplicates == ["R1", "R2"] and again.errors == []
    assert Order.objects.count() == 2
    assert AuditEvent.objects.count() == 2


def test_an_order_already_pushed_through_the_api_is_a_duplicate(api, importer, order_payload):
    api("integration").post("/api/v1/orders", order_payload(external_id="SAME-1"), format="json")

    report = importer(csv_bytes(order_rows("SAME-1")))

    assert report.duplicates == ["SAME-1"] and report.created == []


def test_each_imported_order_gets_the_intake_audit_event_and_outbox_message(importer, users):
    report = importer(csv_bytes(order_rows("AU1")), filename="november.csv")

    order = Order.objects.get()
    assert order.created_by == users["customer_service"]
    event = AuditEvent.objects.get(order=order)
    assert event.action == "order_received"
    assert event.actor_username == "customer_service"
    assert event.data == {"source": "import", "channel": "taobao", "external_id": "AU1", "status": "pending_review",
                          "file": "november.csv"}
    message = OutboxMessage.objects.get()
    assert (message.topic, message.payload) == ("order.received", {"order_no": report.created[0],
                                                                    "status": "pending_review"})


def test_orders_keep_the_files_order_and_resolve_known_skus(importer):
    from oms.inventory.models import Sku

    sku = Sku.objects.create(code="TSHIRT-RED-M", name="纯棉T恤")
    report = importer(csv_bytes(order_rows("S1") + order_rows("S2")))

    assert list(Order.objects.order_by("order_no").values_list("external_id", flat=True)) == ["S1", "S2"]
    assert report.created == sorted(report.created)
    line = OrderLine.objects.filter(order__external_id="S1").first()
    assert (line.line_no, line.sku_id) == (1, sku.id)


def test_a_role_without_the_import_permission_is_refused(importer):
    with pytest.raises(PermissionDenied):
        importer(csv_bytes(order_rows("W1")), role="warehouse")
    assert Order.objects.count() == 0


def test_progress_is_reported_per_batch_up_to_the_number_of_orders(importer, monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    seen = []

    importer(csv_bytes(many_orders(5, lines=1)), progress=lambda done, total: seen.append((done, total)))

    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]


def test_importing_200_orders_takes_a_fixed_small_number_of_queries(importer, django_assert_max_num_queries):
    content = csv_bytes(many_orders(200, lines=3))

    with django_assert_max_num_queries(30):
        report = importer(content)

    assert len(report.created) == 200


def test_a_batch_of_400_orders_takes_as_many_queries_as_a_batch_of_20(importer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    importer(csv_bytes(order_rows("WARM-UP")))  # the user's permissions are loaded once
    counts = []
    for n, prefix in ((20, "SMALL"), (400, "LARGE")):
        content = csv_bytes(many_orders(n, lines=3, prefix=prefix))
        with CaptureQueriesContext(connection) as queries:
            importer(content)
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_a_batch_hit_by_a_concurrent_insert_falls_back_to_one_by_one_and_counts_duplicates(importer, monkeypatch):
    importer(csv_bytes(order_rows("C2")))
    # Pretend the duplicate check ran before another process stored C2.
    real_existing = services._existing
    calls = []

    def stale_first_time(keys):
        calls.append(keys)
        return set() if len(calls) == 1 else real_existing(keys)

    monkeypatch.setattr(services, "_existing", stale_first_time)

    report = importer(csv_bytes(order_rows("C1") + order_rows("C2") + order_rows("C3")))

    assert sorted(report.duplicates) == ["C2"]
    assert len(report.created) == 2
    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["C1", "C2", "C3"]
    assert AuditEvent.objects.count() == OutboxMessage.objects.count() == 3


def test_a_conflict_that_is_not_a_duplicate_is_not_swallowed(importer, monkeypatch):
    from django.db import IntegrityError

    def broken_insert(built, **kwargs):
        raise IntegrityError("some other constraint")

    monkeypatch.setattr(services, "_insert", broken_insert)

    with pytest.raises(IntegrityError):
        importer(csv_bytes(order_rows("N1")))
