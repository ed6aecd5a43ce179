"""Periodic sweeps of problem reports (each also runs from the CLI: `oms problems escalate|detect-bursts`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def escalate_problem_reports() -> int:
    """Every minute: escalate reports nobody acknowledged in time (SKIP LOCKED, dedupe keys)."""
    from oms.problems.escalation import escalate_due

    return escalate_due()


@db_periodic_task(crontab(minute="*/5"))
def detect_problem_bursts() -> int:
    """Every five minutes: raise one incident per burst of the same problem."""
    from oms.problems.bursts import detect_bursts

    return len(detect_bursts())
