from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def sweep_deadlines() -> str:
    """Every minute: open deadlines for new work, close finished steps, notify teams (safe to overlap)."""
    from oms.timeliness.sweep import sweep

    return sweep().line()
