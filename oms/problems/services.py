"""Problem reports (问题上报, manual §5.4): raise, acknowledge, comment, assign, change team, resolve, close, reopen.

Every write is one transaction that locks the report's order first (when it has one), then the report,
and records one audit event (on the order when there is one, else a system-wide event). Notices are
rows of the inbox in the same database, written in the same transaction: a report is never marked
as notified without its notice, and the dedupe keys keep a retried action from sending it twice.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.actor import Actor, require
from oms.accounts.models import User
from oms.accounts.roles import HANDLE_PROBLEMS, MANAGE_PROBLEM_RULES, RAISE_PROBLEMS
from oms.audit.services import record
from oms.core.errors import ValidationFailed
from oms.core.sequences import next_values
from oms.inbox.services import notify_team
from oms.orders.errors import OrderNotFound
from oms.orders.models import Order
from oms.problems.errors import IncidentAlreadyLive, InvalidProblemInput, ProblemNotFound, RootCauseRequired
from oms.problems.models import BurstRule, EscalationRule, ProblemComment, ProblemReport
from oms.problems.status import (
    TEAMS,
    BurstSource,
    Category,
    EscalationLevel,
    ProblemStatus,
    ProcessStep,
    RootCause,
    Severity,
    check_transition,
    default_team,
)

DESCRIPTION_MAX = 4000
TEXT_MAX = 2000
MAX_RULE_MINUTES = 60 * 24 * 30


def report_link(number: str) -> str:
    return reverse("web:problem_detail", args=[number])


def new_number() -> str:
    return f"PR{next_values('problem_no')[0]:06d}"


def _choice(value: str, choices, name: str, *, required: bool = True) -> str:
    value = (value or "").strip() if isinstance(value, str) else value
    if not value and not required:
        return ""
    if value not in choices.values:
        raise InvalidProblemInput(details={name: [_("One of: %(choices)s.") % {"choices": ", ".join(choices.values)}]})
    return value


def _text(value, name: str, *, limit: int = TEXT_MAX, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidProblemInput(details={name: [_("Must be a string.")]})
    value = value.strip()
    if required and not value:
        raise InvalidProblemInput(details={name: [_("This field is required.")]})
    if len(value) > limit:
        raise InvalidProblemInput(details={name: [_("At most %(n)s characters.") % {"n": limit}]})
    return value


def _team(value: str) -> str:
    if value not in TEAMS:
        raise InvalidProblemInput(details={"team": [_("One of: %(choices)s.") % {"choices": ", ".join(TEAMS)}]})
    return value


def lock_report(number: str) -> ProblemReport:
    """Lock the report's order (when it has one), then the report: the lock order of every write here."""
    order_id = ProblemReport.objects.filter(number=number).values_list("order_id", flat=True).first()
    if order_id is None and not ProblemReport.objects.filter(number=number).exists():
        raise ProblemNotFound(details={"number": number})
    order = None
    if order_id is not None:
        order = Order.objects.select_for_update(of=("self",)).get(pk=order_id)
    report = ProblemReport.objects.select_for_update(of=("self",)).get(number=number)
    report.order = order
    return report


def _audit(report: ProblemReport, action: str, *, actor: Actor, changes: dict | None = None, note: str = "",
           reason: str = "", data: dict | None = None, at: datetime | None = None) -> None:
    record(report.order, action, actor=actor, changes=changes, note=note, reason=reason[:200], at=at,
           data={"problem": report.number, **(data or {})})


def _move(report: ProblemReport, new: str) -> dict:
    check_transition(report.status, new)
    old, report.status = report.status, new
    return {"status": [old, new]}


def notify_critical(report: ProblemReport) -> None:
    """A critical report goes to its whole team as soon as it is raised."""
    notify_team(team=report.team, kind="problem_critical", order=report.order, link=report_link(report.number),
                title=_("Critical problem %(no)s: %(category)s") % {
                    "no": report.number, "category": report.get_category_display()},
                body=report.description[:1000], dedupe_key=f"problem:{report.pk}:critical")


def _require_order_scope(actor: Actor, order: Order) -> None:
    # The order number comes in the form/body, past the route's scope check (accounts/object_scope.py).
    from oms.accounts.actor import OutOfScope
    from oms.orders.selectors import scoped_orders

    if not scoped_orders(actor, Order.objects.filter(pk=order.pk)).exists():
        raise OutOfScope(_("This is outside the warehouses or channels you work in."),
                         details={"order_no": order.order_no})


@transaction.atomic
def raise_problem(*, actor: Actor, category: str, severity: str, description: str, order_no: str = "",
                  team: str = "", now: datetime | None = None) -> ProblemReport:
    """Report a problem on an order or, without one, as a system fault; critical ones notify the team at once."""
    require(actor, RAISE_PROBLEMS)
    category = _choice(category, Category, "category")
    severity = _choice(severity, Severity, "severity")
    description = _text(description, "description", limit=DESCRIPTION_MAX, required=True)
    team = _team(team) if team else default_team(category)
    order = None
    if order_no:
        order = Order.objects.select_for_update(of=("self",)).filter(order_no=order_no).first()
        if order is None:
            raise OrderNotFound(details={"order_no": order_no})
        _require_order_scope(actor, order)
    now = now or timezone.now()
    report = ProblemReport.objects.create(
        number=new_number(), order=order, category=category, severity=severity, description=description,
        raised_by_id=actor.user_id, raised_at=now, open_since=now, team=team)
    _audit(report, "problem_raised", actor=actor, at=now, note=description[:2000],
           changes={"problem_status": ["", ProblemStatus.OPEN]},
           data={"category": category, "severity": severity, "team": team})
    if severity == Severity.CRITICAL:
        notify_critical(report)
    return report


@transaction.atomic
def acknowledge(*, number: str, actor: Actor, now: datetime | None = None) -> ProblemReport:
    """Say someone is on it: escalation stops; the acknowledger becomes the owner when there is none."""
    require(actor, HANDLE_PROBLEMS)
    report = lock_report(number)
    now = now or timezone.now()
    changes = _move(report, ProblemStatus.ACKNOWLEDGED)
    report.acknowledged_at, report.acknowledged_by_id = now, actor.user_id
    if report.owner_id is None and actor.user_id is not None:
        report.owner_id = actor.user_id
        changes["owner"] = ["", actor.username]
    report.save()
    _audit(report, "problem_acknowledged", actor=actor, changes=changes, at=now,
           data={"minutes_to_acknowledge": int((now - report.open_since).total_seconds() // 60),
                 "escalation_level": report.escalation_level})
    return report


@transaction.atomic
def add_comment(*, number: str, body: str, actor: Actor, now: datetime | None = None) -> ProblemComment:
    """Add a comment to a report that is not closed."""
    require(actor, HANDLE_PROBLEMS)
    body = _text(body, "body", required=True)
    report = lock_report(number)
    if report.status == ProblemStatus.CLOSED:
        check_transition(report.status, ProblemStatus.CLOSED)  # raises: nothing more happens on a closed report
    now = now or timezone.now()
    comment = ProblemComment.objects.create(report=report, author_id=actor.user_id, author_username=actor.username,
                                            body=body, at=now)
    report.save(update_fields=["updated_at"])
    _audit(report, "problem_commented", actor=actor, note=body, at=now)
    return comment


def _handler(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or not user.has_perm(HANDLE_PROBLEMS):
        raise InvalidProblemInput(details={"owner": [_("No active user who handles problem reports has this name.")]})
    return user


@transaction.atomic
def assign_owner(*, number: str, owner_username: str, actor: Actor, note: str = "") -> ProblemReport:
    """Give the report to a person who handles problem reports ("" for nobody)."""
    require(actor, HANDLE_PROBLEMS)
    owner_username = _text(owner_username, "owner", limit=150)
    note = _text(note, "note")
    owner = _handler(owner_username) if owner_username else None
    report = lock_report(number)
    if report.status == ProblemStatus.CLOSED:
        check_transition(report.status, ProblemStatus.CLOSED)
    before = report.owner.username if report.owner_id else ""
    report.owner = owner
    report.save(update_fields=["owner", "updated_at"])
    _audit(report, "problem_assigned", actor=actor, note=note,
           changes={"owner": [before, owner.username if owner else ""]})
    return report


@transaction.atomic
def change_team(*, number: str, team: str, actor: Actor, note: str = "") -> ProblemReport:
    """Hand the report to another team (its supervisors receive later escalations)."""
    require(actor, HANDLE_PROBLEMS)
    team = _team(team)
    note = _text(note, "note")
    report = lock_report(number)
    if report.status == ProblemStatus.CLOSED:
        check_transition(report.status, ProblemStatus.CLOSED)
    before = report.team
    report.team = team
    report.save(update_fields=["team", "updated_at"])
    _audit(report, "problem_team_changed", actor=actor, note=note, changes={"team": [before, team]})
    if report.severity == Severity.CRITICAL and report.status == ProblemStatus.OPEN and before != team:
        notify_team(team=team, kind="problem_critical", order=report.order, link=report_link(report.number),
                    title=_("Critical problem %(no)s: %(category)s") % {
                        "no": report.number, "category": report.get_category_display()},
                    body=report.description[:1000], dedupe_key=f"problem:{report.pk}:critical:{team}")
    return report


@transaction.atomic
def resolve(*, number: str, resolution: str, actor: Actor, root_cause: str = "", step: str = "",
            now: datetime | None = None) -> ProblemReport:
    """Record what was done; root cause and process step may be given now or when closing."""
    require(actor, HANDLE_PROBLEMS)
    resolution = _text(resolution, "resolution", required=True)
    root_cause = _choice(root_cause, RootCause, "root_cause", required=False)
    step = _choice(step, ProcessStep, "step", required=False)
    report = lock_report(number)
    now = now or timezone.now()
    changes = _move(report, ProblemStatus.RESOLVED)
    for field, value in (("root_cause", root_cause), ("step", step)):
        if value and value != getattr(report, field):
            changes[field] = [getattr(report, field), value]
            setattr(report, field, value)
    report.resolution, report.resolved_at, report.resolved_by_id = resolution, now, actor.user_id
    report.save()
    _audit(report, "problem_resolved", actor=actor, changes=changes, note=resolution, at=now)
    return report


@transaction.atomic
def close(*, number: str, actor: Actor, root_cause: str = "", step: str = "", note: str = "",
          now: datetime | None = None) -> ProblemReport:
    """Close a resolved report; refused (422) without a root cause and the step where it arose."""
    require(actor, HANDLE_PROBLEMS)
    root_cause = _choice(root_cause, RootCause, "root_cause", required=False)
    step = _choice(step, ProcessStep, "step", required=False)
    note = _text(note, "note")
    report = lock_report(number)
    now = now or timezone.now()
    changes = _move(report, ProblemStatus.CLOSED)
    for field, value in (("root_cause", root_cause), ("step", step)):
        if value and value != getattr(report, field):
            changes[field] = [getattr(report, field), value]
            setattr(report, field, value)
    missing = [f for f in ("root_cause", "step") if not getattr(report, f)]
    if missing:
        raise RootCauseRequired(details={f: [_("This field is required.")] for f in missing})
    report.closed_at, report.closed_by_id = now, actor.user_id
    report.save()
    _audit(report, "problem_closed", actor=actor, changes=changes, note=note, at=now,
           data={"root_cause": report.root_cause, "step": report.step})
    return report


@transaction.atomic
def reopen(*, number: str, reason: str, actor: Actor, now: datetime | None = None) -> ProblemReport:
    """Reopen a resolved report that is not solved after all; its escalation starts again."""
    require(actor, HANDLE_PROBLEMS)
    reason = _text(reason, "reason", required=True)
    report = lock_report(number)
    now = now or timezone.now()
    changes = _move(report, ProblemStatus.OPEN)
    if report.escalation_level:
        changes["escalation_level"] = [report.escalation_level, EscalationLevel.NONE]
    report.open_since, report.reopen_count = now, report.reopen_count + 1
    report.escalation_level, report.escalated_at, report.escalated_to = EscalationLevel.NONE, None, ""
    report.acknowledged_at = report.acknowledged_by = report.resolved_at = report.resolved_by = None
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:  # a newer incident for the same burst is live
        raise IncidentAlreadyLive(details={"burst_source": report.burst_source,
                                           "burst_reason": report.burst_reason}) from exc
    _audit(report, "problem_reopened", actor=actor, changes=changes, note=reason, at=now)
    return report


def _minutes(value, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_RULE_MINUTES:
        raise ValidationFailed(details={name: [_("A whole number of minutes from 1 to %(max)s.") % {
            "max": MAX_RULE_MINUTES}]})
    return value


@transaction.atomic
def set_escalation_rule(*, severity: str, supervisor_minutes: int, operations_minutes: int,
                        actor: Actor) -> EscalationRule:
    """Set after how many unacknowledged minutes reports of a severity escalate (T1, then T2)."""
    require(actor, MANAGE_PROBLEM_RULES)
    severity = _choice(severity, Severity, "severity")
    t1 = _minutes(supervisor_minutes, "supervisor_minutes")
    t2 = _minutes(operations_minutes, "operations_minutes")
    if t2 <= t1:
        raise ValidationFailed(details={"operations_minutes": [
            _("Must be more than the minutes before the supervisor is told.")]})
    from oms.problems.escalation import escalation_minutes

    before = escalation_minutes()[severity]
    rule, _created = EscalationRule.objects.select_for_update().update_or_create(
        severity=severity, defaults={"supervisor_minutes": t1, "operations_minutes": t2,
                                     "updated_by_id": actor.user_id})
    record(None, "problem_escalation_rule_changed", actor=actor, data={"severity": severity},
           changes={"supervisor_minutes": [before[0], t1], "operations_minutes": [before[1], t2]})
    return rule


@transaction.atomic
def set_burst_rule(*, source: str, reason: str, threshold: int, window_minutes: int, enabled: bool,
                   actor: Actor) -> BurstRule:
    """Set how many of the same problem within how many minutes raise an incident (reason "" = each reason)."""
    require(actor, MANAGE_PROBLEM_RULES)
    source = _choice(source, BurstSource, "source")
    reason = _text(reason, "reason", limit=32)
    if not isinstance(threshold, int) or isinstance(threshold, bool) or not 2 <= threshold <= 100_000:
        raise ValidationFailed(details={"threshold": [_("A whole number from 2 to 100000.")]})
    window = _minutes(window_minutes, "window_minutes")
    if not isinstance(enabled, bool):
        raise ValidationFailed(details={"enabled": [_("true or false.")]})
    from oms.problems.bursts import effective_rules

    before = next(((r.threshold, r.window_minutes, r.enabled) for r in effective_rules()
                   if r.source == source and r.reason == reason), (None, None, None))
    rule, _created = BurstRule.objects.select_for_update().update_or_create(
        source=source, reason=reason, defaults={"threshold": threshold, "window_minutes": window,
                                                "enabled": enabled, "updated_by_id": actor.user_id})
    record(None, "problem_burst_rule_changed", actor=actor, data={"source": source, "reason": reason},
           changes={"threshold": [before[0], threshold], "window_minutes": [before[1], window],
                    "enabled": [before[2], enabled]})
    return rule
