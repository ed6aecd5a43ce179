"""Reading problem reports: the queue's tabs and filters, one report, the counts for home and nav,
and the root-cause review (§5.5)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet

from oms.accounts.roles import OPERATIONS
from oms.inbox.selectors import teams_of
from oms.orders.numbering import SHANGHAI
from oms.problems.errors import ProblemNotFound
from oms.problems.models import ProblemReport
from oms.problems.status import LIVE_STATUSES, EscalationLevel, ProblemStatus, ProcessStep, RootCause

TABS = ("team", "escalated", "incidents", "all")


@dataclass(frozen=True)
class QueueFilters:
    tab: str = "team"
    status: str = ""  # "" = live (open or acknowledged) except on the "all" tab
    category: str = ""
    severity: str = ""
    team: str = ""
    q: str = ""


def my_teams(user) -> set[str]:
    """The teams whose reports are the user's: their team, else their roles."""
    team = getattr(user, "team", "")
    return {team} if team else teams_of(user)


def escalated_to(user) -> Q:
    """Reports escalated to this person: their team's, when a supervisor; every one sent to operations."""
    q = Q(pk__in=[])
    if getattr(user, "is_supervisor", False) and getattr(user, "team", ""):
        q |= Q(escalation_level__gte=EscalationLevel.SUPERVISOR, team=user.team)
    if OPERATIONS in teams_of(user):
        q |= Q(escalated_to="operations")
    return q


def scoped_reports(user, qs: QuerySet[ProblemReport]) -> QuerySet[ProblemReport]:
    """The reports of qs the user may see: system faults and incidents without an order are everyone's;
    a report on an order follows the order's scopes (orders/selectors.py scoped_orders)."""
    from oms.accounts.actor import Actor, channel_scope, warehouse_scope
    from oms.orders.models import Order
    from oms.orders.selectors import scoped_orders

    actor = Actor.of(user)
    if channel_scope(actor) is None and warehouse_scope(actor) is None:
        return qs
    return qs.filter(Q(order__isnull=True) | Q(order__in=scoped_orders(actor, Order.objects.all())))


def queue(user, filters: QueueFilters) -> QuerySet[ProblemReport]:
    qs = scoped_reports(user, ProblemReport.objects.select_related("order", "owner", "raised_by"))
    if filters.tab == "team":
        qs = qs.filter(team__in=my_teams(user))
    elif filters.tab == "escalated":  # escalated to me, or escalated in my team
        qs = qs.filter(escalated_to(user) | Q(escalation_level__gte=EscalationLevel.SUPERVISOR,
                                              team__in=my_teams(user)))
    elif filters.tab == "incidents":
        qs = qs.filter(is_incident=True)
    if filters.status:
        qs = qs.filter(status=filters.status)
    elif filters.tab != "all":
        qs = qs.filter(status__in=LIVE_STATUSES)
    for field in ("category", "severity", "team"):
        if getattr(filters, field):
            qs = qs.filter(**{field: getattr(filters, field)})
    if filters.q:
        term = filters.q.strip()
        qs = qs.filter(Q(number=term) | Q(order__order_no=term) | Q(description__icontains=term))
    # Most urgent first: escalated, critical, then the oldest.
    return qs.order_by("-escalation_level", "open_since", "id")


def report(number: str) -> ProblemReport:
    found = (ProblemReport.objects.select_related("order", "owner", "raised_by", "acknowledged_by", "resolved_by",
                                                  "closed_by").filter(number=number).first())
    if found is None:
        raise ProblemNotFound(details={"number": number})
    return found


def reports_of_order(order) -> list[ProblemReport]:
    return list(ProblemReport.objects.filter(Q(order=order) | Q(orders=order)).distinct()
                .select_related("owner").order_by("-raised_at", "-id"))


def team_open_count(user) -> int:
    return scoped_reports(user, ProblemReport.objects.filter(team__in=my_teams(user),
                                                             status__in=LIVE_STATUSES)).count()


def home_counts(user) -> dict[str, int]:
    live = scoped_reports(user, ProblemReport.objects.filter(status__in=LIVE_STATUSES))
    return {
        "team_open": live.filter(team__in=my_teams(user)).count(),
        "escalated_to_me": live.filter(escalated_to(user)).count(),
        "open_incidents": live.filter(is_incident=True).count(),
    }


def linked_orders(r: ProblemReport, user=None):
    """An incident's orders, those within the user's scopes when a user is given."""
    qs = r.orders.order_by("order_no")
    if user is not None:
        from oms.accounts.actor import Actor
        from oms.orders.selectors import scoped_orders

        qs = scoped_orders(Actor.of(user), qs)
    return qs


def report_data(r: ProblemReport, *, with_comments: bool = False, user=None) -> dict:
    data = {
        "number": r.number, "order_no": r.order.order_no if r.order_id else None,
        "category": r.category, "severity": r.severity, "description": r.description,
        "status": r.status, "team": r.team, "owner": r.owner.username if r.owner_id else None,
        "raised_by": r.raised_by.username if r.raised_by_id else None, "raised_at": r.raised_at.isoformat(),
        "acknowledged_at": r.acknowledged_at.isoformat() if r.acknowledged_at else None,
        "escalation_level": r.escalation_level,
        "escalated_at": r.escalated_at.isoformat() if r.escalated_at else None,
        "resolution": r.resolution, "resolved_at": r.resolved_at.isoformat() if r.resolved_at else None,
        "closed_at": r.closed_at.isoformat() if r.closed_at else None,
        "root_cause": r.root_cause or None, "step": r.step or None,
        "is_incident": r.is_incident,
    }
    if r.is_incident:
        data["burst"] = {"source": r.burst_source, "reason": r.burst_reason, "count": r.burst_count,
                         "order_nos": list(linked_orders(r, user).values_list("order_no", flat=True))}
    if with_comments:
        data["comments"] = [{"author": c.author_username, "body": c.body, "at": c.at.isoformat()}
                            for c in r.comments.all()]
    return data


# --- root-cause review (§5.5) ---------------------------------------------------------------------------


def month_key(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m")


def months_between(first: date, last: date) -> list[str]:
    """Every month from first to last inclusive, as "YYYY-MM"."""
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def last_months(today: date, n: int = 12) -> tuple[date, date]:
    y, m = today.year, today.month - (n - 1)
    while m < 1:
        y, m = y - 1, m + 12
    return date(y, m, 1), date(today.year, today.month, 1)


@dataclass
class Review:
    months: list[str]
    by_cause: dict[str, Counter]  # cause → month → count
    by_step: dict[str, Counter]  # step → month → count
    cause_step: dict[str, Counter]  # cause → step → count
    total: int


def tabulate(rows: list[tuple[datetime, str, str]], months: list[str]) -> Review:
    """Counts of closed reports (closed_at, root cause, step) by cause × month, step × month, cause × step."""
    by_cause = {c: Counter() for c in RootCause.values}
    by_step = {s: Counter() for s in ProcessStep.values}
    cause_step = {c: Counter() for c in RootCause.values}
    wanted = set(months)
    total = 0
    for closed_at, cause, step in rows:
        month = month_key(closed_at)
        if month not in wanted:
            continue
        by_cause.setdefault(cause, Counter())[month] += 1
        by_step.setdefault(step, Counter())[month] += 1
        cause_step.setdefault(cause, Counter())[step] += 1
        total += 1
    return Review(months=months, by_cause=by_cause, by_step=by_step, cause_step=cause_step, total=total)


def review(*, first: date, last: date) -> Review:
    """The root-cause review of reports closed in the months first..last (Asia/Shanghai months)."""
    months = months_between(first, last)
    start = datetime(first.year, first.month, 1, tzinfo=SHANGHAI)
    end_y, end_m = (last.year + 1, 1) if last.month == 12 else (last.year, last.month + 1)
    end = datetime(end_y, end_m, 1, tzinfo=SHANGHAI)
    rows = list(ProblemReport.objects.filter(status=ProblemStatus.CLOSED, closed_at__gte=start, closed_at__lt=end)
                .values_list("closed_at", "root_cause", "step"))
    return tabulate(rows, months)


def review_data(r: Review) -> dict:
    return {
        "months": r.months, "total": r.total,
        "by_cause": {c: {m: n[m] for m in r.months} for c, n in r.by_cause.items()},
        "by_step": {s: {m: n[m] for m in r.months} for s, n in r.by_step.items()},
        "cause_step": {c: {s: n[s] for s in ProcessStep.values} for c, n in r.cause_step.items()},
    }


def review_csv_rows(r: Review) -> list[list]:
    """Long format for spreadsheets: table, row, column, count."""
    out = [["table", "row", "column", "count"]]
    for c, n in r.by_cause.items():
        out += [["cause_month", c, m, n[m]] for m in r.months]
    for s, n in r.by_step.items():
        out += [["step_month", s, m, n[m]] for m in r.months]
    for c, n in r.cause_step.items():
        out += [["cause_step", c, s, n[s]] for s in ProcessStep.values]
    return out
