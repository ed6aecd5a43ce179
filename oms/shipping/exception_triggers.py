"""Exception tickets open by themselves: after tracking news (outbox `tracking.updated`) and on a
sweep every 15 minutes for parcels that went quiet, stuck or lost (no news is not an event)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from oms.notifications.outbox import subscribe_batch
from oms.shipping.exceptions import open_exceptions_for, sweep


@subscribe_batch("tracking.updated")
def exceptions_after_tracking(payloads: list[dict]) -> None:
    numbers = sorted({n for p in payloads for n in (p.get("packages") or []) if isinstance(n, str)})
    if numbers:
        open_exceptions_for(numbers)


@db_periodic_task(crontab(minute="*/15"))
def sweep_logistics_exceptions() -> int:
    """Every shipped or returned package, in batches of a few hundred (one timer, not one per parcel)."""
    return sweep().opened
