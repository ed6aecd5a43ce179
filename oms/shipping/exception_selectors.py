"""Reads of logistics exception tickets: the queue (oldest first), counts per carrier, one ticket's story."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, QuerySet
from django.utils import timezone

from oms.audit.models import AuditEvent
from oms.shipping.exceptions import ExceptionNotFound, claimed_total
from oms.shipping.models import ExceptionStatus, LogisticsException

TICKET_ACTIONS = ("logistics_exception_opened", "logistics_exception_assigned",
                  "logistics_exception_carrier_contacted", "logistics_exception_buyer_contacted",
                  "logistics_exception_reshipped", "logistics_exception_claimed", "logistics_exception_closed")


@dataclass(frozen=True)
class QueueFilters:
    carrier: str = ""
    reason: str = ""
    status: str = ExceptionStatus.OPEN


def queue(filters: QueueFilters, actor=None) -> QuerySet[LogisticsException]:
    """Tickets oldest first (open ones by default), with what a row shows; the actor's channels only when given."""
    qs = LogisticsException.objects.select_related("order", "package", "carrier", "owner").order_by("opened_at", "id")
    if actor is not None:
        qs = scoped_tickets(actor, qs)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.carrier:
        qs = qs.filter(carrier__code=filters.carrier)
    if filters.reason:
        qs = qs.filter(reason=filters.reason)
    return qs


def open_counts_by_carrier(reason: str = "", actor=None) -> list[dict]:
    """Open tickets per carrier: [{"code", "name", "count"}], most first."""
    qs = LogisticsException.objects.filter(status=ExceptionStatus.OPEN)
    if actor is not None:
        qs = scoped_tickets(actor, qs)
    if reason:
        qs = qs.filter(reason=reason)
    rows = qs.values("carrier__code", "carrier__name").annotate(n=Count("id")).order_by("-n", "carrier__code")
    return [{"code": r["carrier__code"], "name": r["carrier__name"], "count": r["n"]} for r in rows]


def age_hours(ticket: LogisticsException, now: datetime | None = None) -> int:
    end = ticket.closed_at or now or timezone.now()
    return max(0, int((end - ticket.opened_at).total_seconds() // 3600))


def ticket(number: str) -> LogisticsException:
    found = (LogisticsException.objects.select_related("order", "package", "package__warehouse", "carrier", "owner")
             .filter(number=number).first())
    if found is None:
        raise ExceptionNotFound(details={"number": number})
    return found


def history(t: LogisticsException) -> list[AuditEvent]:
    """The ticket's actions from the order's timeline, oldest first."""
    return list(AuditEvent.objects.filter(order_id=t.order_id, action__in=TICKET_ACTIONS, data__ticket=t.number)
                .order_by("at", "id"))


def ticket_data(t: LogisticsException, *, with_history: bool = False) -> dict:
    """A ticket as the API shows it."""
    out = {
        "number": t.number, "status": t.status, "reason": t.reason, "detail": t.detail,
        "order_no": t.order.order_no, "package": t.package.number, "carrier": t.carrier.code,
        "tracking_no": t.package.tracking_no, "owner": t.owner.username if t.owner_id else None,
        "opened_at": t.opened_at, "age_hours": age_hours(t), "last_action_at": t.last_action_at,
        "closed_at": t.closed_at, "outcome": t.outcome or None, "outcome_note": t.outcome_note,
    }
    if with_history:
        out["claimed_amount"] = f"{claimed_total(t):.2f}"
        out["history"] = [{"action": e.action, "at": e.at, "user": e.actor_username, "note": e.note,
                           "data": {k: v for k, v in (e.data or {}).items() if k not in ("ticket",)}}
                          for e in history(t)]
    return out


def scoped_tickets(actor, qs: QuerySet[LogisticsException]) -> QuerySet[LogisticsException]:
    """The logistics exception tickets of qs about orders of the actor's channels."""
    from oms.accounts.actor import scope_q

    return qs.filter(scope_q(actor, channel="order__channel_id"))
