"""Receipt confirmation and the automatic completion sweep, against the database."""
# ruff: noqa: F811  (`place` is a fixture imported from tests/orders/completion_fixtures.py)

from datetime import timedelta

import pytest
from django.utils import timezone

from oms.audit.models import AuditEvent
from oms.channels.models import Channel
from oms.cli import main as oms
from oms.core.errors import PermissionDenied, ValidationFailed
from oms.orders.completion import ReceiptNotConfirmable, complete_delivered, confirm_receipt
from oms.orders.models import Order
from oms.orders.status import OrderStatus
from tests.orders.completion_fixtures import place  # noqa: F401  (a fixture; the tests take it as an argument)

pytestmark = pytest.mark.django_db


def events(order, action="receipt_confirmed"):
    return list(AuditEvent.objects.filter(order=order, action=action))


def test_buyer_confirmation_completes_a_delivered_order_and_records_it_in_the_timeline(place, actor):
    order = place(status=OrderStatus.DELIVERED)

    outcome = confirm_receipt(order_no=order.order_no, actor=actor("integration"), by="buyer")

    order.refresh_from_db()
    assert outcome.changed
    assert order.status == OrderStatus.COMPLETED
    assert order.receipt_confirmed_by == "buyer"
    assert order.completed_at is not None
    [event] = events(order)
    assert event.changes["status"] == ["delivered", "completed"]
    assert event.actor_username == "integration"


def test_a_shipped_order_may_be_confirmed_before_the_carrier_reports_delivery(place, actor):
    order = place(status=OrderStatus.SHIPPED)
    at = timezone.now() - timedelta(hours=3)

    confirm_receipt(order_no=order.order_no, actor=actor("integration"), by="platform", at=at)

    order.refresh_from_db()
    assert (order.status, order.receipt_confirmed_by, order.completed_at) == (OrderStatus.COMPLETED, "platform", at)


def test_customer_service_confirms_as_customer_service(place, actor):
    order = place(status=OrderStatus.DELIVERED)

    confirm_receipt(order_no=order.order_no, actor=actor("customer_service"), by="customer_service")

    assert Order.objects.get(pk=order.pk).receipt_confirmed_by == "customer_service"


def test_an_order_still_pending_shipment_cannot_be_confirmed(place, actor):
    order = place(status=OrderStatus.PENDING_SHIPMENT)

    with pytest.raises(ReceiptNotConfirmable) as caught:
        confirm_receipt(order_no=order.order_no, actor=actor("customer_service"), by="customer_service")

    assert caught.value.http_status == 409
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_SHIPMENT
    assert events(order) == []


def test_a_resent_confirmation_leaves_the_completed_order_as_it_was(place, actor):
    order = place(status=OrderStatus.DELIVERED)
    first = confirm_receipt(order_no=order.order_no, actor=actor("integration"), by="buyer")

    again = confirm_receipt(order_no=order.order_no, actor=actor("integration"), by="buyer",
                            at=timezone.now() - timedelta(minutes=1))

    assert not again.changed
    assert again.order.completed_at == first.order.completed_at
    assert len(events(order)) == 1


def test_a_confirmation_time_in_the_future_is_refused(place, actor):
    order = place(status=OrderStatus.DELIVERED)

    with pytest.raises(ValidationFailed) as caught:
        confirm_receipt(order_no=order.order_no, actor=actor("integration"), by="buyer",
                        at=timezone.now() + timedelta(hours=1))

    assert "confirmed_at" in caught.value.details
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED


def test_an_integration_client_of_another_channel_may_not_confirm(place, make_user):
    from oms.accounts.actor import Actor

    order = place(status=OrderStatus.DELIVERED, channel="jd")
    other = make_user("shop-web", "integration")
    other.all_channels = False
    other.save()
    other.channels.set([Channel.objects.get(code="web")])

    with pytest.raises(PermissionDenied):
        confirm_receipt(order_no=order.order_no, actor=Actor.of(other), by="buyer")

    assert Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED


def test_warehouse_staff_may_not_confirm_receipt(place, actor):
    order = place(status=OrderStatus.DELIVERED)

    with pytest.raises(PermissionDenied):
        confirm_receipt(order_no=order.order_no, actor=actor("warehouse"), by="customer_service")


def test_the_sweep_completes_only_orders_delivered_at_least_n_days_ago(place, settings):
    settings.OMS_AUTO_COMPLETE_DAYS = 7
    now = timezone.now()
    old = place(status=OrderStatus.DELIVERED, delivered_at=now - timedelta(days=9))
    just = place(status=OrderStatus.DELIVERED, delivered_at=now - timedelta(days=7))
    recent = place(status=OrderStatus.DELIVERED, delivered_at=now - timedelta(days=7) + timedelta(minutes=1))
    undelivered = place(status=OrderStatus.SHIPPED, shipped_at=now - timedelta(days=30))

    done = complete_delivered(now=now)

    assert done == 2
    statuses = dict(Order.objects.filter(pk__in=[old.pk, just.pk, recent.pk, undelivered.pk])
                    .values_list("pk", "status"))
    assert statuses == {old.pk: "completed", just.pk: "completed", recent.pk: "delivered",
                        undelivered.pk: "shipped"}
    old.refresh_from_db()
    assert (old.receipt_confirmed_by, old.completed_at) == ("auto", now)
    [event] = events(old)
    assert event.actor_username == "system"
    assert event.data["after_days"] == 7


def test_the_sweep_is_idempotent(place):
    now = timezone.now()
    orders = [place(status=OrderStatus.DELIVERED, delivered_at=now - timedelta(days=8)) for _ in range(3)]

    first = complete_delivered(now=now)
    second = complete_delivered(now=now + timedelta(hours=1))

    assert (first, second) == (3, 0)
    assert AuditEvent.objects.filter(order__in=orders, action="receipt_confirmed").count() == 3


def test_the_sweep_works_through_every_batch(place):
    now = timezone.now()
    orders = [place(status=OrderStatus.DELIVERED, delivered_at=now - timedelta(days=10)) for _ in range(5)]

    assert complete_delivered(now=now, batch_size=2) == 5
    assert Order.objects.filter(pk__in=[o.pk for o in orders], status="completed").count() == 5


def test_the_sweep_follows_the_setting(place, settings):
    settings.OMS_AUTO_COMPLETE_DAYS = 3
    now = timezone.now()
    order = place(status=OrderStatus.DELIVERED, delivered_at=now - timedelta(days=4))

    assert complete_delivered(now=now) == 1
    assert Order.objects.get(pk=order.pk).status == "completed"


def test_the_command_runs_the_sweep_and_prints_one_line(place, capsys):
    order = place(status=OrderStatus.DELIVERED, delivered_at=timezone.now() - timedelta(days=8))

    code = oms(["orders", "complete-delivered"])

    assert code == 0
    assert capsys.readouterr().out.strip() == "completed=1 after_days=7"
    assert Order.objects.get(pk=order.pk).status == "completed"
