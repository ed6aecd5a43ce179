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
from django.utils import timezone

from oms.notifications.models import OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10
# A burst of commits needs one kick, not one per commit: the worker delivers every pending
# message, so a kick sent after the last commit of a burst covers all of them.
KICK_DELAY_S = 0.1
_kick_lock = threading.Lock()
_kick_timer: threading.Timer | None = None
_handlers: dict[str, list[Callable[[dict], None]]] = defaultdict(list)


def subscribe(topic: str) -> Callable:
    def register(fn: Callable[[dict], None]) -> Callable[[dict], None]:
        _handlers[topic].append(fn)
        return fn

    return register


def enqueue(topic: str, payload: dict) -> OutboxMessage:
    """Store a message in the current transaction; ask the worker to deliver it after commit."""
    message = OutboxMessage.objects.create(topic=topic, payload=payload)
    transaction.on_commit(kick_delivery)
    return message


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
    """Deliver up to `limit` pending messages; returns how many were sent."""
    sent = 0
    ids = list(
        OutboxMessage.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .order_by("id").values_list("id", flat=True)[:limit]
    )
    for message_id in ids:
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update().filter(pk=message_id, sent_at__isnull=True).first()
            )
            if message is None:  # another worker took it
                continue
            try:
                for handler in _handlers.get(message.topic, []):
                    handler(message.payload)
            except Exception as exc:
                message.attempts += 1
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                message.save(update_fields=["attempts", "last_error"])
                continue
            message.attempts += 1
            message.sent_at = timezone.now()
            message.save(update_fields=["attempts", "sent_at"])
            sent += 1
    return sent
