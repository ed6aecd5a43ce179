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
