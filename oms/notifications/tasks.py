from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from oms.notifications import delivery
from oms.notifications.outbox import deliver_pending


@db_task()
def deliver_outbox() -> int:
    return deliver_pending()


@db_periodic_task(crontab(minute="*"))
def sweep_outbox() -> int:
    return deliver_pending()


@db_task()
def send_messages(message_ids: list[int]) -> int:
    """Send messages right after the commit that queued them."""
    return delivery.send_now(message_ids)


@db_periodic_task(crontab(minute="*"))
def send_due_messages() -> int:
    """Retries whose backoff has passed, and anything the immediate task missed."""
    return delivery.send_due()
