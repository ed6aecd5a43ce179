"""Deadline rules as pure functions: when a step is due, when it becomes at risk, and its state now.

Every allowance counts working time (see calendar.py): review within X minutes, shipment within
N hours, refund within N days (N × 24 working hours after approval), first response to a logistics
exception within N hours. Shipment may use a cut-off instead: paid before the cut-off time on a
working day ships that day (due at the end of the day); otherwise by the end of the next working day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.accounts.roles import CUSTOMER_SERVICE, FINANCE, LOGISTICS, WAREHOUSE
from oms.timeliness.calendar import (
    WorkingCalendar,
    add_working_time,
    end_of_day,
    local,
    next_working_day,
    working_time_between,
)


class Step(models.TextChoices):
    REVIEW = "review", _("Review")
    SHIPMENT = "shipment", _("Shipment")
    REFUND = "refund", _("Refund")
    EXCEPTION_RESPONSE = "exception_response", _("Exception response")


class ShipmentRule(models.TextChoices):
    HOURS = "hours", _("Within N hours of payment")
    CUTOFF = "cutoff", _("Cut-off time: paid before it on a working day ships the same day")


# The team that owns each step: its queue, its notices.
STEP_TEAM = {
    Step.REVIEW: CUSTOMER_SERVICE,
    Step.SHIPMENT: WAREHOUSE,
    Step.REFUND: FINANCE,
    Step.EXCEPTION_RESPONSE: LOGISTICS,
}
TEAM_STEP = {team: step for step, team in STEP_TEAM.items()}


class State:
    ON_TIME = "on_time"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"
    DONE = "done"


@dataclass(frozen=True)
class Policy:
    review_minutes: int = 120
    shipment_rule: str = ShipmentRule.HOURS
    shipment_hours: int = 48
    cutoff_time: time = time(16, 0)
    refund_days: int = 3
    exception_response_hours: int = 24
    at_risk_fraction: Decimal = Decimal("0.75")


def due_at(policy: Policy, cal: WorkingCalendar, step: str, started: datetime) -> datetime:
    """When the step must be done, for a step that started at `started`."""
    if step == Step.REVIEW:
        return add_working_time(cal, started, timedelta(minutes=policy.review_minutes))
    if step == Step.SHIPMENT:
        if policy.shipment_rule == ShipmentRule.CUTOFF:
            return cutoff_due(cal, started, policy.cutoff_time)
        return add_working_time(cal, started, timedelta(hours=policy.shipment_hours))
    if step == Step.REFUND:
        return add_working_time(cal, started, timedelta(days=policy.refund_days))
    if step == Step.EXCEPTION_RESPONSE:
        return add_working_time(cal, started, timedelta(hours=policy.exception_response_hours))
    raise ValueError(step)


def cutoff_due(cal: WorkingCalendar, paid: datetime, cutoff: time) -> datetime:
    """Paid before the cut-off on a working day: the end of that day; otherwise the end of the next working day."""
    moment = local(paid)
    day = moment.date()
    if cal.is_working_day(day) and moment.time() < cutoff:
        return end_of_day(day)
    return end_of_day(next_working_day(cal, day))


def at_risk_at(cal: WorkingCalendar, started: datetime, due: datetime, fraction: Decimal) -> datetime:
    """The moment `fraction` of the allowed working time is used."""
    allowed = working_time_between(cal, started, due)
    used = timedelta(seconds=round(allowed.total_seconds() * float(fraction)))
    return add_working_time(cal, started, used)


def state(*, now: datetime, at_risk: datetime, due: datetime, done: datetime | None) -> str:
    """Done, overdue (past due), at risk (past the at-risk moment) or on time."""
    if done is not None:
        return State.DONE
    if now > due:
        return State.OVERDUE
    if now >= at_risk:
        return State.AT_RISK
    return State.ON_TIME
