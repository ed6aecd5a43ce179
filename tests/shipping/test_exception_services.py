"""Exception tickets against the database: opening them (sweep and tracking news) and the actions on them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from oms.audit.models import AuditEvent
from oms.core.errors import PermissionDenied
from oms.fulfillment.models import Package, PackageStatus
from oms.inventory.models import MovementKind, Reservation, StockLevel, StockMovement
from oms.notifications.outbox import deliver_pending, enqueue
from oms.shipping import exceptions as svc
from oms.shipping.models import ExceptionReason, ExceptionStatus, LogisticsException, RateZone
from oms.shipping.models import TrackingStatus as S
from tests.shipping.exception_setup import hours_ago, network, scan, shipped

pytestmark = pytest.mark.django_db


@pytest.fixture
def zone_24h(db):
    return network(no_update_hours=24)


def test_a_quiet_parcel_gets_a_no_update_ticket_after_its_zones_hours_and_not_before(zone_24h):
    package = shipped(shipped_at=hours_ago(30))
    scan(package, S.IN_TRANSIT, hours_ago(23), location="杭州")
    assert svc.open_exceptions() == []

    [ticket] = svc.open_exceptions(now=timezone.now() + timedelta(hours=2))
    assert (ticket.reason, ticket.status, ticket.package_id) == (ExceptionReason.NO_UPDATE, "open", package.pk)
    assert ticket.number.startswith("EX-") and len(ticket.number.split("-")[1]) == 8


def test_a_zone_without_its_own_hours_waits_the_default_48(db):
    network()
    RateZone.objects.update(no_update_hours=48)
    shipped(shipped_at=hours_ago(47))
    assert svc.open_exceptions() == []
    assert len(svc.open_exceptions(now=timezone.now() + timedelta(hours=2))) == 1


def test_a_destination_outside_every_zone_uses_the_default_hours(zone_24h):
    shipped(shipped_at=hours_ago(30), province="广东省")
    assert svc.open_exceptions() == []


def test_a_second_sweep_opens_no_duplicate(zone_24h):
    shipped(shipped_at=hours_ago(30))
    assert svc.sweep().opened == 1
    assert svc.open_exceptions() == []
    assert LogisticsException.objects.count() == 1


def test_opening_a_ticket_is_an_event_on_the_order_timeline(zone_24h):
    package = shipped(shipped_at=hours_ago(30))
    [ticket] = svc.open_exceptions()
    event = AuditEvent.objects.get(order=package.order, action="logistics_exception_opened")
    assert event.data["ticket"] == ticket.number and event.reason == "no_update" and event.actor_username == "system"


def test_a_closed_ticket_is_not_reopened_by_the_same_silence_but_news_then_silence_opens_a_new_one(zone_24h, users):
    package = shipped(shipped_at=hours_ago(30))
    [first] = svc.open_exceptions()
    svc.close_exception(number=first.number, outcome=svc.Outcome.DELIVERED, actor=svc.Actor.of(users["logistics"]))
    assert svc.open_exceptions() == []
    scan(package, S.IN_TRANSIT, hours_ago(1), location="上海")
    assert svc.open_exceptions() == []
    [second] = svc.open_exceptions(now=timezone.now() + timedelta(hours=25))
    assert second.number != first.number and second.reason == ExceptionReason.NO_UPDATE


def test_tracking_news_of_a_failed_delivery_opens_a_ticket_through_the_outbox(zone_24h, settings):
    package = shipped(shipped_at=hours_ago(10))
    scan(package, S.DELIVERY_FAILED, hours_ago(1), location="西湖区", description="客户不在家")
    enqueue("tracking.updated", {"packages": [package.number]})
    deliver_pending()
    ticket = LogisticsException.objects.get(package=package)
    assert (ticket.reason, ticket.detail) == (ExceptionReason.DELIVERY_FAILED, "客户不在家")


def test_new_tickets_go_to_the_default_owner_when_one_is_set(zone_24h, users, settings):
    settings.OMS_LOGISTICS_EXCEPTION_OWNER = "logistics"
    shipped(shipped_at=hours_ago(30))
    [ticket] = svc.open_exceptions()
    assert ticket.owner == users["logistics"]


def test_delivered_and_unshipped_packages_are_not_watched(zone_24h):
    delivered = shipped(shipped_at=hours_ago(100))
    Package.objects.filter(pk=delivered.pk).update(status=PackageStatus.DELIVERED)
    assert svc.open_exceptions() == []


def test_many_packages_are_evaluated_with_a_bounded_number_of_queries(zone_24h, django_assert_max_num_queries):
    for _ in range(30):
        p = shipped(shipped_at=hours_ago(30))
        scan(p, S.IN_TRANSIT, hours_ago(29), location="杭州")
    with django_assert_max_num_queries(18):  # reads twice (before and after locking), whatever the count
        assert len(svc.open_exceptions()) == 30


@pytest.fixture
def ticket(zone_24h):
    shipped(shipped_at=hours_ago(30))
    return svc.open_exceptions()[0]


@pytest.fixture
def clerk(users):
    return svc.Actor.of(users["logistics"])


def test_closing_records_the_outcome_and_its_note(ticket, clerk):
    svc.close_exception(number=ticket.number, outcome="other", note="买家已自取", actor=clerk)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.outcome, ticket.outcome_note) == (ExceptionStatus.CLOSED, "other", "买家已自取")
    assert ticket.closed_at is not None
    event = AuditEvent.objects.get(action="logistics_exception_closed")
    assert event.data["outcome"] == "other" and event.actor_username == "logistics"


def test_closing_with_other_needs_a_note_and_an_unknown_outcome_is_refused(ticket, clerk):
    with pytest.raises(svc.ValidationFailed):
        svc.close_exception(number=ticket.number, outcome="other", actor=clerk)
    with pytest.raises(svc.ValidationFailed):
        svc.close_exception(number=ticket.number, outcome="vanished", actor=clerk)
    assert LogisticsException.objects.get(pk=ticket.pk).status == ExceptionStatus.OPEN


def test_a_closed_ticket_takes_no_more_actions(ticket, clerk):
    svc.close_exception(number=ticket.number, outcome="delivered", actor=clerk)
    with pytest.raises(svc.ExceptionClosed):
        svc.contact_carrier(number=ticket.number, note="再问一次", actor=clerk)


def test_people_without_the_permission_cannot_act(ticket, users):
    with pytest.raises(PermissionDenied):
        svc.contact_buyer(number=ticket.number, note="x", actor=svc.Actor.of(users["finance"]))
    assert not AuditEvent.objects.filter(action="logistics_exception_buyer_contacted").exists()


def test_contacts_claims_and_assignment_are_each_on_the_order_timeline(ticket, clerk):
    svc.assign_owner(number=ticket.number, owner_username="operations", actor=clerk, note="交给运营")
    svc.contact_carrier(number=ticket.number, note="中通客服：仍在转运", actor=clerk)
    svc.contact_buyer(number=ticket.number, note="已致电买家说明", actor=clerk)
    svc.claim(number=ticket.number, amount="20.00", reference="ZTO-CL-001", actor=clerk)
    actions = list(AuditEvent.objects.filter(order_id=ticket.order_id, action__startswith="logistics_exception_")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["logistics_exception_opened", "logistics_exception_assigned",
                       "logistics_exception_carrier_contacted", "logistics_exception_buyer_contacted",
                       "logistics_exception_claimed"]
    ticket.refresh_from_db()
    assert ticket.owner.username == "operations" and ticket.last_action_at is not None
    assert svc.claimed_total(ticket) == Decimal("20.00")


def test_a_contact_needs_a_note_and_a_claim_a_positive_amount_and_reference(ticket, clerk):
    with pytest.raises(svc.ValidationFailed):
        svc.contact_carrier(number=ticket.number, note="  ", actor=clerk)
    for amount in ("0", "-5", "abc", "1.234", "NaN"):
        with pytest.raises(svc.ValidationFailed):
            svc.claim(number=ticket.number, amount=amount, reference="R1", actor=clerk)
    with pytest.raises(svc.ValidationFailed):
        svc.claim(number=ticket.number, amount="5.00", reference="", actor=clerk)


def test_assigning_to_someone_who_cannot_handle_exceptions_is_refused(ticket, clerk):
    with pytest.raises(svc.ValidationFailed):
        svc.assign_owner(number=ticket.number, owner_username="finance", actor=clerk)


def test_reship_creates_an_allocated_package_of_the_same_lines_and_reserves_its_stock(ticket, clerk):
    package = svc.reship(number=ticket.number, actor=clerk, note="丢件补发")
    assert package.status == PackageStatus.ALLOCATED and package.number == f"{ticket.package.number}-R1"
    assert [(ln.sku.code, ln.quantity) for ln in package.lines.all()] == [("TEE", 2)]
    level = StockLevel.objects.get(sku__code="TEE", warehouse__code="hz")
    assert (level.on_hand, level.reserved) == (10, 2)
    assert Reservation.objects.filter(order_id=ticket.order_id, status="active").get().quantity == 2
    assert StockMovement.objects.filter(kind=MovementKind.RESERVATION, order_id=ticket.order_id).count() == 1
    event = AuditEvent.objects.get(action="logistics_exception_reshipped")
    assert event.data["new_package"] == package.number and event.note == "丢件补发"


def test_reship_without_enough_free_stock_is_refused_and_changes_nothing(ticket, clerk):
    StockLevel.objects.filter(sku__code="TEE").update(on_hand=3, reserved=2)
    with pytest.raises(svc.ReshipOutOfStock) as caught:
        svc.reship(number=ticket.number, actor=clerk)
    assert caught.value.details["short"] == [{"sku": "TEE", "wanted": 2, "available": 1}]
    assert Package.objects.filter(order_id=ticket.order_id).count() == 1
    assert StockLevel.objects.get(sku__code="TEE").reserved == 2
    assert not AuditEvent.objects.filter(action="logistics_exception_reshipped").exists()


def test_a_second_reship_gets_the_next_number(ticket, clerk):
    svc.reship(number=ticket.number, actor=clerk)
    assert svc.reship(number=ticket.number, actor=clerk).number.endswith("-R2")
    assert StockLevel.objects.get(sku__code="TEE").reserved == 4


def test_an_unknown_ticket_number_is_not_found(zone_24h, clerk):
    with pytest.raises(svc.ExceptionNotFound):
        svc.contact_carrier(number="EX-NOPE", note="x", actor=clerk)


def test_a_failed_delivery_ingested_from_the_carrier_opens_its_tickets_through_tracking_updated(zone_24h):
    from oms.shipping.tracking import IncomingEvent, ingest_events

    package = shipped(shipped_at=hours_ago(10), tracking_no="ZT123456789")
    ingest_events(events=[IncomingEvent(carrier="zto", tracking_no="ZT123456789", status=S.DELIVERY_FAILED,
                                        occurred_at=hours_ago(1), description="收件人地址不详，无法派送",
                                        location="西湖区")],
                  source="push", actor=svc.Actor.system())
    for _ in range(2):
        deliver_pending()
    reasons = set(LogisticsException.objects.filter(package=package).values_list("reason", flat=True))
    assert reasons == {ExceptionReason.DELIVERY_FAILED, ExceptionReason.ADDRESS_PROBLEM}


def test_the_order_status_can_still_follow_its_packages_after_a_reship(ticket, clerk, users):
    from oms.shipping.progress import refresh_order_statuses

    svc.reship(number=ticket.number, actor=clerk)
    order = ticket.order
    order.refresh_from_db()
    refresh_order_statuses([order], actor=clerk)
    assert order.status == "shipped"  # a replacement parcel waiting to be picked does not move it back
    from oms.fulfillment.picking import WaveRules, create_pick_list

    replacement = order.packages.get(number__contains="-R")
    pick_list = create_pick_list(warehouse_code=replacement.warehouse.code, actor=svc.Actor.of(users["warehouse"]),
                                 rules=WaveRules(package_numbers=(replacement.number,)))
    assert replacement.number in [p.number for p in pick_list.packages.all()]
