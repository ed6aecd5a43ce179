"""Bursts of the same problem raise ONE major incident: holds for the same reason, carrier exceptions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from oms.accounts.actor import Actor
from oms.audit.models import AuditEvent
from oms.inbox.models import Notice
from oms.orders.review.models import HoldResolution, OrderHold
from oms.problems import services
from oms.problems.bursts import detect_bursts
from oms.problems.models import ProblemReport
from tests.problems.problem_setup import carrier_exceptions, held

pytestmark = pytest.mark.django_db


def test_twenty_orders_held_for_the_same_reason_within_an_hour_raise_one_incident_and_a_second_sweep_none():
    orders = held(20, "address_invalid")
    held(5, "phone_invalid")

    incidents = detect_bursts()

    assert len(incidents) == 1
    incident = incidents[0]
    assert incident.is_incident and incident.severity == "major" and incident.category == "address_phone"
    assert incident.team == "customer_service" and incident.burst_count == 20 and incident.order is None
    assert set(incident.orders.values_list("pk", flat=True)) == {o.pk for o in orders}
    assert "20" in incident.description
    assert sorted(Notice.objects.filter(kind="problem_incident").values_list("team", flat=True)) == [
        "customer_service", "operations"]
    assert AuditEvent.objects.filter(action="problem_incident_raised", data__problem=incident.number).count() == 1

    held(3, "address_invalid")
    assert detect_bursts() == []
    assert ProblemReport.objects.filter(is_incident=True).count() == 1


def test_nineteen_holds_or_holds_older_than_the_window_raise_nothing():
    held(19, "address_invalid")
    held(5, "address_invalid", at=timezone.now() - timedelta(minutes=61))
    assert detect_bursts() == []


def test_orders_already_held_for_the_reason_and_reviewed_again_do_not_count_as_newly_held():
    before = timezone.now() - timedelta(hours=3)
    orders = held(20, "out_of_stock", at=before)
    # A re-review (stock arrived, still short) clears the old holds and writes new ones for the same reason.
    OrderHold.objects.filter(order__in=orders).update(cleared_at=timezone.now(), resolution=HoldResolution.REVIEWED)
    OrderHold.objects.bulk_create([OrderHold(order=o, code="out_of_stock", details={}) for o in orders])
    assert detect_bursts() == []


def test_ten_carrier_exceptions_for_the_same_reason_raise_one_incident_for_logistics():
    carrier_exceptions(10, "lost")
    carrier_exceptions(9, "stuck")

    incidents = detect_bursts()

    assert [(i.category, i.team, i.burst_source, i.burst_reason, i.burst_count) for i in incidents] == [
        ("carrier_exception", "logistics", "carrier_exception", "lost", 10)]
    assert detect_bursts() == []


def test_a_resolved_incident_is_not_raised_again_within_the_window_but_after_it():
    held(20, "address_invalid")
    incident = detect_bursts()[0]
    ops = Actor.system()
    services.acknowledge(number=incident.number, actor=ops)
    services.resolve(number=incident.number, resolution="地址库已更新", actor=ops)
    assert detect_bursts() == []  # resolved, but raised within the window
    later = timezone.now() + timedelta(minutes=61)
    held(20, "address_invalid", at=later - timedelta(minutes=5))
    assert len(detect_bursts(now=later)) == 1


def test_thresholds_windows_and_switches_come_from_the_rules(actor):
    services.set_burst_rule(source="order_hold", reason="blacklisted", threshold=3, window_minutes=10,
                            enabled=True, actor=actor("operations"))
    services.set_burst_rule(source="carrier_exception", reason="", threshold=10, window_minutes=60,
                            enabled=False, actor=actor("operations"))
    held(3, "blacklisted")
    carrier_exceptions(10, "lost")
    incidents = detect_bursts()
    assert [(i.burst_source, i.burst_reason) for i in incidents] == [("order_hold", "blacklisted")]
