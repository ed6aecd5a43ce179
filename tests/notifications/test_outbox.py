import pytest
from django.db import transaction

from oms.notifications import outbox
from oms.notifications.models import OutboxMessage


@pytest.fixture
def received(monkeypatch):
    seen = []
    monkeypatch.setitem(outbox._handlers, "test.topic", [seen.append])
    return seen


def test_a_message_is_delivered_to_its_handlers_once(db, received):
    with transaction.atomic():
        outbox.enqueue("test.topic", {"n": 1})

    assert outbox.deliver_pending() == 1
    assert outbox.deliver_pending() == 0
    assert received == [{"n": 1}]
    assert OutboxMessage.objects.get().sent_at is not None


def test_a_message_of_a_rolled_back_transaction_is_never_sent(db, received):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue("test.topic", {"n": 2})
        raise RuntimeError("the change failed")

    assert outbox.deliver_pending() == 0
    assert received == []


def test_a_failing_handler_leaves_the_message_pending_with_the_error(db, monkeypatch):
    def broken(payload):
        raise ConnectionError("smtp down")

    monkeypatch.setitem(outbox._handlers, "test.topic", [broken])
    outbox.enqueue("test.topic", {"n": 3})

    assert outbox.deliver_pending() == 0
    message = OutboxMessage.objects.get()
    assert (message.sent_at, message.attempts) == (None, 1)
    assert "smtp down" in message.last_error


def test_a_burst_of_commits_sends_one_kick_to_the_worker(monkeypatch, settings):
    settings.HUEY = {**settings.HUEY, "immediate": False}
    kicks = []
    monkeypatch.setattr(outbox, "_send_kick", lambda: kicks.append(1))
    monkeypatch.setattr(outbox, "KICK_DELAY_S", 0.05)

    for _ in range(20):
        outbox.kick_delivery()
    assert kicks == []  # nothing before the delay
    outbox._kick_timer.join()
    assert kicks == [1]

    outbox.kick_delivery()  # a commit after the kick went out gets a kick of its own
    outbox._kick_timer.join()
    assert kicks == [1, 1]


def test_a_process_that_exits_sends_its_pending_kick(monkeypatch, settings):
    settings.HUEY = {**settings.HUEY, "immediate": False}
    kicks = []
    monkeypatch.setattr(outbox, "_send_kick", lambda: kicks.append(1))
    monkeypatch.setattr(outbox, "KICK_DELAY_S", 60)

    outbox.kick_delivery()
    outbox._flush_kick()

    assert kicks == [1]
    assert outbox._kick_timer is None
