"""Resending a message: a new message with the same text, recorded on the order's timeline."""

import pytest

from oms.audit.models import AuditEvent
from oms.core.errors import PermissionDenied
from oms.notifications.delivery import send_message
from oms.notifications.errors import MessageNotFound, MessageStillPending
from oms.notifications.models import Message
from oms.notifications.services import notify_buyer, resend_message


@pytest.fixture
def failed_sms(make_order):
    order = make_order(email="")
    message = notify_buyer(order=order, event="order_confirmed")[0]
    Message.objects.filter(pk=message.pk).update(status="failed", attempts=8, next_attempt_at=None,
                                                 last_error="HTTP 503 BUSY")
    message.refresh_from_db()
    return message


def test_resending_a_failed_message_queues_a_copy_and_records_it_on_the_order_timeline(failed_sms, actor):
    copy = resend_message(message_id=failed_sms.pk, actor=actor("customer_service"))

    assert (copy.status, copy.attempts, copy.resend_of_id) == ("queued", 0, failed_sms.pk)
    assert (copy.body, copy.recipient, copy.medium, copy.order_id) == (
        failed_sms.body, failed_sms.recipient, "sms", failed_sms.order_id)
    assert copy.request_id != failed_sms.request_id
    assert copy.created_by.username == "customer_service"
    failed_sms.refresh_from_db()
    assert failed_sms.status == "failed"  # the original keeps its history
    event = AuditEvent.objects.get(order=failed_sms.order, action="message_resent")
    assert (event.actor_username, event.actor_roles) == ("customer_service", "customer_service")
    assert event.data == {"message_id": copy.pk, "resend_of": failed_sms.pk, "event": "order_confirmed",
                          "medium": "sms", "recipient": "13800138000", "previous_status": "failed"}


def test_the_copy_is_sent_like_any_new_message(failed_sms, actor):
    copy = resend_message(message_id=failed_sms.pk, actor=actor("operations"))

    assert send_message(copy.pk) == "logged"


def test_a_resend_goes_to_the_orders_current_phone(failed_sms, actor):
    order = failed_sms.order
    order.customer_phone = "13900139000"
    order.save(update_fields=["customer_phone"])

    copy = resend_message(message_id=failed_sms.pk, actor=actor("customer_service"))

    assert copy.recipient == "13900139000"


def test_a_message_still_waiting_to_be_sent_cannot_be_resent(make_order, actor):
    queued = notify_buyer(order=make_order(email=""), event="order_confirmed")[0]

    with pytest.raises(MessageStillPending):
        resend_message(message_id=queued.pk, actor=actor("customer_service"))
    assert Message.objects.count() == 1


def test_resending_a_message_that_does_not_exist_is_refused(db, actor):
    with pytest.raises(MessageNotFound):
        resend_message(message_id=999_999, actor=actor("customer_service"))


@pytest.mark.parametrize("role", ["warehouse", "logistics", "finance", "admin", "integration"])
def test_roles_without_the_resend_permission_may_not_resend(failed_sms, actor, role):
    with pytest.raises(PermissionDenied):
        resend_message(message_id=failed_sms.pk, actor=actor(role))
    assert not AuditEvent.objects.filter(action="message_resent").exists()
