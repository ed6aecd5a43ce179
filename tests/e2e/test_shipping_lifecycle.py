"""The shipping issue's "done means", end to end: an order is labelled with an electronic waybill from the
aggregator, handed over, followed through pushed tracking events to delivered, completed by the sweep,
settled by finance and archived, with every step in its timeline; a parcel whose tracking goes quiet
lands in the exception queue."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from oms.accounts.actor import Actor
from oms.notifications.outbox import deliver_pending
from oms.orders.archive_selectors import ArchiveQuery, archived_orders
from oms.orders.archiving import archive_orders
from oms.orders.completion import complete_delivered
from oms.orders.models import Order
from oms.payments.services import settle_batch
from oms.shipping import handover
from oms.shipping.exceptions import open_exceptions
from oms.shipping.models import Carrier, LogisticsException
from tests.fulfillment.conftest import network, push  # noqa: F401  (fixtures)
from tests.shipping.kuaidi100_server import Kuaidi100Server, configure
from tests.shipping.test_handover import packed  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("network")]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def carrier_time(moment) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def test_an_order_is_labelled_handed_over_tracked_to_delivered_completed_settled_and_archived(
        packed, actor, users, live_server, settings):  # noqa: F811
    with Kuaidi100Server() as server:
        configure(settings, server, public_url=live_server.url)
        Carrier.objects.filter(code="zto").update(adapter="kuaidi100", adapter_code="zhongtong",
                                                  tracking_number_pattern=r"ZH\d{6,20}")
        order, package = packed(("TEE", 1), ("MUG", 1))
        keeper = actor("warehouse")

        # The label print asks the aggregator for the electronic waybill: the number is on the label.
        packer = Client()
        packer.force_login(users["warehouse"])
        label = packer.post(f"/pack/{package}/label/")
        assert label.status_code == 200 and label.content.startswith(b"%PDF")
        number = order.packages.get().tracking_no
        assert number.startswith("ZH") and server.stub.waybills[0]["recMan"]["mobile"] == order.ship_phone

        # Hand-over: scanned by its tracking number, no typing; shipped; subscribed for pushes.
        ho = handover.open_handover_list(carrier_code="zto", warehouse_code="hz", actor=keeper)
        handover.scan_onto_list(list_number=ho.number, code=number, actor=keeper)
        handover.hand_over(list_number=ho.number, courier_name="王师傅", actor=keeper)
        for _ in range(3):
            deliver_pending()
        order.refresh_from_db()
        assert order.status == "shipped"
        assert ("zhongtong", number) in server.stub.subscriptions

        # Pushed tracking to delivered, ten days ago by the carrier's clock.
        delivered_at = timezone.now().replace(microsecond=0) - timedelta(days=10)
        server.stub.scan("zhongtong", number, time=carrier_time(delivered_at - timedelta(days=2)),
                         context="【杭州市】快件已揽收", state="1", status="揽收", area="浙江,杭州市")
        server.stub.scan("zhongtong", number, time=carrier_time(delivered_at), context="已签收，签收人：本人",
                         state="3", status="签收", status_code="301", area="浙江,杭州市")
        assert server.stub.push("zhongtong", number)[0] == 200
        order.refresh_from_db()
        assert order.status == "delivered" and order.delivered_at == delivered_at

        # Seven days after delivery the sweep completes it; finance settles the day; later it is archived.
        assert complete_delivered() == 1
        order.refresh_from_db()
        assert (order.status, order.receipt_confirmed_by) == ("completed", "auto")
        finance = Actor.of(users["finance"])
        settle_batch(channel_code=order.channel.code, day=timezone.localdate(order.completed_at), actor=finance)
        order.refresh_from_db()
        assert order.settled_at is not None
        assert archive_orders(now=timezone.now() + timedelta(days=91), actor=Actor.system()) == 1
        assert [o.order_no for o in archived_orders(ArchiveQuery(order_no=order.order_no))] == [order.order_no]
        assert order.order_no not in Client().get("/").content.decode()

        timeline = list(Order.objects.get(pk=order.pk).events.order_by("at", "id").values_list("action", flat=True))
        for step in ("review_passed", "order_allocated", "package_packed", "waybill_assigned", "label_printed",
                     "package_on_handover_list", "shipped", "tracking_updated", "receipt_confirmed", "settled",
                     "archived"):
            assert step in timeline, (step, timeline)
        assert timeline.index("shipped") < timeline.index("tracking_updated") < timeline.index("receipt_confirmed") \
            < timeline.index("settled") < timeline.index("archived")


def test_a_handed_over_parcel_whose_tracking_goes_quiet_appears_in_the_exception_queue(packed, actor, users):  # noqa: F811
    order, package = packed(("TEE", 1))
    keeper = actor("warehouse")
    ho = handover.open_handover_list(carrier_code="zto", warehouse_code="hz", actor=keeper)
    handover.scan_onto_list(list_number=ho.number, code=package, tracking_no="731234567890", actor=keeper)
    handover.hand_over(list_number=ho.number, actor=keeper)

    assert open_exceptions(now=timezone.now() + timedelta(hours=1)) == []
    opened = open_exceptions(now=timezone.now() + timedelta(hours=49))  # the zone's default: 48 hours
    assert [(t.package.number, t.reason) for t in opened] == [(package, "no_update")]

    logistics = Client()
    logistics.force_login(users["logistics"])
    queue = logistics.get("/logistics/exceptions/").content.decode()
    assert opened[0].number in queue and order.order_no in queue
    assert LogisticsException.objects.filter(order=order, status="open").count() == 1
    assert "logistics_exception_opened" in set(order.events.values_list("action", flat=True))
