"""End to end: an order passes review, the review's `order.approved` reaches the buyer by email and SMS."""

from oms.inventory import services as stock
from oms.inventory.models import Sku, Warehouse
from oms.notifications.delivery import send_due
from oms.notifications.models import Message
from oms.notifications.outbox import deliver_pending
from oms.orders.models import Order


def test_an_order_that_passes_review_is_confirmed_to_the_buyer_by_email_and_sms(
    make_order, actor, smtp_server, sms_provider,
):
    Warehouse.objects.create(code="hz", name="杭州仓", province="浙江省", city="杭州市", priority=10)
    Sku.objects.create(code="TSHIRT-RED-M", name="纯棉T恤", spec="红色/M")
    stock.receive_stock(sku_code="TSHIRT-RED-M", warehouse_code="hz", quantity=10, actor=actor("warehouse"))
    inbox = smtp_server("starttls")
    order = make_order(channel="taobao")

    deliver_pending()  # order.received: the review approves and enqueues order.approved
    deliver_pending()  # order.approved: the confirmation is queued
    assert Order.objects.get(pk=order.pk).status == "pending_shipment"
    assert send_due() == 2

    assert dict(Message.objects.values_list("medium", "status")) == {"email": "sent", "sms": "sent"}
    assert inbox.parsed()["Subject"] == f"您的订单{order.order_no}已确认"
    assert sms_provider.requests[0]["json"]["content"].startswith(f"张三您好，您在淘宝的订单{order.order_no}已确认")
