"""Tracking events into the database: stored once, latest news kept, delivery followed through to the order."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oms.accounts.actor import Actor
from oms.fulfillment.models import Package, PackageStatus
from oms.notifications.models import OutboxMessage
from oms.orders.models import Order
from oms.shipping.models import TrackingEvent, TrackingStatus
from oms.shipping.tracking import IncomingEvent, ingest_events
from tests.shipping.tracking_setup import at, carrier, shipped_order

S = TrackingStatus
SYSTEM = Actor.system()


@pytest.fixture(autouse=True)
def zto(db):
    return carrier("zto")


def event(number, status, when, text="", place="杭州市", carrier_code="zto"):
    return IncomingEvent(carrier=carrier_code, tracking_no=number, status=status, occurred_at=at(when),
                         description=text or f"{status} {when}", location=place)


def ingest(*events, source="push"):
    return ingest_events(events=list(events), source=source, actor=SYSTEM)


def test_a_replayed_push_is_stored_once_and_changes_nothing():
    shipped_order(tracking_nos=("731000000001",))
    history = [event("731000000001", S.ACCEPTED, "2026-11-26 09:00"),
               event("731000000001", S.IN_TRANSIT, "2026-11-26 21:00")]
    first = ingest(*history)
    again = ingest(*history, *history)

    assert (first.stored, first.duplicates) == (2, 0)
    assert (again.stored, again.duplicates) == (0, 4)
    assert TrackingEvent.objects.count() == 2
    assert OutboxMessage.objects.filter(topic="tracking.updated").count() == 1


def test_an_older_event_arriving_late_is_stored_but_does_not_move_the_package_back():
    order = shipped_order(tracking_nos=("731000000002",))
    ingest(event("731000000002", S.OUT_FOR_DELIVERY, "2026-11-27 08:00"))
    late = ingest(event("731000000002", S.IN_TRANSIT, "2026-11-26 21:00"))

    package = order.packages.get()
    assert late.stored == 1
    assert package.tracking_status == S.OUT_FOR_DELIVERY
    assert package.last_tracking_at == at("2026-11-27 08:00")
    assert list(package.tracking_events.order_by("occurred_at").values_list("status", flat=True)) == [
        S.IN_TRANSIT, S.OUT_FOR_DELIVERY]


def test_a_delivered_event_delivers_the_package_and_the_order_at_the_carriers_time():
    order = shipped_order(tracking_nos=("731000000003",))
    result = ingest(event("731000000003", S.IN_TRANSIT, "2026-11-26 21:00"),
                    event("731000000003", S.DELIVERED, "2026-11-27 15:30", "已签收，签收人：本人"))

    order.refresh_from_db()
    package = order.packages.get()
    assert result.delivered == [package.number]
    assert (package.status, package.delivered_at, package.tracking_status) == (
        PackageStatus.DELIVERED, at("2026-11-27 15:30"), S.DELIVERED)
    assert (order.status, order.delivered_at) == ("delivered", at("2026-11-27 15:30"))
    actions = list(order.events.values_list("action", flat=True))
    assert actions.count("tracking_updated") == 1 and "status_changed" in actions
    news = order.events.get(action="tracking_updated").data["packages"]
    assert news == [{"package": package.number, "tracking_no": "731000000003", "status": "delivered",
                     "package_status": "delivered", "at": at("2026-11-27 15:30").isoformat(),
                     "location": "杭州市", "description": "已签收，签收人：本人"}]


def test_an_order_with_one_of_two_parcels_delivered_stays_shipped():
    order = shipped_order(tracking_nos=("731000000004", "731000000005"))
    ingest(event("731000000004", S.DELIVERED, "2026-11-27 15:30"),
           event("731000000005", S.IN_TRANSIT, "2026-11-27 09:00"))

    order.refresh_from_db()
    assert order.status == "shipped"
    assert dict(order.packages.values_list("tracking_no", "status")) == {
        "731000000004": "delivered", "731000000005": "shipped"}
    assert order.events.filter(action="tracking_updated").count() == 1  # one per order per batch


def test_a_parcel_returned_to_sender_is_marked_returned_and_the_order_stays_shipped():
    order = shipped_order(tracking_nos=("731000000006",))
    ingest(event("731000000006", S.RETURNED_TO_SENDER, "2026-11-28 10:00", "收件人拒收，退回寄件人"))

    order.refresh_from_db()
    assert order.packages.get().status == PackageStatus.RETURNED
    assert order.status == "shipped"


def test_news_for_a_parcel_not_yet_shipped_is_stored_without_delivering_it():
    order = shipped_order(tracking_nos=("731000000007",), status="pending_shipment",
                          package_status=PackageStatus.PACKED)
    ingest(event("731000000007", S.DELIVERED, "2026-11-27 15:30"))

    order.refresh_from_db()
    package = order.packages.get()
    assert package.status == PackageStatus.PACKED and package.tracking_status == S.DELIVERED
    assert order.status == "pending_shipment"


def test_unknown_tracking_numbers_are_counted_not_errors():
    shipped_order(tracking_nos=("731000000008",))
    result = ingest(event("731000000008", S.IN_TRANSIT, "2026-11-27 09:00"),
                    event("799999999999", S.IN_TRANSIT, "2026-11-27 09:00"),
                    event("731000000008", S.IN_TRANSIT, "2026-11-27 09:00", carrier_code="sf"))

    assert (result.stored, result.unmatched) == (1, 2)
    assert result.unmatched_numbers == ["731000000008", "799999999999"]


def test_the_same_number_at_another_carrier_is_another_parcel():
    carrier("sto")
    mine = shipped_order(carrier_code="zto", tracking_nos=("731000000009",))
    other = shipped_order(carrier_code="sto", tracking_nos=("731000000009",))
    ingest(event("731000000009", S.DELIVERED, "2026-11-27 15:30", carrier_code="sto"))

    assert mine.packages.get().status == PackageStatus.SHIPPED
    assert other.packages.get().status == PackageStatus.DELIVERED


def test_news_of_a_package_others_were_merged_into_reaches_every_order_it_carries():
    host = shipped_order(tracking_nos=("731000000010",))
    guest = shipped_order(tracking_nos=(), status="shipped")
    Package.objects.create(order=guest, number=f"{guest.order_no}-1", warehouse=host.packages.get().warehouse,
                           status=PackageStatus.MERGED, merged_into=host.packages.get())
    ingest(event("731000000010", S.DELIVERED, "2026-11-27 15:30"))

    for order in (host, guest):
        order.refresh_from_db()
        assert order.status == "delivered", order.order_no
        assert order.events.filter(action="tracking_updated").count() == 1


def _batch(orders: int, tag: str) -> list[IncomingEvent]:
    events = []
    for i in range(orders):
        number = f"7{tag}{i:08d}"
        shipped_order(tracking_nos=(number,))
        events += [event(number, S.ACCEPTED, "2026-11-26 09:00"), event(number, S.IN_TRANSIT, "2026-11-26 21:00")]
    return events


def test_a_batch_costs_the_same_statements_for_ten_parcels_as_for_fifty():
    small, large = _batch(10, "1"), _batch(50, "2")
    ingest(*_batch(1, "3"))  # first-use caches (content types) out of the way
    with CaptureQueriesContext(connection) as ten:
        assert ingest(*small).stored == 20
    with CaptureQueriesContext(connection) as fifty:
        assert ingest(*large).stored == 100
    with CaptureQueriesContext(connection) as replay:
        assert ingest(*large).duplicates == 100

    assert len(ten) == len(fifty) <= 13  # 11, and the savepoint pair of the transaction
    assert len(replay) == 2  # find the packages, find the stored events; no lock, no write


def test_delivering_a_batch_stays_within_a_budget_of_one_update_per_delivered_order():
    events = _batch(10, "4")
    ingest(*events)
    delivered = [event(e.tracking_no, S.DELIVERED, "2026-11-27 15:30") for e in events[::2]]
    with CaptureQueriesContext(connection) as ctx:
        assert len(ingest(*delivered).delivered) == 10

    assert Order.objects.filter(status="delivered").count() == 10
    assert len(ctx) <= 14 + 10


def test_an_event_with_a_status_outside_the_vocabulary_is_refused():
    from oms.shipping.tracking import InvalidTrackingEvent

    shipped_order(tracking_nos=("731000000011",))
    with pytest.raises(InvalidTrackingEvent):
        ingest(event("731000000011", "lost_in_space", "2026-11-27 09:00"))
    assert TrackingEvent.objects.count() == 0
