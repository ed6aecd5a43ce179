"""Logistics exception tickets (物流异常): opening them from the rules, and what people do with them.

Every write here is one transaction that locks the order first (then the ticket, then stock
levels) and records one audit event on the order, so the order's timeline tells the ticket's
whole story: opened, assigned, carrier or buyer contacted, reshipped, claimed, closed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor, require
from oms.accounts.models import User
from oms.accounts.roles import HANDLE_LOGISTICS_EXCEPTIONS
from oms.audit.services import build_event, record
from oms.core.bulk_insert import insert_rows
from oms.core.errors import Conflict, NotFound, ValidationFailed
from oms.core.sequences import next_values
from oms.fulfillment.extra_packages import lock_free_units, next_package_number
from oms.fulfillment.models import Package, PackageLine, PackageStatus
from oms.inventory.planning import Take
from oms.inventory.services import ReservationBatch
from oms.orders.models import Order
from oms.orders.numbering import SHANGHAI
from oms.shipping.exception_rules import (
    DEFAULT_LOST_HOURS,
    DEFAULT_NO_UPDATE_HOURS,
    DEFAULT_STUCK_HOURS,
    PackageFacts,
    Scan,
    findings,
)
from oms.shipping.models import ExceptionStatus, LogisticsException, RateZone, TrackingEvent
from oms.shipping.rates import canonical_provinces

BATCH_SIZE = 500
NOTE_MAX = 500
WATCHED = (PackageStatus.SHIPPED, PackageStatus.RETURNED)  # parcels on the road (or coming back)


class ExceptionNotFound(NotFound):
    code = "logistics_exception_not_found"
    default_message = _("No logistics exception ticket has this number.")


class ExceptionClosed(Conflict):
    code = "logistics_exception_closed"
    default_message = _("This ticket is closed; nothing more can be done on it.")


class ReshipOutOfStock(Conflict):
    code = "reship_out_of_stock"
    default_message = _("The warehouse does not have enough free stock to send the parcel again.")


class Outcome:
    """How a ticket ends (close with outcome)."""

    DELIVERED = "delivered"
    RESHIPPED = "reshipped"
    CLAIMED = "claimed"
    RETURNED_TO_STOCK = "returned_to_stock"
    REFUNDED_ELSEWHERE = "refunded_elsewhere"
    OTHER = "other"

    choices = [
        (DELIVERED, _("Delivered after all")),
        (RESHIPPED, _("Sent again")),
        (CLAIMED, _("Claimed from the carrier")),
        (RETURNED_TO_STOCK, _("Returned to stock")),
        (REFUNDED_ELSEWHERE, _("Buyer refunded elsewhere")),
        (OTHER, _("Other (say what in the note)")),
    ]
    labels = dict(choices)


# ---------------------------------------------------------------------------------------------
# Opening tickets


def _hours_setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def default_owner() -> User | None:
    """The account new tickets go to (setting OMS_LOGISTICS_EXCEPTION_OWNER, a username); None: unassigned."""
    username = getattr(settings, "OMS_LOGISTICS_EXCEPTION_OWNER", "")
    return User.objects.filter(username=username, is_active=True).first() if username else None


def _zone_hours(packages: list[Package]) -> dict[int, int]:
    """No-update hours per package id, from the rate zone of its carrier, warehouse and destination (one query)."""
    zones = defaultdict(list)
    for z in RateZone.objects.filter(rate_card__carrier_id__in={p.carrier_id for p in packages},
                                     rate_card__warehouse_id__in={p.warehouse_id for p in packages}).values(
            "rate_card__carrier_id", "rate_card__warehouse_id", "provinces", "no_update_hours"):
        zones[(z["rate_card__carrier_id"], z["rate_card__warehouse_id"])].append(
            (canonical_provinces(z["provinces"]), z["no_update_hours"]))
    hours = {}
    for p in packages:
        province = next(iter(canonical_provinces([p.order.ship_province])))
        hours[p.pk] = next((h for provinces, h in zones[(p.carrier_id, p.warehouse_id)] if province in provinces),
                           DEFAULT_NO_UPDATE_HOURS)
    return hours


def ticket_numbers(count: int, now: datetime) -> list[str]:
    """EX-yyyymmdd-nnnn (Shanghai date; n from a database sequence, unique across processes)."""
    return [f"EX-{now.astimezone(SHANGHAI):%Y%m%d}-{n:04d}" for n in next_values("exception_no", count)]


def _due(package_ids: list[int], *, now: datetime) -> list[tuple[Package, object]]:
    """The (package, finding) pairs that call for a new ticket now (reads only; five queries)."""
    packages = list(Package.objects.filter(pk__in=package_ids, status__in=WATCHED, carrier__isnull=False,
                                           shipped_at__isnull=False).select_related("order").order_by("pk"))
    if not packages:
        return []
    scans = defaultdict(list)
    for e in TrackingEvent.objects.filter(package__in=packages).only(
            "package_id", "status", "occurred_at", "received_at", "location", "description", "carrier_status"):
        scans[e.package_id].append(Scan(status=e.status, occurred_at=e.occurred_at, location=e.location,
                                        description=e.description, carrier_status=e.carrier_status,
                                        received_at=e.received_at))
    latest_ticket = {(r["package_id"], r["reason"]): r["last"] for r in LogisticsException.objects.filter(
        package__in=packages).values("package_id", "reason").annotate(last=Max("opened_at"))}
    hours = _zone_hours(packages)
    stuck_hours = _hours_setting("OMS_EXCEPTION_STUCK_HOURS", DEFAULT_STUCK_HOURS)
    lost_hours = _hours_setting("OMS_EXCEPTION_LOST_HOURS", DEFAULT_LOST_HOURS)
    wanted = []
    for p in packages:
        facts = PackageFacts(shipped_at=p.shipped_at, scans=tuple(scans[p.pk]), returned=p.status ==
                             PackageStatus.RETURNED, last_tracking_at=p.last_tracking_at, no_update_hours=hours[p.pk])
        for f in findings(facts, now=now, stuck_hours=stuck_hours, lost_hours=lost_hours):
            last = latest_ticket.get((p.pk, f.reason))
            if last is None or last < f.since:
                wanted.append((p, f))
    return wanted


def _open_batch(package_ids: list[int], *, now: datetime, owner: User | None) -> list[LogisticsException]:
    # Most sweeps find nothing due: decide without locks, then lock only the orders that get a
    # ticket and decide again on the locked rows (tracking news may have arrived in between).
    first = _due(package_ids, now=now)
    if not first:
        return []
    with transaction.atomic():
        order_ids = sorted({p.order_id for p, _f in first})
        orders = {o.pk: o for o in Order.objects.select_for_update().filter(pk__in=order_ids).order_by("pk")}
        wanted = _due(sorted({p.pk for p, _f in first}), now=now)
        if not wanted:
            return []
        numbers = ticket_numbers(len(wanted), now)
        tickets = [LogisticsException(number=n, package=p, order_id=p.order_id, carrier_id=p.carrier_id,
                                      reason=f.reason, detail=f.detail[:500], owner=owner, opened_at=now)
                   for n, (p, f) in zip(numbers, wanted, strict=True)]
        insert_rows(tickets)
        system = Actor.system()
        insert_rows([build_event(order=orders[t.order_id], action="logistics_exception_opened", actor=system,
                                 at=now, reason=t.reason,
                                 data={"ticket": t.number, "package": t.package.number,
                                       "tracking_no": t.package.tracking_no, "detail": t.detail,
                                       "owner": owner.username if owner else ""})
                     for t in tickets])
    return list(LogisticsException.objects.filter(number__in=numbers).order_by("id"))


def open_exceptions(*, package_ids=None, now: datetime | None = None) -> list[LogisticsException]:
    """Evaluate the rules for shipped or returned packages (all, or these ids) and open the tickets due."""
    now = now or timezone.now()
    owner = default_owner()
    if package_ids is None:
        ids = list(Package.objects.filter(status__in=WATCHED).order_by("pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(package_ids))
    opened = []
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start:start + BATCH_SIZE]
        try:
            opened += _open_batch(batch, now=now, owner=owner)
        except IntegrityError:
            # A concurrent sweep opened one of these tickets first (SQLite does not lock rows); its
            # tickets are committed now, so evaluating the batch again opens only what is left.
            opened += _open_batch(batch, now=now, owner=owner)
    return opened


def open_exceptions_for(package_numbers: list[str], *, now: datetime | None = None) -> list[LogisticsException]:
    """The same, for packages named by number (the outbox topic tracking.updated)."""
    ids = list(Package.objects.filter(number__in=package_numbers).values_list("pk", flat=True))
    return open_exceptions(package_ids=ids, now=now) if ids else []


# ---------------------------------------------------------------------------------------------
# Actions on a ticket


def _note(note: str, *, required: bool = False) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationFailed(_("Write a note saying what was done."), details={"note": ["required"]})
    if len(note) > NOTE_MAX:
        raise ValidationFailed(_("The note is too long (500 characters at most)."), details={"note": ["too_long"]})
    return note


def _lock_ticket(number: str, actor: Actor) -> LogisticsException:
    """Check the permission, then lock the ticket's order and the ticket (in that order)."""
    require(actor, HANDLE_LOGISTICS_EXCEPTIONS)
    found = LogisticsException.objects.filter(number=number).values("order_id").first()
    if found is None:
        raise ExceptionNotFound(details={"number": number})
    Order.objects.select_for_update().filter(pk=found["order_id"]).first()
    ticket = (LogisticsException.objects.select_for_update(of=("self",)).select_related("order", "package", "carrier")
              .get(number=number))
    if ticket.status != ExceptionStatus.OPEN:
        raise ExceptionClosed(details={"number": number})
    return ticket


def _touch(ticket: LogisticsException, action: str, *, actor: Actor, now: datetime, note: str = "",
           data: dict | None = None, fields: dict | None = None, changes: dict | None = None) -> None:
    fields = {"last_action_at": now, "updated_at": now, **(fields or {})}
    LogisticsException.objects.filter(pk=ticket.pk).update(**fields)
    for k, v in fields.items():
        setattr(ticket, k, v)
    record(ticket.order, action, actor=actor, at=now, note=note, reason=ticket.reason, changes=changes,
           data={"ticket": ticket.number, "package": ticket.package.number, **(data or {})})


@transaction.atomic
def assign_owner(*, number: str, owner_username: str, actor: Actor, note: str = "") -> LogisticsException:
    """Give the ticket to a person who handles logistics exceptions (empty username: unassign)."""
    ticket = _lock_ticket(number, actor)
    note = _note(note)
    owner = None
    if owner_username:
        owner = User.objects.filter(username=owner_username, is_active=True).first()
        if owner is None or not owner.has_perm(HANDLE_LOGISTICS_EXCEPTIONS):
            raise ValidationFailed(_("No active account with this username handles logistics exceptions."),
                                   details={"owner": owner_username})
    old = ticket.owner.username if ticket.owner_id else ""
    _touch(ticket, "logistics_exception_assigned", actor=actor, now=timezone.now(), note=note,
           fields={"owner": owner}, changes={"owner": [old, owner.username if owner else ""]})
    return ticket


@transaction.atomic
def contact_carrier(*, number: str, note: str, actor: Actor) -> LogisticsException:
    """Record a contact with the carrier about the parcel (what was asked, what they said)."""
    ticket = _lock_ticket(number, actor)
    _touch(ticket, "logistics_exception_carrier_contacted", actor=actor, now=timezone.now(),
           note=_note(note, required=True), data={"carrier": ticket.carrier.code})
    return ticket


@transaction.atomic
def contact_buyer(*, number: str, note: str, actor: Actor) -> LogisticsException:
    """Record a contact with the buyer about the parcel."""
    ticket = _lock_ticket(number, actor)
    _touch(ticket, "logistics_exception_buyer_contacted", actor=actor, now=timezone.now(),
           note=_note(note, required=True))
    return ticket


@transaction.atomic
def reship(*, number: str, actor: Actor, note: str = "") -> Package:
    """Send the parcel's lines again from the same warehouse: a new allocated package with its stock reserved."""
    ticket = _lock_ticket(number, actor)
    note = _note(note)
    original = ticket.package
    lines = list(PackageLine.objects.filter(package=original).order_by("id"))
    wanted = defaultdict(int)
    for ln in lines:
        wanted[ln.sku_id] += ln.quantity
    levels = lock_free_units(wanted, original.warehouse, ReshipOutOfStock)
    now = timezone.now()
    package = Package.objects.create(
        order_id=original.order_id, number=next_package_number(f"{original.number}-R"),
        warehouse_id=original.warehouse_id,
        carrier_id=original.carrier_id, status=PackageStatus.ALLOCATED, weight_g=original.weight_g,
        freight=original.freight)
    PackageLine.objects.bulk_create([PackageLine(package=package, line_id=ln.line_id, sku_id=ln.sku_id,
                                                 quantity=ln.quantity) for ln in lines])
    batch = ReservationBatch(levels=levels, actor=actor)
    batch.add(order=ticket.order, takes=[Take(line_id=ln.line_id, sku_id=ln.sku_id,
                                              warehouse_id=original.warehouse_id, quantity=ln.quantity)
                                         for ln in lines])
    batch.write()
    _touch(ticket, "logistics_exception_reshipped", actor=actor, now=now, note=note,
           data={"new_package": package.number, "units": sum(wanted.values())})
    return package


def parse_amount(value) -> Decimal:
    """A claim amount: a positive decimal with at most two places."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")) \
            or amount >= Decimal("100000000"):
        raise ValidationFailed(_("The claim amount must be a positive amount such as 59.00."),
                               details={"amount": [str(value)]})
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def claim(*, number: str, amount, reference: str, actor: Actor, note: str = "") -> LogisticsException:
    """Record a claim lodged with the carrier: the amount claimed and the carrier's claim reference."""
    ticket = _lock_ticket(number, actor)
    amount = parse_amount(amount)
    reference = (reference or "").strip()
    if not reference or len(reference) > 64:
        raise ValidationFailed(_("Give the carrier's claim reference (64 characters at most)."),
                               details={"reference": [reference]})
    _touch(ticket, "logistics_exception_claimed", actor=actor, now=timezone.now(), note=_note(note),
           data={"claim_amount": f"{amount:.2f}", "claim_reference": reference, "carrier": ticket.carrier.code})
    return ticket


@transaction.atomic
def close_exception(*, number: str, outcome: str, actor: Actor, note: str = "") -> LogisticsException:
    """Close the ticket with its outcome (a note is required when the outcome is "other")."""
    ticket = _lock_ticket(number, actor)
    if outcome not in Outcome.labels:
        raise ValidationFailed(_("Choose one of the outcomes."), details={"outcome": [outcome],
                                                                          "choices": list(Outcome.labels)})
    note = _note(note, required=outcome == Outcome.OTHER)
    now = timezone.now()
    _touch(ticket, "logistics_exception_closed", actor=actor, now=now, note=note,
           fields={"status": ExceptionStatus.CLOSED, "closed_at": now, "outcome": outcome, "outcome_note": note},
           data={"outcome": outcome})
    return ticket


def claimed_total(ticket: LogisticsException) -> Decimal:
    """What was claimed on this ticket so far (from its timeline)."""
    from oms.audit.models import AuditEvent

    amounts = AuditEvent.objects.filter(order_id=ticket.order_id, action="logistics_exception_claimed",
                                        data__ticket=ticket.number).values_list("data", flat=True)
    return sum((Decimal(d["claim_amount"]) for d in amounts), Decimal("0.00"))


@dataclass(frozen=True)
class SweepResult:
    opened: int


def sweep(*, now: datetime | None = None) -> SweepResult:
    """Evaluate every shipped or returned package (the periodic job and `oms exceptions sweep`)."""
    return SweepResult(opened=len(open_exceptions(now=now)))

