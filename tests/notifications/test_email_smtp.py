"""Email goes out over real SMTP (aiosmtpd on loopback): plain, STARTTLS with login, implicit TLS."""

import socket

import pytest

from oms.notifications.delivery import send_due, send_message
from oms.notifications.models import Message, MessageStatus
from oms.notifications.services import notify_buyer


def queued_email(make_order, **order):
    messages = notify_buyer(order=make_order(**order), event="order_confirmed")
    return next(m for m in messages if m.medium == "email")


def test_an_email_arrives_with_its_chinese_subject_and_body_in_utf8(make_order, smtp_server):
    inbox = smtp_server("none")
    message = queued_email(make_order, email="zs@example.cn")

    assert send_message(message.pk) == MessageStatus.SENT

    envelope = inbox.envelopes[0]
    received = inbox.parsed()
    assert envelope.rcpt_tos == ["zs@example.cn"]
    assert envelope.mail_from == "noreply@shop.example.cn"
    assert received["Subject"] == message.subject and "已确认" in received["Subject"]
    assert received["From"].addresses[0].display_name == "小店"
    assert received.get_content_charset() == "utf-8"
    assert received.get_content().strip() == message.body
    message.refresh_from_db()
    assert message.provider_message_id == received["Message-ID"]
    assert (message.attempts, message.next_attempt_at, message.sent_at is not None) == (1, None, True)


def test_email_over_starttls_with_a_login_is_delivered(make_order, smtp_server):
    inbox = smtp_server("starttls")
    message = queued_email(make_order)

    assert send_message(message.pk) == MessageStatus.SENT
    assert inbox.parsed()["To"] == "zs@example.cn"


# With implicit TLS the whole connection is encrypted; aiosmtpd cannot tell and warns about AUTH.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_email_over_implicit_tls_with_a_login_is_delivered(make_order, smtp_server):
    inbox = smtp_server("ssl")
    message = queued_email(make_order)

    assert send_message(message.pk) == MessageStatus.SENT
    assert inbox.parsed()["Subject"] == message.subject


def test_a_wrong_smtp_password_is_recorded_and_retried(make_order, smtp_server, settings):
    smtp_server("starttls")
    settings.OMS_SMTP_PASSWORD = "wrong"
    message = queued_email(make_order)

    assert send_message(message.pk) == MessageStatus.QUEUED

    message.refresh_from_db()
    assert message.last_error.startswith("SMTP 535")


def test_a_recipient_the_server_refuses_is_recorded_as_the_error(make_order, smtp_server):
    smtp_server("none")
    message = queued_email(make_order, email="nobody@refused.example")

    assert send_message(message.pk) == MessageStatus.QUEUED

    message.refresh_from_db()
    assert "550 5.1.1 mailbox unavailable" in message.last_error


def test_an_unreachable_smtp_server_schedules_a_retry(make_order, settings):
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.OMS_SMTP_HOST, settings.OMS_SMTP_PORT, settings.OMS_SMTP_SECURITY = "127.0.0.1", port, "none"
    message = queued_email(make_order)

    assert send_due() == 2  # the email fails, the SMS (nothing configured) is logged

    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert "ConnectionRefusedError" in message.last_error
    assert Message.objects.get(medium="sms").status == MessageStatus.LOGGED
