"""Escalation (manual §5.4): reports nobody acknowledged go to the team's supervisor, then to operations.

A periodic sweep (every minute, tasks.py; `oms problems escalate` by hand) takes the open reports
that are due in short batches with SKIP LOCKED: a report someone is acknowledging, or another
sweep is escalating, is left alone. The level is raised and the notices written in the same
transaction, and every notice carries a dedupe key, so two sweeps at once send each notice once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.actor import Actor
from oms.accounts.models import User
from oms.accounts.roles import OPERATIONS
from oms.audit.services import record
from oms.inbox.services import notify_team, notify_user
from oms.problems.models import EscalationRule, ProblemReport
from oms.problems.services import report_link
from oms.problems.status import DEFAULT_ESCALATION_MINUTES, EscalationLevel, ProblemStatus, Severity, due_level

SUPERVISOR = "supervisor"
TO_OPERATIONS = "operations"


def escalation_minutes() -> dict[str, tuple[int, int]]:
    """(T1, T2) per severity: the back office's rule, else the default."""
    minutes = dict(DEFAULT_ESCALATION_MINUTES)
    for rule in EscalationRule.objects.all():
        minutes[rule.severity] = (rule.supervisor_minutes, rule.operations_minutes)
    return minutes


def dedupe_key(report: ProblemReport, level: int) -> str:
    # A reopened report escalates again: its later rounds get keys of their own.
    round_ = f":reopen{report.reopen_count}" if report.reopen_count else ""
    return f"problem:{report.pk}{round_}:level{level}"


def supervisors_of(team: str) -> list[User]:
    return list(User.objects.filter(team=team, is_supervisor=True, is_active=True).order_by("pk"))


def _notify(report: ProblemReport, level: int, minutes: int) -> str:
    """Write the level's notices; to whom they went ("supervisor" or "operations")."""
    key = dedupe_key(report, level)
    link = report_link(report.number)
    body = report.description[:1000]
    if level == EscalationLevel.SUPERVISOR:
        title = _("Problem %(no)s (%(severity)s) not acknowledged for %(min)s minutes") % {
            "no": report.number, "severity": report.get_severity_display(), "min": minutes}
        people = supervisors_of(report.team)
        if people:
            for i, person in enumerate(people):
                # The first supervisor's notice carries the plain key; each further one its own.
                notify_user(user=person, kind="problem_escalated", title=title, body=body, order=report.order,
                            link=link, dedupe_key=key if i == 0 else f"{key}:u{person.pk}")
            return SUPERVISOR
        notify_team(team=OPERATIONS, kind="problem_escalated", title=title, body=body, order=report.order,
                    link=link, dedupe_key=key)
        return TO_OPERATIONS
    title = _("Problem %(no)s (%(severity)s) still not acknowledged after %(min)s minutes") % {
        "no": report.number, "severity": report.get_severity_display(), "min": minutes}
    notify_team(team=OPERATIONS, kind="problem_escalated", title=title, body=body, order=report.order, link=link,
                dedupe_key=key)
    return TO_OPERATIONS


def _due_filter(minutes: dict[str, tuple[int, int]], now: datetime) -> Q:
    q = Q(pk__in=[])
    for severity in Severity.values:
        t1, t2 = minutes[severity]
        q |= Q(severity=severity, escalation_level=EscalationLevel.NONE, open_since__lte=now - timedelta(minutes=t1))
        q |= Q(severity=severity, escalation_level__lt=EscalationLevel.OPERATIONS,
               open_since__lte=now - timedelta(minutes=t2))
    return q


def escalate_due(*, now: datetime | None = None, batch_size: int = 200) -> int:
    """Escalate every open report past its severity's T1 or T2; returns how many levels were raised."""
    now = now or timezone.now()
    minutes = escalation_minutes()
    total = 0
    while True:
        raised, seen = _escalate_batch(now=now, minutes=minutes, batch_size=batch_size)
        total += raised
        if seen < batch_size:
            return total


@transaction.atomic
def _escalate_batch(*, now: datetime, minutes: dict[str, tuple[int, int]], batch_size: int) -> tuple[int, int]:
    reports = list(ProblemReport.objects.filter(_due_filter(minutes, now), status=ProblemStatus.OPEN)
                   .select_for_update(skip_locked=True, of=("self",)).select_related("order").order_by("id")
                   [:batch_size])
    actor = Actor.system()
    raised = 0
    for report in reports:
        t1, t2 = minutes[report.severity]
        open_minutes = int((now - report.open_since).total_seconds() // 60)
        target = due_level(status=report.status, level=report.escalation_level, minutes_open=open_minutes,
                           t1=t1, t2=t2)
        if target <= report.escalation_level:
            continue
        before = report.escalation_level
        for level in range(before + 1, target + 1):  # a missed level is still told, in order
            report.escalated_to = _notify(report, level, open_minutes)
        report.escalation_level, report.escalated_at = target, now
        report.save(update_fields=["escalation_level", "escalated_at", "escalated_to", "updated_at"])
        record(report.order, "problem_escalated", actor=actor, at=now,
               changes={"escalation_level": [before, target]},
               data={"problem": report.number, "to": report.escalated_to, "minutes_open": open_minutes,
                     "team": report.team})
        raised += target - before
    return raised, len(reports)
