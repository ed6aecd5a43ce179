"""Tracking events in: stored once each, the package's latest news kept, delivery followed through.

Events come in batches (a carrier's push, a polling round) from the adapters
(oms.shipping.adapters), already normalised to TrackingStatus. A batch costs the same number of
statements whatever its size: one read finds the packages, one the events already stored, one
insert stores the new ones. Carriers resend their whole history with every push, so a batch
with nothing new returns after those reads, without taking a lock.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import reduce
from operator import or_

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor
from oms.audit.services import build_event
from oms.core.bulk_insert import insert_rows
from oms.core.errors import ValidationFailed
from oms.fulfillment.models import Package, PackageStatus
from oms.notifications import outbox
from oms.orders.models import Order
from oms.shipping.models import TrackingEvent, TrackingStatus
from oms.shipping.progress import refresh_order_statuses

TOPIC_UPDATED = "tracking.updated"
# Which of two events at the same second is the later news (a scan sheet often stamps
# "out for delivery" and "delivered" alike).
_PROGRESS = {
    TrackingStatus.ACCEPTED: 0, TrackingStatus.IN_TRANSIT: 1, TrackingStatus.OUT_FOR_DELIVERY: 2,
    TrackingStatus.EXCEPTION: 3, TrackingStatus.DELIVERY_FAILED: 3, TrackingStatus.RETURNED_TO_SENDER: 4,
    TrackingStatus.DELIVERED: 5,
}
_LIMITS = {"carrier_status": 64, "description": 500, "location": 100}


class InvalidTrackingEvent(ValidationFailed):
    code = "invalid_tracking_event"
    default_message = _("A tracking event is not valid.")


@dataclass(frozen=True)
class IncomingEvent:
    """One carrier event, normalised, before it is matched to a package."""

    carrier: str  # our carrier code
    tracking_no: str
    status: str  # a TrackingStatus value
    occurred_at: datetime  # aware
    carrier_status: str = ""
    description: str = ""
    location: str = ""


@dataclass
class IngestResult:
    stored: int = 0
    duplicates: int = 0
    unmatched: int = 0
    unmatched_numbers: list[str] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)  # packages that got new events
    delivered: list[str] = field(default_factory=list)  # packages this batch moved to delivered
    returned: list[str] = field(default_factory=list)


def dedup_key(*, status: str, occurred_at: datetime, description: str, location: str) -> str:
    """The same news told twice has the same key (the package is the other half of the constraint)."""
    moment = occurred_at.astimezone(UTC).isoformat(timespec="seconds")
    raw = "\x1f".join([status, moment, description, location])
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _clean(event: IncomingEvent) -> IncomingEvent:
    if event.status not in TrackingStatus.values:
        raise InvalidTrackingEvent(details={"status": event.status, "tracking_no": event.tracking_no})
    if not isinstance(event.occurred_at, datetime) or timezone.is_naive(event.occurred_at):
        raise InvalidTrackingEvent(details={"occurred_at": str(event.occurred_at), "tracking_no": event.tracking_no})
    cut = {k: (getattr(event, k) or "").strip()[:n] for k, n in _LIMITS.items()}
    return IncomingEvent(carrier=event.carrier, tracking_no=event.tracking_no.strip(),
                         status=TrackingStatus(event.status).value,
                         occurred_at=event.occurred_at, **cut)


def _rank(status: str, at: datetime | None) -> tuple:
    return (at or datetime.min.replace(tzinfo=UTC), _PROGRESS.get(status, -1))


def ingest_events(*, events: list[IncomingEvent], source: str, actor: Actor) -> IngestResult:
    """Store new tracking events of a batch; update packages and their orders; replays change nothing."""
    result = IngestResult()
    cleaned = [_clean(e) for e in events if e.tracking_no and e.tracking_no.strip()]
    result.unmatched = len(events) - len(cleaned)
    if not cleaned:
        return result
    by_carrier: dict[str, set[str]] = defaultdict(set)
    for e in cleaned:
        by_carrier[e.carrier].add(e.tracking_no)
    found = {
        (p["carrier__code"], p["tracking_no"]): p["id"]
        for p in Package.objects.filter(reduce(or_, (Q(carrier__code=c, tracking_no__in=sorted(nos))
                                                     for c, nos in by_carrier.items())))
        .order_by().values("id", "carrier__code", "tracking_no")
    }
    keyed: dict[tuple[int, str], IncomingEvent] = {}
    unmatched: set[str] = set()
    for e in cleaned:
        package_id = found.get((e.carrier, e.tracking_no))
        if package_id is None:
            result.unmatched += 1
            unmatched.add(e.tracking_no)
            continue
        key = dedup_key(status=e.status, occurred_at=e.occurred_at, description=e.description, location=e.location)
        if (package_id, key) in keyed:
            result.duplicates += 1
        else:
            keyed[(package_id, key)] = e
    result.unmatched_numbers = sorted(unmatched)
    fresh = _not_stored(keyed)
    if not fresh:
        result.duplicates += len(keyed)
        return result
    with transaction.atomic():
        _apply(keyed, source=source, actor=actor, result=result)
    return result


def _not_stored(keyed: dict[tuple[int, str], IncomingEvent]) -> dict[tuple[int, str], IncomingEvent]:
    if not keyed:
        return {}
    package_ids = sorted({pid for pid, _k in keyed})
    stored = set(TrackingEvent.objects.filter(package_id__in=package_ids, dedup_key__in=sorted({k for _p, k in keyed}))
                 .order_by().values_list("package_id", "dedup_key"))
    return {pk: e for pk, e in keyed.items() if pk not in stored}


def _apply(keyed: dict[tuple[int, str], IncomingEvent], *, source: str, actor: Actor, result: IngestResult) -> None:
    now = timezone.now()
    package_ids = sorted({pid for pid, _k in keyed})
    # The orders whose goods travel in these packages: the package's own, and for a package
    # others were merged into, theirs too.
    carried: dict[int, set[int]] = defaultdict(set)
    wanted = set(package_ids)
    for pk, order_id, merged_into_id in Package.objects.filter(Q(pk__in=package_ids) | Q(merged_into__in=package_ids)) \
            .order_by().values_list("pk", "order_id", "merged_into_id"):
        if pk in wanted:
            carried[pk].add(order_id)
        if merged_into_id in wanted:
            carried[merged_into_id].add(order_id)
    order_ids = sorted({o for ids in carried.values() for o in ids})
    orders = list(Order.objects.select_for_update().filter(pk__in=order_ids).order_by("pk")
                  .only("id", "order_no", "status", "shipped_at", "delivered_at", "stock_choice"))
    packages = list(Package.objects.select_for_update().filter(pk__in=package_ids).order_by("pk")
                    .only("id", "order_id", "number", "status", "tracking_no", "tracking_status", "last_tracking_at",
                          "delivered_at"))
    fresh = _not_stored(keyed)  # again under the lock: a concurrent batch may have stored some
    result.duplicates += len(keyed) - len(fresh)
    if not fresh:
        return
    new_by_package: dict[int, list[IncomingEvent]] = defaultdict(list)
    rows_out = []
    for (package_id, key), e in fresh.items():
        new_by_package[package_id].append(e)
        rows_out.append(TrackingEvent(package_id=package_id, status=e.status, carrier_status=e.carrier_status,
                                      description=e.description, location=e.location, occurred_at=e.occurred_at,
                                      source=source, dedup_key=key))
    insert_rows(rows_out)
    result.stored = len(rows_out)

    changed_packages, news_by_order = [], defaultdict(list)
    for package in packages:
        new = new_by_package.get(package.pk)
        if not new:
            continue
        result.packages.append(package.number)
        before = (package.tracking_status, package.status)
        latest = max(new, key=lambda e: _rank(e.status, e.occurred_at))
        if _rank(latest.status, latest.occurred_at) > _rank(package.tracking_status, package.last_tracking_at):
            package.tracking_status, package.last_tracking_at = latest.status, latest.occurred_at
        if package.status == PackageStatus.SHIPPED:
            delivered = [e.occurred_at for e in new if e.status == TrackingStatus.DELIVERED]
            if delivered:
                package.status, package.delivered_at = PackageStatus.DELIVERED, min(delivered)
                result.delivered.append(package.number)
            elif any(e.status == TrackingStatus.RETURNED_TO_SENDER for e in new):
                package.status = PackageStatus.RETURNED
                result.returned.append(package.number)
        package.updated_at = now
        changed_packages.append(package)
        if (package.tracking_status, package.status) != before:  # news for the order's timeline
            shown = latest if latest.status == package.tracking_status else None
            for order_id in carried[package.pk]:
                news_by_order[order_id].append({
                    "package": package.number, "tracking_no": package.tracking_no,
                    "status": package.tracking_status, "package_status": package.status,
                    "at": package.last_tracking_at.isoformat() if package.last_tracking_at else None,
                    "location": shown.location if shown else "", "description": shown.description if shown else "",
                })
    _update_packages(changed_packages)
    insert_rows([build_event(order=o, action="tracking_updated", actor=actor, at=now,
                             data={"source": source, "packages": news_by_order[o.pk]})
                 for o in orders if news_by_order.get(o.pk)])
    refresh_order_statuses(orders, actor=actor, now=now)
    outbox.enqueue(TOPIC_UPDATED, {"packages": sorted(result.packages)})


_UPDATED = ("tracking_status", "last_tracking_at", "status", "delivered_at", "updated_at")


def _update_packages(packages: list[Package]) -> None:
    """One UPDATE for all packages of the batch (CASE per column), built directly.

    bulk_update builds the same statement through the expression machinery, which on a push of
    a few events cost more CPU than everything else the batch does.
    """
    if not packages:
        return
    fields = [Package._meta.get_field(name) for name in _UPDATED]
    quote = connection.ops.quote_name
    sets, params = [], []
    for f in fields:
        whens = " ".join(["WHEN %s THEN %s"] * len(packages))
        case = f"CASE {quote('id')} {whens} END"
        if connection.vendor == "postgresql":  # a column of NULLs would otherwise be text
            case = f"CAST({case} AS {f.db_type(connection)})"
        sets.append(f"{quote(f.column)} = {case}")
        for p in packages:
            params += [p.pk, f.get_db_prep_save(getattr(p, f.attname), connection)]
    sql = (f"UPDATE {quote(Package._meta.db_table)} SET {', '.join(sets)} "
           f"WHERE {quote('id')} IN ({', '.join(['%s'] * len(packages))})")
    with connection.cursor() as cursor:
        cursor.execute(sql, params + [p.pk for p in packages])
