"""Sending queued messages: claim one, send it outside any transaction, record the outcome.

A message is claimed with one conditional UPDATE (queued or lease-expired, due, tries left), so
two workers never send the same attempt, on PostgreSQL and on SQLite alike. A claimed message
is "sending" with a lease: if the worker dies mid-send, the periodic job tries it again once
the lease has passed. Failures are retried with exponential backoff and jitter until
OMS_MESSAGE_MAX_ATTEMPTS attempts have failed; then the message is "failed".
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from oms.notifications.backoff import retry_delay
from oms.notifications.models import Message, MessageStatus
from oms.notifications.senders import Outgoing, SendFailed, sender_for

log = logging.getLogger(__name__)
SENDING_LEASE = timedelta(minutes=5)  # far longer than any sender's timeout
DUE_STATUSES = (MessageStatus.QUEUED, MessageStatus.SENDING)


def max_attempts() -> int:
    return max(int(settings.OMS_MESSAGE_MAX_ATTEMPTS), 1)


def send_after_commit(message_ids: Iterable[int]) -> None:
    """Ask the worker to send these messages once the current transaction commits."""
    ids = list(message_ids)
    if ids:
        transaction.on_commit(partial(_enqueue, ids))


def _enqueue(ids: list[int]) -> None:
    from oms.notifications.tasks import send_messages

    try:
        send_messages(ids)
    except Exception:  # the periodic job sends them within a minute
        log.exception("could not enqueue sending of messages %s", ids)


def outgoing_for(message: Message) -> Outgoing:
    order = message.order
    return Outgoing(
        request_id=str(message.request_id),
        medium=message.medium,
        event=message.event,
        recipient=message.recipient,
        language=message.language,
        subject=message.subject,
        body=message.body,
        order_no=order.order_no if order else "",
        channel_code=order.channel.code if order else "",
        external_order_id=(order.external_id or "") if order else "",
        customer_phone=order.customer_phone if order else "",
        provider_template_code=message.provider_template_code,
    )


def _claim(message_id: int) -> bool:
    now = timezone.now()
    return bool(
        Message.objects.filter(
            pk=message_id, status__in=DUE_STATUSES, next_attempt_at__lte=now, attempts__lt=max_attempts(),
        ).update(
            status=MessageStatus.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + SENDING_LEASE,
            updated_at=now,
        )
    )


def send_message(message_id: int) -> str | None:
    """Make one attempt at a due message; its status afterwards, or None if it was not due or is taken."""
    if not _claim(message_id):
        return None
    message = Message.objects.select_related("order__channel").get(pk=message_id)
    try:
        result = sender_for(message.medium).send(outgoing_for(message))
    except SendFailed as exc:
        return _record_failure(message, str(exc))
    except Exception as exc:  # a bug in a sender must not leave the message claimed
        log.exception("sender for %s crashed on message %s", message.medium, message.pk)
        return _record_failure(message, f"{type(exc).__name__}: {exc}")
    status = MessageStatus.LOGGED if result.logged else MessageStatus.SENT
    now = timezone.now()
    Message.objects.filter(pk=message.pk).update(
        status=status, sent_at=now, provider_message_id=result.provider_message_id, next_attempt_at=None,
        updated_at=now,
    )
    return status


def _record_failure(message: Message, reason: str) -> str:
    now = timezone.now()
    reason = reason[:2000]
    if message.attempts >= max_attempts():
        status, next_at = MessageStatus.FAILED, None
    else:
        status = MessageStatus.QUEUED
        next_at = now + retry_delay(
            message.attempts, base_s=settings.OMS_MESSAGE_RETRY_BASE_S, cap_s=settings.OMS_MESSAGE_RETRY_CAP_S,
        )
    Message.objects.filter(pk=message.pk).update(status=status, next_attempt_at=next_at, last_error=reason,
                                                 updated_at=now)
    log.warning("message %s (%s) attempt %s failed: %s", message.pk, message.medium, message.attempts, reason)
    return status


def send_due(limit: int = 100) -> int:
    """Send up to `limit` due messages (the periodic job); returns how many attempts were made."""
    now = timezone.now()
    # Out of tries but still due: the last attempt never reported back (its worker died) …
    Message.objects.filter(
        status=MessageStatus.SENDING, next_attempt_at__lte=now, attempts__gte=max_attempts(),
    ).update(
        status=MessageStatus.FAILED, next_attempt_at=None, updated_at=now,
        last_error="the last attempt did not report back; no attempts left",
    )
    # … or the maximum was lowered since the last failure.
    Message.objects.filter(
        status=MessageStatus.QUEUED, next_attempt_at__lte=now, attempts__gte=max_attempts(),
    ).update(status=MessageStatus.FAILED, next_attempt_at=None, updated_at=now)
    ids = list(
        Message.objects.filter(status__in=DUE_STATUSES, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit]
    )
    return sum(1 for message_id in ids if send_message(message_id) is not None)


def send_now(message_ids: Iterable[int]) -> int:
    """Attempt these messages if they are due (the task run after the commit that created them)."""
    return sum(1 for message_id in message_ids if send_message(message_id) is not None)
