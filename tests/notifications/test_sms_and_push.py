"""SMS and app push go to real HTTP servers on loopback that check the signature like a provider."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from oms.notifications.delivery import send_due, send_message
from oms.notifications.models import Message, MessageStatus, MessageTemplate
from oms.notifications.services import notify_buyer
from tests.notifications.conftest import PUSH_SECRET, SMS_SECRET


def queued(make_order, medium, **order):
    return next(m for m in notify_buyer(order=make_order(**order), event="order_confirmed") if m.medium == medium)


def make_due(message):
    """Let the backoff pause pass for a message that is still waiting."""
    Message.objects.filter(pk=message.pk, status="queued").update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_an_sms_is_posted_signed_and_marked_sent_with_the_providers_id(make_order, sms_provider):
    message = queued(make_order, "sms", email="")

    assert send_message(message.pk) == MessageStatus.SENT

    request = sms_provider.requests[0]
    assert request["verified"]
    assert request["headers"]["content-type"] == "application/json; charset=utf-8"
    body = request["json"]
    assert body == {
        "phone": "13800138000", "content": message.body, "sign_name": "小店",
        "request_id": str(message.request_id), "timestamp": body["timestamp"],
    }
    assert abs(body["timestamp"] - time.time()) < 60
    assert str(body["timestamp"]) == request["headers"]["x-oms-timestamp"]
    message.refresh_from_db()
    assert (message.status, message.provider_message_id, message.attempts) == ("sent", "prov-1", 1)
    assert message.sent_at is not None and message.next_attempt_at is None


def test_an_sms_template_code_is_sent_when_the_template_has_one(make_order, sms_provider):
    MessageTemplate.objects.filter(event="order_confirmed", medium="sms").update(provider_template_code="SMS_1234")
    message = queued(make_order, "sms", email="")

    send_message(message.pk)

    assert sms_provider.requests[0]["json"]["template_code"] == "SMS_1234"


def test_a_provider_error_is_recorded_and_retried_after_about_a_minute(make_order, sms_provider):
    sms_provider.mode = "error"
    message = queued(make_order, "sms", email="")
    before = timezone.now()

    assert send_message(message.pk) == MessageStatus.QUEUED

    message.refresh_from_db()
    assert message.last_error == "HTTP 200 isv.MOBILE_NUMBER_ILLEGAL: 号码格式错误"
    assert message.attempts == 1
    assert before + timedelta(seconds=47) <= message.next_attempt_at <= timezone.now() + timedelta(seconds=73)
    assert send_due() == 0  # not due yet


def test_an_http_error_status_is_a_failure_with_the_providers_message(make_order, sms_provider):
    sms_provider.mode = "http_error"
    message = queued(make_order, "sms", email="")

    send_message(message.pk)

    message.refresh_from_db()
    assert message.last_error == "HTTP 503 BUSY: try later"


def test_an_answer_that_is_not_json_is_a_failure(make_order, sms_provider):
    sms_provider.mode = "garbage"
    message = queued(make_order, "sms", email="")

    send_message(message.pk)

    message.refresh_from_db()
    assert message.status == "queued" and message.last_error.startswith("HTTP 200: unreadable answer")


def test_a_slow_provider_times_out_and_the_message_is_retried_later(make_order, sms_provider, settings):
    sms_provider.mode, sms_provider.slow_seconds = "slow", 5
    settings.OMS_SMS_TIMEOUT = 0.5
    message = queued(make_order, "sms", email="")
    started = time.monotonic()

    assert send_message(message.pk) == MessageStatus.QUEUED

    assert time.monotonic() - started < 3
    message.refresh_from_db()
    assert message.last_error == "no answer within 0.5 s"
    assert message.next_attempt_at > timezone.now() + timedelta(seconds=40)


def test_a_request_with_a_wrong_secret_is_refused_by_the_provider(make_order, sms_provider, settings):
    settings.OMS_SMS_SECRET = "not-the-shared-secret"
    message = queued(make_order, "sms", email="")

    send_message(message.pk)

    assert sms_provider.requests[0]["verified"] is False
    message.refresh_from_db()
    assert message.last_error == "HTTP 401 BAD_SIGNATURE: signature does not match"


def test_the_pause_doubles_after_each_failure(make_order, sms_provider):
    sms_provider.mode = "error"
    message = queued(make_order, "sms", email="")
    pauses = []
    for _ in range(4):
        make_due(message)
        assert send_due() == 1
        message.refresh_from_db()
        pauses.append((message.next_attempt_at - message.updated_at).total_seconds())

    for pause, expected in zip(pauses, [60, 120, 240, 480], strict=True):
        assert expected * 0.79 <= pause <= expected * 1.21


def test_retries_stop_after_the_maximum_attempts_with_status_failed(make_order, sms_provider, settings):
    settings.OMS_MESSAGE_MAX_ATTEMPTS = 3
    sms_provider.mode = "error"
    message = queued(make_order, "sms", email="")

    for _ in range(5):
        make_due(message)
        send_due()

    message.refresh_from_db()
    assert (message.status, message.attempts, message.next_attempt_at) == ("failed", 3, None)
    assert len(sms_provider.requests) == 3
    assert "MOBILE_NUMBER_ILLEGAL" in message.last_error


def test_a_retry_that_succeeds_marks_the_message_sent(make_order, sms_provider):
    sms_provider.mode = "error"
    message = queued(make_order, "sms", email="")
    send_message(message.pk)

    sms_provider.mode = "ok"
    make_due(message)
    send_due()

    message.refresh_from_db()
    assert (message.status, message.attempts, message.provider_message_id) == ("sent", 2, "prov-2")
    assert {r["json"]["request_id"] for r in sms_provider.requests} == {str(message.request_id)}  # same id


def test_a_message_being_sent_is_not_sent_twice(make_order, sms_provider):
    message = queued(make_order, "sms", email="")
    lease_ends = timezone.now() + timedelta(minutes=5)
    Message.objects.filter(pk=message.pk).update(status="sending", next_attempt_at=lease_ends)

    assert send_message(message.pk) is None
    assert sms_provider.requests == []


def test_a_send_whose_worker_died_is_tried_again_when_its_lease_ends(make_order, sms_provider):
    message = queued(make_order, "sms", email="")
    Message.objects.filter(pk=message.pk).update(status="sending", attempts=1, next_attempt_at=timezone.now())

    assert send_due() == 1

    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)


def test_a_push_is_posted_to_the_webhook_with_user_identifiers_title_and_body(make_order, push_gateway):
    message = queued(make_order, "push", channel="app", external_id="APP-20261126-0001")

    assert send_message(message.pk) == MessageStatus.SENT

    request = push_gateway.requests[0]
    assert request["verified"]
    body = request["json"]
    assert body["user"] == {"channel": "app", "recipient": "13800138000", "phone": "13800138000",
                            "external_order_id": "APP-20261126-0001"}
    assert (body["title"], body["body"]) == ("订单已确认", message.body)
    assert (body["event"], body["order_no"], body["language"]) == ("order_confirmed", message.order.order_no,
                                                                   "zh-hans")
    assert body["request_id"] == str(message.request_id)
    message.refresh_from_db()
    assert (message.status, message.provider_message_id) == ("sent", "prov-1")


def test_a_push_gateway_failure_is_retried(make_order, push_gateway):
    push_gateway.mode = "http_error"
    message = queued(make_order, "push", channel="miniapp")

    assert send_message(message.pk) == MessageStatus.QUEUED


@pytest.mark.parametrize("medium", ["sms", "email", "push"])
def test_with_no_sender_configured_a_message_is_logged_not_sent(make_order, medium):
    message = queued(make_order, medium, channel="app")

    assert send_message(message.pk) == MessageStatus.LOGGED

    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("logged", 1, "")
    assert message.sent_at is not None


def test_signatures_cover_the_timestamp_and_the_exact_body():
    from oms.notifications.senders.signing import sign, verify

    signature = sign(SMS_SECRET, "1764123456", b'{"a":1}')

    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert verify(SMS_SECRET, "1764123456", b'{"a":1}', signature)
    assert not verify(SMS_SECRET, "1764123457", b'{"a":1}', signature)
    assert not verify(SMS_SECRET, "1764123456", b'{"a": 1}', signature)
    assert not verify(PUSH_SECRET, "1764123456", b'{"a":1}', signature)
