"""Archiving finished orders: completed, settled and older than OMS_ARCHIVE_AFTER_DAYS.

Archived orders stay in their tables with `archived_at` set (docs/decisions/0005-archiving.md):
nothing is moved or deleted, so lines, packages, tracking events, audit events and the stock
ledger keep pointing at them. The job works in short batches, one transaction each, so that a
million orders never hold the working tables for more than a moment.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor
from oms.audit.services import build_event
from oms.core.bulk_insert import insert_rows
from oms.core.errors import ValidationFailed
from oms.orders.models import Order
from oms.orders.status import OrderStatus

ARCHIVED = "archived"  # the audit action
MAX_BATCH = 10_000


@dataclass
class ArchiveRun:
    """What one run archived, and how long its longest batch transaction took."""

    archived: int = 0
    batches: int = 0
    longest_batch_ms: float = 0.0
    batch_ms: list[float] = field(default_factory=list)


def archive_after_days() -> int:
    return int(getattr(settings, "OMS_ARCHIVE_AFTER_DAYS", 90))


def archive_cutoff(*, now: datetime | None = None, older_than_days: int | None = None) -> datetime:
    """Orders completed before this moment may be archived."""
    days = archive_after_days() if older_than_days is None else older_than_days
    if days < 0:
        raise ValidationFailed(details={"older_than_days": [_("Must be zero or more days.")]})
    return (now or timezone.now()) - timedelta(days=days)


def archivable_orders(cutoff: datetime) -> QuerySet[Order]:
    """Completed and settled orders, completed before the cutoff, not archived yet (oldest first)."""
    return Order.objects.filter(
        archived_at__isnull=True, status=OrderStatus.COMPLETED, settled_at__isnull=False, completed_at__lt=cutoff,
    ).order_by("completed_at", "id")


def archive_orders(*, now: datetime | None = None, older_than_days: int | None = None, batch_size: int = 1000,
                   actor: Actor, run: ArchiveRun | None = None) -> int:
    """Archive every finished order older than the setting, in batches; return how many were archived."""
    if not 1 <= batch_size <= MAX_BATCH:
        raise ValidationFailed(details={"batch_size": [_("Between 1 and 10000.")]})
    cutoff = archive_cutoff(now=now, older_than_days=older_than_days)
    run = run if run is not None else ArchiveRun()
    while True:
        start = time.perf_counter()
        done = _archive_batch(cutoff=cutoff, batch_size=batch_size, actor=actor)
        if not done:
            break
        ms = (time.perf_counter() - start) * 1000
        run.archived += done
        run.batches += 1
        run.batch_ms.append(ms)
        run.longest_batch_ms = max(run.longest_batch_ms, ms)
        if done < batch_size:
            break
    return run.archived


@transaction.atomic
def _archive_batch(*, cutoff: datetime, batch_size: int, actor: Actor) -> int:
    """One short transaction: pick a batch of ids, stamp them, one audit event per order."""
    qs = archivable_orders(cutoff)
    if connection.vendor == "postgresql":
        # Rows another transaction holds (an order being edited) are left for the next run.
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    ids = list(qs.values_list("id", flat=True)[:batch_size])
    if not ids:
        return 0
    at = timezone.now()
    # The condition again: an order changed since the SELECT (SQLite has no row locks) is left alone.
    updated = Order.objects.filter(
        id__in=ids, archived_at__isnull=True, status=OrderStatus.COMPLETED, settled_at__isnull=False,
    ).update(archived_at=at, updated_at=at)
    if updated != len(ids):
        ids = list(Order.objects.filter(id__in=ids, archived_at=at).values_list("id", flat=True))
    insert_rows([
        build_event(order=Order(id=order_id), action=ARCHIVED, actor=actor, at=at,
                    changes={"archived_at": [None, at]})
        for order_id in sorted(ids)
    ])
    return len(ids)


def count_archivable(*, now: datetime | None = None, older_than_days: int | None = None) -> int:
    """How many orders a run would archive now (for --dry-run)."""
    return archivable_orders(archive_cutoff(now=now, older_than_days=older_than_days)).count()


def run_archive_command(*, dry_run: bool, older_than_days: int | None) -> int:
    """`oms orders archive`: archive now (or count, with --dry-run) and print one line."""
    if dry_run:
        print(f"would archive {count_archivable(older_than_days=older_than_days)} orders")
        return 0
    run = ArchiveRun()
    archive_orders(older_than_days=older_than_days, actor=Actor.system(), run=run)
    print(f"archived {run.archived} orders in {run.batches} batches (longest {run.longest_batch_ms:.0f} ms)")
    return 0
