"""Reading deadlines for the lists, the home page, the API and the markers in the team queues.

Everything reads the Deadline table kept by the sweep (indexed on open rows), never recomputes.
Scope: the viewer's channels for every step; a viewer limited to warehouses sees review and shipment
deadlines of orders with a package in those warehouses (as the order lists do), refund and exception
deadlines by channel only (as the refund and exception queues do).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from oms.accounts.actor import Actor, scope_q, warehouse_scope
from oms.accounts.roles import HANDLE_LOGISTICS_EXCEPTIONS, PICK_ORDERS, REVIEW_ORDERS, VIEW_REFUNDS
from oms.fulfillment.models import Package
from oms.timeliness.deadlines import STEP_TEAM, TEAM_STEP, State, Step
from oms.timeliness.models import Deadline

STATES = (State.AT_RISK, State.OVERDUE)
# The permission that makes a team's queue the viewer's business.
TEAM_PERMISSION = {
    STEP_TEAM[Step.REVIEW]: REVIEW_ORDERS,
    STEP_TEAM[Step.SHIPMENT]: PICK_ORDERS,
    STEP_TEAM[Step.REFUND]: VIEW_REFUNDS,
    STEP_TEAM[Step.EXCEPTION_RESPONSE]: HANDLE_LOGISTICS_EXCEPTIONS,
}
TEAMS = tuple(TEAM_PERMISSION)


def teams_for(user) -> list[str]:
    """The team queues the user works in (by permission, in the teams' order)."""
    return [team for team in TEAMS if user.has_perm(TEAM_PERMISSION[team])]


def state_filter(state: str, now: datetime) -> Q:
    if state == State.OVERDUE:
        return Q(due_at__lt=now)
    return Q(at_risk_at__lte=now, due_at__gte=now)


def _scoped(qs: QuerySet[Deadline], step: str, actor: Actor | None) -> QuerySet[Deadline]:
    """The same scopes as the queues the steps come from (orders.selectors.scoped_orders for review and
    shipment; refund_selectors.scoped_refunds and exception_selectors.scoped_tickets: channel only)."""
    if actor is None:
        return qs
    qs = qs.filter(scope_q(actor, channel="channel_id"))
    warehouses = warehouse_scope(actor)
    if warehouses is not None and step in (Step.REVIEW, Step.SHIPMENT):
        qs = qs.filter(Exists(Package.objects.filter(order_id=OuterRef("order_id"), warehouse_id__in=warehouses)))
    return qs


def team_queue(*, team: str, state: str, now: datetime, actor: Actor | None = None) -> QuerySet[Deadline]:
    """Open deadlines of a team's step in a state (at_risk or overdue), most urgent first."""
    step = TEAM_STEP[team]
    qs = Deadline.objects.filter(step=step, done_at__isnull=True).filter(state_filter(state, now))
    return (_scoped(qs, step, actor).select_related("order", "channel", "refund", "exception")
            .order_by("due_at", "id"))


def team_counts(*, teams: list[str], now: datetime, actor: Actor | None = None) -> dict[str, dict[str, int]]:
    """{team: {"at_risk": n, "overdue": n}} for the given teams."""
    result = {}
    for team in teams:
        step = TEAM_STEP[team]
        qs = _scoped(Deadline.objects.filter(step=step, done_at__isnull=True), step, actor)
        result[team] = qs.aggregate(at_risk=Count("id", filter=state_filter(State.AT_RISK, now)),
                                    overdue=Count("id", filter=state_filter(State.OVERDUE, now)))
    return result


@dataclass(frozen=True)
class Marker:
    state: str  # at_risk or overdue
    due_at: datetime


def markers(*, step: str, subject_ids, now: datetime) -> dict[int, Marker]:
    """{subject id: Marker} for the given subjects (order, refund or ticket ids) that are at risk or overdue."""
    ids = [i for i in subject_ids if i is not None]
    if not ids:
        return {}
    rows = Deadline.objects.filter(step=step, subject_id__in=ids, done_at__isnull=True, at_risk_at__lte=now)
    return {subject: Marker(State.OVERDUE if due < now else State.AT_RISK, due)
            for subject, due in rows.values_list("subject_id", "due_at")}


def deadline_row(deadline: Deadline, now: datetime) -> dict:
    """One deadline for the API."""
    left = (deadline.due_at - now).total_seconds()
    return {
        "id": deadline.pk, "step": deadline.step, "order_no": deadline.order.order_no,
        "channel": deadline.channel.code,
        "refund": deadline.refund.number if deadline.refund_id else None,
        "exception": deadline.exception.number if deadline.exception_id else None,
        "started_at": deadline.started_at, "due_at": deadline.due_at, "at_risk_at": deadline.at_risk_at,
        "state": State.OVERDUE if left < 0 else State.AT_RISK,
        "seconds_left": int(left),
    }


def timeliness_cards(user, now: datetime | None = None) -> list[dict]:
    """The home page's counts: one card per team queue the user works in."""
    from django.urls import reverse
    from django.utils import timezone

    from oms.web.labels import role_labels

    now = now or timezone.now()
    teams = teams_for(user)
    counts = team_counts(teams=teams, now=now, actor=Actor.of(user))
    return [{"team": team, "label": role_labels((team,)), "step": Step(TEAM_STEP[team]).label,
             "at_risk": counts[team][State.AT_RISK], "overdue": counts[team][State.OVERDUE],
             "url": reverse("web:timeliness", kwargs={"team": team})} for team in teams]
