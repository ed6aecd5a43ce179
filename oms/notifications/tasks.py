from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from oms.notifications.outbox import deliver_pending


@db_task()
def deliver_outbox() -> int:
    return deliver_pending()


@db_periodic_task(crontab(minute="*"))
def sweep_outbox() -> int:
    return deliver_pending()
