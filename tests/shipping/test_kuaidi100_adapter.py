"""The Kuaidi100 adapter against a local server that follows Kuaidi100's documented shapes."""

import socket

import pytest
from rest_framework.test import APIClient

from oms.accounts.actor import Actor
from oms.fulfillment.models import PackageStatus
from oms.notifications import outbox
from oms.notifications.models import OutboxMessage
from oms.shipping.adapters import UnknownAdapter, adapter_for, adapter_named
from oms.shipping.adapters.base import AdapterNotConfigured, WaybillFailed
from oms.shipping.models import TrackingEvent
from oms.shipping.polling import poll_tracking
from tests.shipping.kuaidi100_server import SALT, Kuaidi100Server, configure
from tests.shipping.tracking_setup import at, carrier, shipped_order

PUSH_URL = "/api/v1/tracking/push/kuaidi100"


@pytest.fixture
def server(settings, db):
    with Kuaidi100Server() as srv:
        configure(settings, srv, public_url="https://oms.shop.example.cn/")
        yield srv


@pytest.fixture
def zto(db):
    return carrier("zto", adapter="kuaidi100", adapter_code="zhongtong")


def packed_package(number="731200000001"):
    order = shipped_order(tracking_nos=(number,), status="pending_shipment", package_status=PackageStatus.PACKED)
    return order.packages.select_related("carrier", "order", "warehouse").get()


def test_a_signed_waybill_order_returns_the_carriers_number(server, zto):
    package = packed_package("")

    number = adapter_for(zto).create_waybill(package=package)

    assert number.startswith("ZH") and server.stub.refused == []
    sent = server.stub.waybills[-1]
    assert sent["kuaidicom"] == "zhongtong" and sent["orderId"] == package.number
    assert sent["recMan"] == {"name": "张三", "mobile": "13800138000", "printAddr": "浙江省杭州市西湖区文三路100号"}
    assert sent["sendMan"]["name"] == "杭州仓" and sent["weight"] == "0.80"


def test_a_waybill_signed_with_the_wrong_secret_fails_with_the_aggregators_reason(server, zto, settings):
    settings.OMS_KUAIDI100_SECRET = "not-the-secret"

    with pytest.raises(WaybillFailed) as caught:
        adapter_for(zto).create_waybill(package=packed_package(""))

    assert caught.value.code == "waybill_failed" and "签名验证失败" in caught.value.message
    assert server.stub.refused == ["label: sign"]


def test_a_missing_setting_is_named_in_the_error(server, zto, settings):
    settings.OMS_KUAIDI100_SECRET = ""

    with pytest.raises(WaybillFailed) as caught:
        adapter_for(zto).create_waybill(package=packed_package(""))

    assert caught.value.code == "waybill_failed" and "OMS_KUAIDI100_SECRET" in caught.value.message
    assert server.stub.waybills == []


def test_an_aggregator_that_cannot_be_reached_fails_the_waybill_clearly(zto, settings):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.OMS_KUAIDI100_URL = f"http://127.0.0.1:{port}"
    for name in ("KEY", "SECRET", "SENDER_PHONE"):
        setattr(settings, f"OMS_KUAIDI100_{name}", "x")

    with pytest.raises(WaybillFailed) as caught:
        adapter_for(zto).create_waybill(package=packed_package(""))
    assert caught.value.code == "waybill_failed" and "Connection refused" in caught.value.message


def test_the_manual_adapter_leaves_the_number_to_a_person_and_takes_no_pushes(db):
    manual = carrier("sto")
    assert adapter_for(manual).create_waybill(package=None) is None
    assert APIClient().post("/api/v1/tracking/push/manual", {}).status_code == 404
    with pytest.raises(UnknownAdapter):
        adapter_named("pigeon")


def test_a_shipped_package_is_subscribed_with_our_callback_and_salt(server, zto):
    package = shipped_order(tracking_nos=("731200000002",)).packages.get()
    outbox.enqueue("package.shipped", {"package": package.number, "carrier": "zto", "tracking_no": "731200000002"})
    outbox.deliver_pending()

    sub = server.stub.subscriptions[("zhongtong", "731200000002")]
    assert sub["key"] == "test-key-abc"
    assert sub["parameters"] == {"callbackurl": "https://oms.shop.example.cn" + PUSH_URL, "salt": SALT,
                                 "resultv2": "1", "phone": "13800138000"}
    assert OutboxMessage.objects.get(topic="package.shipped").sent_at is not None


def test_a_refused_subscription_stays_in_the_outbox_to_be_tried_again(server, zto, settings):
    settings.OMS_KUAIDI100_KEY = "wrong-key"
    package = shipped_order(tracking_nos=("731200000003",)).packages.get()
    outbox.enqueue("package.shipped", {"package": package.number, "carrier": "zto", "tracking_no": "731200000003"})
    outbox.deliver_pending()

    message = OutboxMessage.objects.get(topic="package.shipped")
    assert message.sent_at is None and message.attempts == 1
    assert "SubscriptionFailed" in message.last_error and "您不是合法的订阅者" in message.last_error


def test_a_push_with_a_bad_signature_is_refused_and_stores_nothing(server, zto):
    shipped_order(tracking_nos=("731200000004",))
    server.stub.scan("zhongtong", "731200000004", time="2026-11-27 08:00:00", context="派件中", state="5")
    form = server.stub.push_form("zhongtong", "731200000004", salt="guessed-salt")

    response = APIClient().post(PUSH_URL, form)

    assert response.status_code == 400
    assert response.json() == {"result": False, "returnCode": "500", "message": "签名错误"}
    assert TrackingEvent.objects.count() == 0


def test_a_signed_push_is_stored_and_answered_as_kuaidi100_expects(server, zto):
    order = shipped_order(tracking_nos=("731200000005",))
    server.stub.scan("zhongtong", "731200000005", time="2026-11-27 08:00:00", context="【杭州市】派件中", state="5",
                     status="派件", status_code="5", area="浙江,杭州市")

    response = APIClient().post(PUSH_URL, server.stub.push_form("zhongtong", "731200000005", salt=SALT))

    assert (response.status_code, response.json()) == (200, {"result": True, "returnCode": "200", "message": "成功"})
    package = order.packages.get()
    assert (package.tracking_status, package.last_tracking_at) == ("out_for_delivery", at("2026-11-27 08:00"))


def test_a_push_without_its_salt_configured_names_the_setting(server, zto, settings):
    settings.OMS_KUAIDI100_SALT = ""
    response = APIClient().post(PUSH_URL, {"param": "{}", "sign": "x"})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == AdapterNotConfigured.code
    assert "OMS_KUAIDI100_SALT" in response.json()["error"]["message"]


def test_polling_queries_shipped_parcels_and_stores_what_is_new(server, zto, settings):
    settings.OMS_KUAIDI100_POLLING = True
    order = shipped_order(tracking_nos=("731200000006", "731200000007"))
    for time, context, state in (("2026-11-26 21:00:00", "【杭州转运中心】已发出", "0"),
                                 ("2026-11-27 15:30:00", "已签收，签收人：本人", "3")):
        server.stub.scan("zhongtong", "731200000006", time=time, context=context, state=state)
    # 731200000007 is not known at the aggregator yet: skipped, not an error.

    first = poll_tracking(actor=Actor.system(), batch_size=1)
    again = poll_tracking(actor=Actor.system())

    assert (first.packages, first.stored) == (2, 2)
    assert (again.packages, again.stored) == (1, 0)  # the delivered parcel is no longer polled
    order.refresh_from_db()
    assert dict(order.packages.values_list("tracking_no", "status")) == {
        "731200000006": "delivered", "731200000007": "shipped"}
    assert server.stub.subscriptions == {} and "query: sign" not in server.stub.refused


def test_adapters_that_push_are_not_polled(server, zto):
    shipped_order(tracking_nos=("731200000008",))
    assert poll_tracking(actor=Actor.system()).packages == 0
