"""Messages to buyers show no full phone number, on the page or through the API (§3.3)."""

import pytest

from oms.notifications.models import Message
from oms.notifications.services import notify_buyer


@pytest.fixture
def sms(make_order):
    order = make_order(channel="taobao", phone="13812345678", email="")
    created = notify_buyer(order=order, event="order_confirmed")
    Message.objects.filter(pk=created[0].pk).update(body="您好，联系电话13812345678，送至文三路100号")
    return created[0]


def test_the_messages_api_masks_the_recipient_and_phone_numbers_in_the_text(api, sms):
    body = api("customer_service").get("/api/v1/messages").json()
    row = next(r for r in body["results"] if r["id"] == sms.pk)
    assert row["recipient"] == "138****5678"
    assert "13812345678" not in row["body"] and "文三路100号" not in row["body"]
    one = api("customer_service").get(f"/api/v1/messages/{sms.pk}").json()
    assert "13812345678" not in str(one)


def test_the_messages_page_masks_the_recipient_and_phone_numbers_in_the_text(client_for, sms):
    page = client_for("customer_service").get("/messages/").content.decode()
    assert "138****5678" in page
    assert "13812345678" not in page and "文三路100号" not in page
