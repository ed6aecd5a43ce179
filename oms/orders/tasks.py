from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from oms.accounts.actor import Actor
from oms.orders.archiving import archive_orders
from oms.orders.completion import complete_delivered


# Huey schedules in UTC: 19:30 UTC is 03:30 in Asia/Shanghai, when the back office is quiet.
@db_periodic_task(crontab(minute="30", hour="19"))
def archive_finished_orders() -> int:
    """Every night: archive completed, settled orders older than OMS_ARCHIVE_AFTER_DAYS (in batches)."""
    return archive_orders(actor=Actor.system())


@db_periodic_task(crontab(minute="17"))
def complete_delivered_orders() -> int:
    """Hourly: complete orders delivered OMS_AUTO_COMPLETE_DAYS ago or earlier (one sweep, not a timer per order)."""
    return complete_delivered()


@db_periodic_task(crontab(minute="*"))
def expire_unpaid_orders() -> int:
    """Every minute: cancel orders unpaid for longer than their channel's timeout (one sweep, SKIP LOCKED)."""
    from oms.orders.expiry import expire_unpaid

    return expire_unpaid()


# 20:10 UTC (04:10 in Asia/Shanghai): after the night's archiving run.
@db_periodic_task(crontab(minute="10", hour="20"))
def anonymise_archived_orders() -> int:
    """Every night: anonymise the personal data of orders archived longer ago than OMS_PII_RETENTION_DAYS."""
    from oms.orders.anonymisation import anonymise_archived

    return anonymise_archived(actor=Actor.system())
