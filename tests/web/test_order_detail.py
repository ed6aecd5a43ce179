"""The order detail page: every part of the order and its audit timeline."""

import html

from django.urls import reverse

from oms.inventory.models import Sku


def page(client, order_no) -> str:
    response = client.get(reverse("web:order_detail", args=[order_no]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_detail_shows_every_part_of_the_order(client_for, push_order, order_payload):
    order = push_order(order_payload(seller_note="优先发货"))
    body = page(client_for("finance"), order.order_no)
    for text in [
        # Personal data masked (docs/privacy.md): the Reveal button shows it, audited.
        order.order_no, "淘宝", "TB20261126000001", "张*", "138****8000", "z***@example.cn",
        "浙江省", "杭州市", "西湖区", "文三路****", "310012",
        "TSHIRT-RED-M", "纯棉T恤", "红色/M", "¥59.00", "¥118.00", "¥10.00", "NEW10",
        "2026112622001", "2026-11-26 10:16:00", "周末送货", "优先发货",
        "2026-11-26 10:15:00",
    ]:
        assert text in body, text


def test_skus_not_in_the_catalogue_are_marked(client_for, push_order, order_payload):
    Sku.objects.create(code="MUG-WHITE-350", name="陶瓷马克杯")
    order = push_order(order_payload(lines=[
        {"sku": "TSHIRT-RED-M", "name": "纯棉T恤", "quantity": 1, "unit_price": "59.00"},
        {"sku": "MUG-WHITE-350", "name": "陶瓷马克杯", "quantity": 1, "unit_price": "59.00"},
    ]))
    body = page(client_for("customer_service"), order.order_no)
    assert body.count("not in catalogue") == 1


def test_timeline_shows_payment_news_as_old_to_new_changes(client_for, push_order, order_payload):
    unpaid = order_payload(paid_amount="0.00", payment={"method": "alipay", "status": "unpaid"})
    order = push_order(unpaid)
    push_order({**unpaid, "paid_amount": "118.00", "payment": {
        "method": "alipay", "status": "paid", "paid_at": "2026-11-26T10:30:00+08:00", "transaction_id": "T1"}})
    body = page(client_for("customer_service"), order.order_no)
    assert "Order received" in body
    assert "Payment received" in body
    assert "Pending payment</span> <span class=\"arrow\">→</span> <span class=\"new\">Pending review" in body
    assert "Unpaid</span> <span class=\"arrow\">→</span> <span class=\"new\">Paid" in body
    assert "2026-11-26 10:30" in body  # the new paid time, in Shanghai time
    assert "integration" in body  # who did it
    assert "Integration client" in body  # in which role


def test_cancellation_is_shown_with_its_reason(client_for, push_order, order_payload):
    order = push_order(order_payload(cancellation={"reason": "买家不想要了"}))
    body = page(client_for("customer_service"), order.order_no)
    assert "买家不想要了" in body
    assert "Not cancelled." not in body


def test_unknown_action_codes_are_shown_raw(client_for, push_order, order_payload, actor):
    from oms.audit.services import record

    order = push_order(order_payload())
    record(order, "parcel_teleported", actor=actor("operations"))
    body = page(client_for("customer_service"), order.order_no)
    assert "parcel_teleported" in body


def test_a_missing_order_gives_a_friendly_404(client_for):
    response = client_for("customer_service").get(reverse("web:order_detail", args=["NOPE"]))
    assert response.status_code == 404
    assert "NOPE" in response.content.decode()
