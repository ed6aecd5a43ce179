"""Shipping's background work: tracking subscriptions after hand-over, and the polling round."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from oms.accounts.actor import Actor
from oms.fulfillment.models import Package
from oms.notifications.outbox import subscribe

log = logging.getLogger(__name__)
TOPIC_SHIPPED = "package.shipped"


@subscribe(TOPIC_SHIPPED)
def subscribe_tracking(payload: dict) -> None:
    """Ask the package's carrier to push its tracking; a failure raises, and the outbox tries again later."""
    from oms.shipping.adapters import adapter_for

    package = Package.objects.select_related("carrier", "order").filter(number=payload.get("package")).first()
    if package is None or package.carrier is None or not package.tracking_no:
        log.warning("package.shipped for %s: no such package with a carrier and tracking number", payload)
        return
    adapter_for(package.carrier).subscribe(package=package)


@db_periodic_task(crontab(minute="*/15"))
def poll_tracking_news() -> int:
    """Every quarter hour: query carriers that do not push, the stalest parcels first."""
    from oms.shipping.polling import poll_tracking

    return poll_tracking(actor=Actor.system()).stored
