"""Which messages an order's buyer gets, in which language, from which template."""

import pytest
from django.db import transaction

from oms.channels.models import Channel
from oms.notifications import outbox
from oms.notifications.delivery import send_due
from oms.notifications.models import ChannelMessageLanguage, Message, MessageStatus, MessageTemplate
from oms.notifications.services import notify_buyer


def media(messages):
    return {m.medium: m.recipient for m in messages}


def test_an_app_order_with_a_mobile_and_an_email_gets_sms_email_and_push(make_order):
    order = make_order(channel="app", phone="138 0013 8000", email="zs@example.cn")

    messages = notify_buyer(order=order, event="order_confirmed")

    assert media(messages) == {"sms": "13800138000", "email": "zs@example.cn", "push": "13800138000"}
    assert {m.status for m in messages} == {MessageStatus.QUEUED}
    assert all(m.order == order and m.event == "order_confirmed" and m.next_attempt_at for m in messages)


def test_a_marketplace_order_without_email_gets_only_an_sms(make_order):
    order = make_order(channel="taobao", phone="+86 139-0013-9000", email="")

    assert media(notify_buyer(order=order, event="order_confirmed")) == {"sms": "13900139000"}


def test_the_recipient_phone_is_used_when_the_customer_phone_is_a_landline(make_order):
    order = make_order(channel="jd", phone="0571-88886666", email="", ship_phone="13700137000")

    assert media(notify_buyer(order=order, event="order_confirmed")) == {"sms": "13700137000"}


def test_a_buyer_with_only_a_landline_and_no_email_gets_nothing(make_order):
    order = make_order(channel="offline", phone="0571-88886666", email="")

    assert notify_buyer(order=order, event="order_confirmed") == []
    assert Message.objects.count() == 0


def test_messages_are_rendered_in_chinese_by_default_with_the_orders_details(make_order):
    order = make_order(channel="taobao")

    sms, email = sorted(notify_buyer(order=order, event="order_confirmed"), key=lambda m: m.medium, reverse=True)

    assert (sms.medium, sms.language, sms.subject) == ("sms", "zh-hans", "")
    assert sms.body == (f"张三您好，您在淘宝的订单{order.order_no}已确认：纯棉T恤 红色/M ×2，应付¥118.00。"
                        "我们将尽快为您发货。")
    assert email.subject == f"您的订单{order.order_no}已确认"
    assert "  - 纯棉T恤（红色/M） × 2\n应付金额：¥118.00" in email.body
    assert "下单时间：2026-11-26 10:15" in email.body  # Asia/Shanghai, as the buyer placed it


def test_a_channel_set_to_english_gets_english_messages(make_order):
    ChannelMessageLanguage.objects.create(channel=Channel.objects.get(code="web"), language="en")
    order = make_order(channel="web")

    email = next(m for m in notify_buyer(order=order, event="order_confirmed") if m.medium == "email")

    assert (email.language, email.subject) == ("en", f"Your order {order.order_no} is confirmed")
    assert "Thank you for your order on 官网." in email.body
    assert "  - 纯棉T恤 (红色/M) × 2\nAmount payable: ¥118.00" in email.body


def test_a_missing_english_template_falls_back_to_chinese(make_order):
    ChannelMessageLanguage.objects.create(channel=Channel.objects.get(code="web"), language="en")
    MessageTemplate.objects.filter(event="order_confirmed", medium="sms", language="en").delete()

    sms = next(m for m in notify_buyer(order=make_order(channel="web"), event="order_confirmed") if m.medium == "sms")

    assert sms.language == "zh-hans" and sms.body.startswith("张三您好")


def test_an_inactive_template_sends_nothing_in_its_medium(make_order):
    MessageTemplate.objects.filter(event="order_confirmed", medium="email").update(active=False)

    assert media(notify_buyer(order=make_order(), event="order_confirmed")) == {"sms": "13800138000"}


def test_later_events_render_their_own_variables(make_order):
    order = make_order(email="")

    sms = notify_buyer(order=order, event="order_shipped", extra={"carrier_name": "顺丰速运", "tracking_no": "SF123"})

    assert sms[0].body == f"张三您好，您的订单{order.order_no}已发货，顺丰速运运单号SF123，请注意查收。"


def test_a_refund_message_shows_the_amount_with_two_decimals(make_order):
    from decimal import Decimal

    sms = notify_buyer(order=make_order(email=""), event="refund_issued", extra={"refund_amount": Decimal("59")})

    assert "退款¥59.00已按原支付方式退回" in sms[0].body


def test_notify_buyer_refuses_variables_its_event_does_not_document(make_order):
    with pytest.raises(ValueError, match="tracking_no"):
        notify_buyer(order=make_order(), event="order_confirmed", extra={"tracking_no": "SF1"})


def test_the_approval_topic_queues_the_confirmation_once_per_order(make_order):
    order = make_order(channel="app")
    with transaction.atomic():
        outbox.enqueue("order.approved", {"order_no": order.order_no})
        outbox.enqueue("order.approved", {"order_no": order.order_no})  # a repeated trigger

    outbox.deliver_pending()

    assert sorted(Message.objects.filter(order=order).values_list("medium", flat=True)) == ["email", "push", "sms"]
    assert set(Message.objects.values_list("event", flat=True)) == {"order_confirmed"}


def test_an_approval_for_an_unknown_order_is_dropped_without_a_retry(db):
    outbox.enqueue("order.approved", {"order_no": "26000000000000"})

    assert outbox.deliver_pending() == 1
    assert Message.objects.count() == 0


def test_queued_messages_are_sent_by_the_worker_after_the_commit(make_order, immediate_worker,
                                                                   django_capture_on_commit_callbacks):
    order = make_order()
    with django_capture_on_commit_callbacks(execute=True):
        messages = notify_buyer(order=order, event="order_confirmed")
        assert all(m.status == MessageStatus.QUEUED for m in messages)  # nothing leaves before the commit

    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.LOGGED}


def test_the_periodic_job_sends_messages_the_immediate_task_missed(make_order):
    notify_buyer(order=make_order(), event="order_confirmed")  # no commit in this test: no task ran

    assert send_due() == 2
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.LOGGED}
