from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from oms.audit.chain import seal_pending


@db_periodic_task(crontab(minute="*"))
def seal_audit_events() -> int:
    """Every minute: give new audit events their place in the hash chain (the ChainHead row lock serialises sealers)."""
    return seal_pending()
