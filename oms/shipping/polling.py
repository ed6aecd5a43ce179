"""Polling for tracking news, for adapters whose carriers do not push: oldest news first, in batches."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import F

from oms.accounts.actor import Actor
from oms.fulfillment.models import Package, PackageStatus
from oms.shipping.adapters import adapter_named
from oms.shipping.models import CarrierAdapter
from oms.shipping.tracking import ingest_events


@dataclass
class PollReport:
    packages: int = 0
    events: int = 0
    stored: int = 0
    unmatched: int = 0


def adapters_that_poll() -> list[str]:
    return [code for code in CarrierAdapter.values if adapter_named(code).needs_polling]


def poll_tracking(*, actor: Actor, batch_size: int | None = None, max_batches: int = 20) -> PollReport:
    """Query the carriers about shipped packages of polling adapters, the stalest news first; ingest what is new."""
    batch_size = batch_size or settings.OMS_TRACKING_POLL_BATCH
    report = PollReport()
    for code in adapters_that_poll():
        adapter = adapter_named(code)
        # The stalest first, chosen once: ingesting a batch moves last_tracking_at of its packages.
        due = list(Package.objects.filter(status=PackageStatus.SHIPPED, carrier__adapter=code)
                   .exclude(tracking_no="").order_by(F("last_tracking_at").asc(nulls_first=True), "pk")
                   .values_list("pk", flat=True)[:batch_size * max_batches])
        for start in range(0, len(due), batch_size):
            page = list(Package.objects.filter(pk__in=due[start:start + batch_size])
                        .select_related("carrier", "order").order_by("pk"))
            events = adapter.poll(page)
            result = ingest_events(events=events, source="poll", actor=actor)
            report.packages += len(page)
            report.events += len(events)
            report.stored += result.stored
            report.unmatched += result.unmatched
    return report
