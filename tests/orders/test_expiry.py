"""Unpaid orders expire after their channel's timeout: cancelled by the sweep, stock released, buyer told."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone, translation

from oms.accounts.actor import Actor
from oms.channels.models import Channel
from oms.cli import main
from oms.core.errors import ApplicationError
from oms.inventory import services as stock
from oms.inventory.models import Reservation, StockLevel
from oms.inventory.planning import Take
from oms.inventory.verification import verify_stock
from oms.notifications.models import Message
from oms.notifications.outbox import deliver_pending
from oms.orders.cancellation import REASON_LABELS
from oms.orders.expiry import expire_unpaid, set_unpaid_timeout
from oms.orders.models import Order
from oms.orders.tasks import expire_unpaid_orders
from oms.payments.models import Refund
from tests.fulfillment.conftest import network, push, receive  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("network")
UNPAID = {"paid_amount": "0.00", "payment": {"method": "alipay", "status": "unpaid"}}


@pytest.fixture
def unpaid(push):  # noqa: F811  (fixture)
    def make(channel: str, minutes_ago: int) -> Order:
        placed = (timezone.now() - timedelta(minutes=minutes_ago)).isoformat()
        order = push(("TEE", 1), channel=channel, placed_at=placed, **UNPAID)
        assert order.status == "pending_payment"
        return order

    return make


def hold_stock(order: Order, actor) -> None:
    """Give the unpaid order a reservation, as a channel that reserves at placing would."""
    line = order.lines.get()
    hz = StockLevel.objects.get(sku__code="TEE", warehouse__code="hz")
    with transaction.atomic():
        levels = stock.lock_levels([line.sku_id], [hz.warehouse_id])
        stock.reserve(order=order, takes=[Take(line.pk, line.sku_id, hz.warehouse_id, 1)], levels=levels,
                      actor=actor("warehouse"))


def test_only_orders_past_their_channels_timeout_expire_and_their_stock_is_released(unpaid, actor):
    receive(actor, "TEE", "hz", 5)
    Channel.objects.filter(code="taobao").update(unpaid_timeout_minutes=120)
    web_old, web_new = unpaid("web", 45), unpaid("web", 10)
    tb_old, tb_new = unpaid("taobao", 150), unpaid("taobao", 60)
    hold_stock(web_old, actor)
    paid = unpaid("web", 90)
    Order.objects.filter(pk=paid.pk).update(status="pending_review", payment_status="paid")

    assert expire_unpaid() == 2

    statuses = dict(Order.objects.values_list("order_no", "status"))
    assert statuses[web_old.order_no] == statuses[tb_old.order_no] == "cancelled"
    assert {statuses[o.order_no] for o in (web_new, tb_new)} == {"pending_payment"}
    assert statuses[paid.order_no] == "pending_review"
    expired = Order.objects.get(pk=web_old.pk)
    assert expired.cancel_reason == "unpaid_timeout"
    event = expired.events.get(action="order_cancelled")
    assert event.actor_username == "system" and event.data["via"] == "unpaid_sweep"
    assert not Reservation.objects.filter(order=web_old, status="active").exists()
    assert StockLevel.objects.get(sku__code="TEE", warehouse__code="hz").reserved == 0
    assert verify_stock().ok
    assert not Refund.objects.exists()
    assert expire_unpaid() == 0  # nothing left to do


def test_the_buyer_is_told_the_order_expired(unpaid, actor):
    order = unpaid("web", 31)
    expire_unpaid()
    deliver_pending()

    with translation.override("zh-hans"):
        label = str(REASON_LABELS["unpaid_timeout"])
    messages = Message.objects.filter(order=order, event="order_cancelled")
    assert messages.exists() and all(label in m.body for m in messages)


def test_a_channel_with_no_timeout_never_expires_its_orders(unpaid):
    Channel.objects.filter(code="web").update(unpaid_timeout_minutes=0)
    order = unpaid("web", 60 * 24)

    assert expire_unpaid() == 0 and Order.objects.get(pk=order.pk).status == "pending_payment"


def test_the_minutely_job_and_the_command_run_the_sweep(unpaid, capsys):
    first = unpaid("web", 40)
    assert expire_unpaid_orders.call_local() == 1
    second = unpaid("web", 40)

    assert main(["orders", "expire-unpaid"]) == 0
    assert capsys.readouterr().out.strip() == "expired=1"
    assert {Order.objects.get(pk=o.pk).status for o in (first, second)} == {"cancelled"}


def test_administrators_set_the_timeout_and_bad_values_are_refused(actor, api):
    channel = set_unpaid_timeout(channel_code="web", minutes=45, actor=actor("admin"))
    assert channel.unpaid_timeout_minutes == 45

    response = api("admin").put("/api/v1/channels/web/unpaid-timeout", {"unpaid_timeout_minutes": 15}, format="json")
    assert response.status_code == 200 and response.json() == {"channel": "web", "unpaid_timeout_minutes": 15}
    assert api("customer_service").get("/api/v1/channels/web/unpaid-timeout").json()["unpaid_timeout_minutes"] == 15
    for bad in (-1, "10", None, True, 10**9):
        response = api("admin").put("/api/v1/channels/web/unpaid-timeout", {"unpaid_timeout_minutes": bad},
                                    format="json")
        assert response.status_code == 400 and "unpaid_timeout_minutes" in response.json()["error"]["details"]
    assert api("admin").put("/api/v1/channels/nope/unpaid-timeout", {"unpaid_timeout_minutes": 5},
                            format="json").status_code == 404
    assert api("customer_service").put("/api/v1/channels/web/unpaid-timeout", {"unpaid_timeout_minutes": 5},
                                       format="json").status_code == 403
    with pytest.raises(ApplicationError):
        set_unpaid_timeout(channel_code="web", minutes=5, actor=Actor.of(actor("finance").user))
    assert Channel.objects.get(code="web").unpaid_timeout_minutes == 15


def test_the_timeouts_page_lets_administrators_change_a_channels_timeout(users):
    from django.test import Client

    admin = Client()
    admin.force_login(users["admin"])
    page = admin.get("/channels/unpaid-timeouts/")
    assert page.status_code == 200 and 'data-channel="web"' in page.content.decode()

    assert admin.post("/channels/unpaid-timeouts/", {"channel": "web", "minutes": "20"}).status_code == 302
    assert Channel.objects.get(code="web").unpaid_timeout_minutes == 20
    bad = admin.post("/channels/unpaid-timeouts/", {"channel": "web", "minutes": "soon"})
    assert bad.status_code == 400 and Channel.objects.get(code="web").unpaid_timeout_minutes == 20
    assert admin.post("/channels/unpaid-timeouts/", {"channel": "web", "minutes": "-5"}).status_code == 400
    clerk = Client()
    clerk.force_login(users["customer_service"])
    assert clerk.get("/channels/unpaid-timeouts/").status_code == 403
