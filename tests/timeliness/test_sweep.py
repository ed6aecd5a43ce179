"""The sweep opens deadline rows for new work, closes finished steps, and tells the owning team once."""

from datetime import timedelta

import pytest

from oms.inbox.models import Notice
from oms.orders.models import Order
from oms.orders.status import OrderStatus
from oms.timeliness import selectors, services
from oms.timeliness.deadlines import State, Step
from oms.timeliness.models import Deadline
from oms.timeliness.sweep import sweep
from tests.timeliness.conftest import shanghai

pytestmark = pytest.mark.django_db

MONDAY_9 = shanghai(2026, 11, 23, 9, 0)


def test_an_order_paid_47_hours_ago_with_48_hours_to_ship_is_at_risk_and_the_warehouse_is_told_once(
        paid_order, actor):
    services.set_policy(channel_code=None, values={"shipment_hours": 48}, actor=actor("operations"))
    order = paid_order(MONDAY_9)  # Monday 09:00 → due Wednesday 09:00; no holiday in between
    now = MONDAY_9 + timedelta(hours=47)

    sweep(now=now)
    sweep(now=now + timedelta(seconds=30))

    queue = selectors.team_queue(team="warehouse", state=State.AT_RISK, now=now)
    assert [d.order.order_no for d in queue] == [order.order_no]
    assert queue[0].due_at == shanghai(2026, 11, 25, 9, 0)
    notices = Notice.objects.filter(team="warehouse", order=order, kind="deadline_at_risk")
    assert notices.count() == 1


def test_an_overdue_step_sends_a_second_notice_and_leaves_the_at_risk_list(paid_order):
    order = paid_order(MONDAY_9)
    sweep(now=MONDAY_9 + timedelta(hours=40))

    sweep(now=MONDAY_9 + timedelta(hours=49))

    assert list(selectors.team_queue(team="warehouse", state=State.AT_RISK, now=MONDAY_9 + timedelta(hours=49))) == []
    assert [d.order_id for d in selectors.team_queue(team="warehouse", state=State.OVERDUE,
                                                     now=MONDAY_9 + timedelta(hours=49))] == [order.pk]
    kinds = sorted(Notice.objects.filter(order=order, team="warehouse").values_list("kind", flat=True))
    assert kinds == ["deadline_at_risk", "deadline_overdue"]


def test_work_first_seen_overdue_gets_only_the_overdue_notice(paid_order):
    order = paid_order(MONDAY_9)

    sweep(now=MONDAY_9 + timedelta(days=5))

    assert list(Notice.objects.filter(order=order, team="warehouse").values_list("kind", flat=True)) == [
        "deadline_overdue"]


def test_many_items_reaching_a_level_in_one_sweep_become_one_digest_notice_for_the_team(paid_order):
    orders = [paid_order(MONDAY_9) for _ in range(12)]

    sweep(now=MONDAY_9 + timedelta(days=5))
    sweep(now=MONDAY_9 + timedelta(days=5, seconds=30))

    warehouse = Notice.objects.filter(team="warehouse")
    assert list(warehouse.values_list("kind", flat=True)) == ["deadline_overdue_digest"]
    digest = warehouse.get()
    assert "12" in digest.title and all(o.order_no in digest.body for o in orders)
    assert digest.link.endswith("?state=overdue")
    assert not Deadline.objects.filter(step=Step.SHIPMENT, overdue_notified_at__isnull=True).exists()


def test_a_paid_order_gets_review_and_shipment_deadlines_and_review_closes_once_it_leaves_review(paid_order):
    order = paid_order(MONDAY_9)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PENDING_REVIEW)
    sweep(now=MONDAY_9 + timedelta(minutes=5))
    assert set(Deadline.objects.filter(order=order, done_at__isnull=True).values_list("step", flat=True)) == {
        Step.REVIEW, Step.SHIPMENT}

    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PENDING_SHIPMENT)
    result = sweep(now=MONDAY_9 + timedelta(minutes=10))

    assert result.closed == 1
    assert Deadline.objects.get(order=order, step=Step.REVIEW).done_at == MONDAY_9 + timedelta(minutes=10)
    assert Deadline.objects.get(order=order, step=Step.SHIPMENT).done_at is None


def test_shipping_or_cancelling_closes_the_shipment_deadline_and_it_is_not_reopened(paid_order):
    shipped, cancelled = paid_order(MONDAY_9), paid_order(MONDAY_9)
    sweep(now=MONDAY_9 + timedelta(hours=1))
    Order.objects.filter(pk=shipped.pk).update(status=OrderStatus.SHIPPED)
    Order.objects.filter(pk=cancelled.pk).update(status=OrderStatus.CANCELLED)

    sweep(now=MONDAY_9 + timedelta(hours=2))
    sweep(now=MONDAY_9 + timedelta(hours=3))

    rows = Deadline.objects.filter(step=Step.SHIPMENT, order__in=[shipped, cancelled])
    assert rows.count() == 2 and all(r.done_at == MONDAY_9 + timedelta(hours=2) for r in rows)


def test_an_approved_refund_is_tracked_until_it_is_refunded(paid_order):
    from oms.payments.models import Refund

    order = paid_order(MONDAY_9)
    refund = Refund.objects.create(number="RF-T1", order=order, cause="cancellation", status="approved",
                                   goods_amount="10.00", amount="10.00", payment_method="alipay",
                                   approved_at=MONDAY_9)
    sweep(now=MONDAY_9 + timedelta(hours=1))
    deadline = Deadline.objects.get(step=Step.REFUND, subject_id=refund.pk)
    assert deadline.due_at == shanghai(2026, 11, 26, 9, 0)  # three days of working time

    Refund.objects.filter(pk=refund.pk).update(status="succeeded", refunded_at=MONDAY_9 + timedelta(hours=2))
    sweep(now=MONDAY_9 + timedelta(hours=3))

    deadline.refresh_from_db()
    assert deadline.done_at == MONDAY_9 + timedelta(hours=2)


def test_the_first_action_on_a_logistics_exception_closes_its_response_deadline(paid_order):
    from oms.shipping.models import LogisticsException

    order = paid_order(MONDAY_9)
    package = order.packages.first()
    ticket = LogisticsException.objects.create(number="LE-T1", package=package, order=order,
                                               carrier_id=package.carrier_id, reason="stuck", opened_at=MONDAY_9)
    sweep(now=MONDAY_9 + timedelta(hours=1))
    deadline = Deadline.objects.get(step=Step.EXCEPTION_RESPONSE, subject_id=ticket.pk)
    assert deadline.due_at == MONDAY_9 + timedelta(hours=24)

    LogisticsException.objects.filter(pk=ticket.pk).update(last_action_at=MONDAY_9 + timedelta(hours=2))
    sweep(now=MONDAY_9 + timedelta(hours=3))

    deadline.refresh_from_db()
    assert deadline.done_at == MONDAY_9 + timedelta(hours=2)


def test_changing_a_channels_deadline_recomputes_its_open_deadlines(paid_order, actor):
    order = paid_order(MONDAY_9)
    sweep(now=MONDAY_9 + timedelta(hours=1))

    services.set_policy(channel_code=order.channel.code, values={"shipment_rule": "cutoff", "cutoff_time": "16:00"},
                        actor=actor("operations"))

    assert Deadline.objects.get(order=order, step=Step.SHIPMENT).due_at == shanghai(2026, 11, 24, 0, 0)


def test_entering_a_holiday_recomputes_open_deadlines(paid_order, actor):
    order = paid_order(MONDAY_9)
    sweep(now=MONDAY_9 + timedelta(hours=1))

    days = services.parse_dates("2026-11-24 some local holiday\n\n2026-11-25\n")
    services.add_calendar_days(days=days, kind="holiday", actor=actor("operations"))

    assert Deadline.objects.get(order=order, step=Step.SHIPMENT).due_at == shanghai(2026, 11, 27, 9, 0)


def test_people_without_the_permission_cannot_change_deadlines(actor):
    from oms.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.set_policy(channel_code=None, values={"shipment_hours": 1}, actor=actor("warehouse"))


def test_a_bad_line_in_the_holiday_list_is_named():
    from oms.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        services.parse_dates("2026-10-01\n2026-13-01\n")
    assert "Line 2" in caught.value.details["dates"][0]
