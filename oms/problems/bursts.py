"""Burst incidents (manual §5.4 批量性问题): many orders with the same problem raise ONE major incident.

Sources: orders newly put on hold for the same reason (review's OrderHold rows), and logistics
exception tickets opened for the same reason (shipping's LogisticsException). A sweep every few
minutes (tasks.py; `oms problems detect-bursts`) counts each reason within its rule's window and,
at or above the threshold, raises an incident unless one for the same source and reason is live or
was raised within the window. A partial unique index (one live incident per source and reason)
makes two sweeps at once raise it once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.actor import Actor
from oms.accounts.roles import OPERATIONS
from oms.audit.services import record
from oms.inbox.services import notify_team
from oms.orders.review.models import OrderHold
from oms.problems.models import BurstRule, ProblemReport
from oms.problems.services import new_number, report_link
from oms.problems.status import (
    DEFAULT_BURST,
    LIVE_STATUSES,
    BurstSource,
    Severity,
    default_team,
    incident_category,
)
from oms.shipping.models import LogisticsException


@dataclass(frozen=True)
class Rule:
    source: str
    reason: str  # "" = each reason on its own
    threshold: int
    window_minutes: int
    enabled: bool
    is_default: bool = False


def effective_rules() -> list[Rule]:
    """The rule rows, plus the default of each source that has no catch-all row."""
    rows = [Rule(r.source, r.reason, r.threshold, r.window_minutes, r.enabled) for r in BurstRule.objects.all()]
    have = {(r.source, r.reason) for r in rows}
    for source, (threshold, window) in DEFAULT_BURST.items():
        if (source, "") not in have:
            rows.append(Rule(source, "", threshold, window, True, is_default=True))
    return sorted(rows, key=lambda r: (r.source, r.reason))


def held_orders(*, since: datetime, now: datetime, reason: str = "") -> dict[str, set[int]]:
    """Orders newly put on hold within (since, now], per hold reason.

    An order re-reviewed while already held for the reason gets a fresh hold row; it counts only
    when it was not held for that reason when the window began.
    """
    earlier = OrderHold.objects.filter(order_id=OuterRef("order_id"), code=OuterRef("code"), created_at__lte=since
                                       ).filter(Q(cleared_at__isnull=True) | Q(cleared_at__gt=since))
    holds = OrderHold.objects.filter(created_at__gt=since, created_at__lte=now).exclude(Exists(earlier))
    if reason:
        holds = holds.filter(code=reason)
    out: dict[str, set[int]] = defaultdict(set)
    for code, order_id in holds.values_list("code", "order_id").distinct():
        out[code].add(order_id)
    return out


def carrier_exception_orders(*, since: datetime, now: datetime, reason: str = "") -> dict[str, set[int]]:
    """Orders with a logistics exception ticket opened within (since, now], per reason."""
    tickets = LogisticsException.objects.filter(opened_at__gt=since, opened_at__lte=now)
    if reason:
        tickets = tickets.filter(reason=reason)
    out: dict[str, set[int]] = defaultdict(set)
    for code, order_id in tickets.values_list("reason", "order_id").distinct():
        out[code].add(order_id)
    return out


COUNTERS = {BurstSource.ORDER_HOLD: held_orders, BurstSource.CARRIER_EXCEPTION: carrier_exception_orders}


def reason_label(source: str, reason: str) -> str:
    if source == BurstSource.ORDER_HOLD:
        from oms.orders.review.rules import RULES

        rule = RULES.get(reason)
        return str(rule.title) if rule else reason
    from oms.shipping.models import ExceptionReason

    return str(ExceptionReason(reason).label) if reason in ExceptionReason.values else reason


def bursts_now(*, now: datetime) -> list[tuple[Rule, str, set[int]]]:
    """(rule, reason, order ids) of every reason at or above its threshold now; a reason's own rule wins."""
    found = []
    rules = effective_rules()
    own = {(r.source, r.reason) for r in rules if r.reason}
    for rule in rules:
        if not rule.enabled:
            continue
        counts = COUNTERS[rule.source](since=now - timedelta(minutes=rule.window_minutes), now=now,
                                       reason=rule.reason)
        for reason, order_ids in sorted(counts.items()):
            if not rule.reason and (rule.source, reason) in own:
                continue
            if len(order_ids) >= rule.threshold:
                found.append((rule, reason, order_ids))
    return found


def detect_bursts(*, now: datetime | None = None) -> list[ProblemReport]:
    """Raise one major incident per burst found now; returns the incidents raised."""
    now = now or timezone.now()
    raised = []
    for rule, reason, order_ids in bursts_now(now=now):
        incident = _raise_incident(rule=rule, reason=reason, order_ids=order_ids, now=now)
        if incident is not None:
            raised.append(incident)
    return raised


def _already_raised(rule: Rule, reason: str, now: datetime) -> bool:
    recent = now - timedelta(minutes=rule.window_minutes)
    return ProblemReport.objects.filter(is_incident=True, burst_source=rule.source, burst_reason=reason).filter(
        Q(status__in=LIVE_STATUSES) | Q(raised_at__gt=recent)).exists()


def _raise_incident(*, rule: Rule, reason: str, order_ids: set[int], now: datetime) -> ProblemReport | None:
    try:
        with transaction.atomic():
            if _already_raised(rule, reason, now):
                return None
            return _create_incident(rule=rule, reason=reason, order_ids=order_ids, now=now)
    except IntegrityError:  # another sweep raised it a moment ago (one live incident per burst)
        return None


def _create_incident(*, rule: Rule, reason: str, order_ids: set[int], now: datetime) -> ProblemReport:
    category = incident_category(rule.source, reason)
    label = reason_label(rule.source, reason)
    if rule.source == BurstSource.ORDER_HOLD:
        description = _("%(n)s orders were put on hold for “%(reason)s” within %(min)s minutes "
                        "(threshold %(threshold)s).")
    else:
        description = _("%(n)s carrier exceptions “%(reason)s” were opened within %(min)s minutes "
                        "(threshold %(threshold)s).")
    description = description % {"n": len(order_ids), "reason": label, "min": rule.window_minutes,
                                  "threshold": rule.threshold}
    team = default_team(category)
    incident = ProblemReport.objects.create(
        number=new_number(), category=category, severity=Severity.MAJOR, description=description,
        raised_at=now, open_since=now, team=team, is_incident=True, burst_source=rule.source, burst_reason=reason,
        burst_count=len(order_ids))
    incident.orders.set(sorted(order_ids))
    record(None, "problem_incident_raised", actor=Actor.system(), at=now, note=description,
           data={"problem": incident.number, "source": rule.source, "reason": reason, "count": len(order_ids),
                 "window_minutes": rule.window_minutes, "threshold": rule.threshold, "team": team})
    title = _("Incident %(no)s: %(reason)s (%(n)s)") % {"no": incident.number, "reason": label, "n": len(order_ids)}
    link = report_link(incident.number)
    for to in dict.fromkeys([OPERATIONS, team]):
        notify_team(team=to, kind="problem_incident", title=title, body=description, link=link,
                    dedupe_key=f"problem:{incident.pk}:incident:{to}")
    return incident
