"""Transactional outbox: messages are stored with the change and delivered after commit.

Handlers subscribe per topic; the worker (`oms worker`) delivers pending messages
as soon as a transaction commits and sweeps every minute for anything left over.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from oms.core.bulk_insert import insert_rows
from oms.notifications.models import OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10
# A burst of commits needs one kick, not one per commit: the worker delivers every pending
# message, so a kick sent after the last commit of a burst covers all of them.
KICK_DELAY_S = 0.1
_kick_lock = threading.Lock()
_kick_timer: threading.Timer | None = None
# Messages of a topic with a batch handler are delivered up to BATCH_SIZE at a time, in one
# transaction: a burst of new orders is reviewed with one read per kind of fact.
BATCH_SIZE = 50
_handlers: dict[str, list[Callable[[dict], None]]] = defaultdict(list)
_batch_handlers: dict[str, list[Callable[[list[dict]], None]]] = defaultdict(list)


def subscribe(topic: str) -> Callable:
    def register(fn: Callable[[dict], None]) -> Callable[[dict], None]:
        _handlers[topic].append(fn)
        return fn

    return register


def subscribe_batch(topic: str) -> Callable:
    """Subscribe a handler that takes a list of payloads (in message order) instead of one."""
    def register(fn: Callable[[list[dict]], None]) -> Callable[[list[dict]], None]:
        _batch_handlers[topic].append(fn)
        return fn

    return register


def enqueue(topic: str, payload: dict) -> OutboxMessage:
    """Store a message in the current transaction; ask the worker to deliver it after commit."""
    message = OutboxMessage.objects.create(topic=topic, payload=payload)
    transaction.on_commit(kick_delivery)
    return message


def enqueue_many(topic: str, payloads: list[dict]) -> None:
    """Store several messages of one topic with one statement; one kick after commit."""
    insert_rows([OutboxMessage(topic=topic, payload=p) for p in payloads])
    transaction.on_commit(kick_delivery)


def kick_delivery() -> None:
    """Ask the worker, within KICK_DELAY_S, to deliver pending messages (call it from on_commit)."""
    global _kick_timer
    from django.conf import settings

    if settings.HUEY.get("immediate"):
        _send_kick()
        return
    with _kick_lock:
        if _kick_timer is not None:
            return  # a kick is already on its way and will see this message too
        _kick_timer = threading.Timer(KICK_DELAY_S, _fire_kick)
        _kick_timer.daemon = True
        _kick_timer.start()


def _fire_kick() -> None:
    global _kick_timer
    with _kick_lock:
        _kick_timer = None
    _send_kick()


@atexit.register
def _flush_kick() -> None:
    """A short-lived process (the CLI) sends its pending kick before it exits."""
    global _kick_timer
    with _kick_lock:
        timer, _kick_timer = _kick_timer, None
    if timer is not None:
        timer.cancel()
        _send_kick()


def _send_kick() -> None:
    from oms.notifications.tasks import deliver_outbox

    try:
        deliver_outbox()
    except Exception:  # the periodic sweep will pick the message up
        log.exception("could not enqueue outbox delivery")


def deliver_pending(limit: int = 200) -> int:
    """Deliver up to `limit` pending messages; returns how many were sent.

    Consecutive messages of a topic with a batch handler go together (up to BATCH_SIZE); if a
    batch fails, its messages are delivered one by one, so one bad message fails alone.
    """
    pending = list(
        OutboxMessage.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .order_by("id").values_list("id", "topic")[:limit]
    )
    sent = 0
    for topic, ids in _runs(pending):
        delivered = _deliver_batch(topic, ids) if len(ids) > 1 else None
        if delivered is None:
            delivered = sum(_deliver_one(message_id) for message_id in ids)
        sent += delivered
    return sent


def _runs(pending: list[tuple[int, str]]) -> list[tuple[str, list[int]]]:
    """Consecutive messages of one batchable topic, up to BATCH_SIZE each; others alone."""
    runs: list[tuple[str, list[int]]] = []
    for message_id, topic in pending:
        if runs and runs[-1][0] == topic and topic in _batch_handlers and len(runs[-1][1]) < BATCH_SIZE:
            runs[-1][1].append(message_id)
        else:
            runs.append((topic, [message_id]))
    return runs


def _handle(topic: str, payloads: list[dict]) -> None:
    for batch_handler in _batch_handlers.get(topic, []):
        batch_handler(payloads)
    for handler in _handlers.get(topic, []):
        for payload in payloads:
            handler(payload)


def _deliver_batch(topic: str, ids: list[int]) -> int | None:
    """Deliver these messages in one transaction: how many were sent, or None (nothing kept) on failure."""
    try:
        with transaction.atomic():
            messages = list(OutboxMessage.objects.select_for_update().filter(pk__in=ids, sent_at__isnull=True)
                            .order_by("id"))
            _handle(topic, [m.payload for m in messages])
            OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
                attempts=F("attempts") + 1, sent_at=timezone.now())
    except Exception:
        log.warning("a batch of %d %s messages failed; delivering them one by one", len(ids), topic,
                    exc_info=True)
        return None
    return len(messages)


def _deliver_one(message_id: int) -> int:
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id, sent_at__isnull=True).first()
        if message is None:  # another worker took it
            return 0
        try:
            with transaction.atomic():  # a failed handler leaves nothing behind but the error
                _handle(message.topic, [message.payload])
        except Exception as exc:
            message.attempts += 1
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            message.save(update_fields=["attempts", "last_error"])
            return 0
        message.attempts += 1
        message.sent_at = timezone.now()
        message.save(update_fields=["attempts", "sent_at"])
        return 1
