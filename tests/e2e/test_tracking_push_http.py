"""Tracking end to end through real HTTP: a Kuaidi100 waybill, the subscription, pushes to a live server."""

import pytest
from django.utils import timezone

from oms.fulfillment.models import PackageStatus
from oms.notifications import outbox
from oms.orders.models import Order
from oms.shipping.adapters import adapter_for
from oms.shipping.models import TrackingEvent
from tests.shipping.kuaidi100_server import Kuaidi100Server, configure
from tests.shipping.tracking_setup import at, carrier, shipped_order

pytestmark = pytest.mark.django_db(transaction=True)
COM = "zhongtong"


def hand_over(order: Order, tracking_no: str) -> None:
    """What the hand-over leaves behind (rows set directly): the parcel shipped, the outbox told."""
    now = timezone.now()
    order.packages.update(tracking_no=tracking_no, status=PackageStatus.SHIPPED, shipped_at=now)
    Order.objects.filter(pk=order.pk).update(status="shipped", shipped_at=now)
    package = order.packages.get()
    outbox.enqueue("package.shipped", {"package": package.number, "carrier": "zto", "tracking_no": tracking_no})
    outbox.deliver_pending()


def test_a_parcel_is_followed_by_pushed_tracking_to_delivered(live_server, settings):
    with Kuaidi100Server() as server:
        configure(settings, server, public_url=live_server.url)
        zto = carrier("zto", adapter="kuaidi100", adapter_code=COM)
        order = shipped_order(tracking_nos=("",), status="pending_shipment", package_status=PackageStatus.PACKED)
        package = order.packages.select_related("carrier", "order", "warehouse").get()

        # The waybill number from the aggregator, then the hand-over subscribes the parcel.
        number = adapter_for(zto).create_waybill(package=package)
        hand_over(order, number)
        assert server.stub.subscriptions[(COM, number)]["parameters"]["callbackurl"] == \
            f"{live_server.url}/api/v1/tracking/push/kuaidi100"

        # In transit: pushed, stored, the order still shipped.
        server.stub.scan(COM, number, time="2026-11-26 18:00:00", context="【杭州市】快件已揽收", state="1",
                         status="揽收", status_code="103", area="浙江,杭州市")
        server.stub.scan(COM, number, time="2026-11-26 21:00:00", context="【杭州转运中心】已发出", state="0",
                         status="在途", status_code="1002", area="浙江,杭州市")
        assert server.stub.push(COM, number) == (200, {"result": True, "returnCode": "200", "message": "成功"})
        package.refresh_from_db()
        assert (package.tracking_status, Order.objects.get(pk=order.pk).status) == ("in_transit", "shipped")

        # Delivered: the parcel and the order, at the carrier's time.
        server.stub.scan(COM, number, time="2026-11-27 15:30:00", context="已签收，签收人：本人", state="3",
                         status="签收", status_code="301", area="浙江,杭州市")
        assert server.stub.push(COM, number)[0] == 200
        order.refresh_from_db()
        package.refresh_from_db()
        assert (order.status, order.delivered_at) == ("delivered", at("2026-11-27 15:30"))
        assert (package.status, package.tracking_status) == ("delivered", "delivered")
        assert TrackingEvent.objects.filter(package=package).count() == 3

        # A replay of the whole history, and an older scan arriving late: stored once, nothing moves back.
        assert server.stub.push(COM, number)[0] == 200
        late = [{"time": "2026-11-27 08:00:00", "ftime": "2026-11-27 08:00:00", "context": "【杭州市】派件中",
                 "status": "派件", "statusCode": "5", "areaName": "浙江,杭州市"}]
        assert server.stub.push(COM, number, items=late)[0] == 200
        package.refresh_from_db()
        order.refresh_from_db()
        assert TrackingEvent.objects.filter(package=package).count() == 4
        assert (package.tracking_status, package.last_tracking_at) == ("delivered", at("2026-11-27 15:30"))
        assert order.status == "delivered"

        # A forged push is refused and stores nothing.
        status, body = server.stub.push(COM, number, salt="forged")
        assert (status, body["result"], body["returnCode"]) == (400, False, "500")
        assert TrackingEvent.objects.filter(package=package).count() == 4
        timeline = list(order.events.values_list("action", flat=True))
        assert timeline.count("tracking_updated") == 2 and "status_changed" in timeline
