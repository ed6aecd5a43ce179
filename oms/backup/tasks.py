from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from oms.backup.backup import take_backup


# Huey schedules in UTC: 18:30 UTC is 02:30 in Asia/Shanghai, before the nightly archive (19:30 UTC).
@db_periodic_task(crontab(minute="30", hour="18"))
@lock_task("oms-nightly-backup")
def nightly_backup() -> str:
    """Every night: a backup into OMS_BACKUP_DIR, keeping the newest OMS_BACKUP_KEEP."""
    return str(take_backup())
