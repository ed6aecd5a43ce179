"""Write actions of the back office: deadlines per channel and the working calendar.

Each is one transaction with one audit event, and recomputes the open deadlines in the same
transaction, so lists never show due times from the old rules.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.accounts.actor import Actor, require
from oms.accounts.roles import MANAGE_DEADLINES
from oms.audit.services import record
from oms.channels.models import Channel
from oms.core.errors import NotFound, ValidationFailed
from oms.timeliness.models import CalendarDay, DayKind, DeadlinePolicy, WorkingWeek
from oms.timeliness.rules_source import POLICY_FIELDS
from oms.timeliness.sweep import recompute_open

MAX_BULK_DAYS = 400


class UnknownChannel(NotFound):
    code = "channel_not_found"
    default_message = gettext_lazy("There is no channel with this code.")


def _locked_policy(channel_code: str | None) -> DeadlinePolicy:
    if not channel_code:
        DeadlinePolicy.objects.get_or_create(is_default=True, channel=None)
        return DeadlinePolicy.objects.select_for_update().get(is_default=True)
    channel = Channel.objects.filter(code=channel_code).first()
    if channel is None:
        raise UnknownChannel(details={"channel": channel_code})
    DeadlinePolicy.objects.get_or_create(channel=channel, defaults={"is_default": False})
    return DeadlinePolicy.objects.select_for_update().get(channel=channel)


@transaction.atomic
def set_policy(*, channel_code: str | None, values: dict, actor: Actor) -> DeadlinePolicy:
    """Set a channel's deadlines (no channel: the default row) and recompute open deadlines."""
    require(actor, MANAGE_DEADLINES)
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationFailed(details={f: [_("Unknown field.")] for f in sorted(unknown)})
    policy = _locked_policy(channel_code)
    before = {f: getattr(policy, f) for f in POLICY_FIELDS}
    for name, value in values.items():
        setattr(policy, name, value)
    try:
        policy.full_clean(exclude=["channel", "is_default"])
    except ValidationError as exc:
        raise ValidationFailed(details=exc.message_dict) from exc
    policy.save()
    after = {f: getattr(policy, f) for f in POLICY_FIELDS}
    changes = {f: [before[f], after[f]] for f in POLICY_FIELDS if str(before[f]) != str(after[f])}
    record(None, "deadline_policy_changed", actor=actor, changes=changes,
           data={"channel": channel_code or "default"})
    recompute_open()
    return policy


@transaction.atomic
def set_working_weekdays(*, weekdays: list[int], actor: Actor) -> WorkingWeek:
    """Choose which weekdays are working days (0 Monday … 6 Sunday) and recompute open deadlines."""
    require(actor, MANAGE_DEADLINES)
    if not weekdays or any(not isinstance(d, int) or not 0 <= d <= 6 for d in weekdays):
        raise ValidationFailed(details={"weekdays": [_("Choose at least one weekday.")]})
    WorkingWeek.objects.get_or_create(pk=1)
    week = WorkingWeek.objects.select_for_update().get(pk=1)
    before, week.weekdays = week.weekdays, "".join(str(d) for d in sorted(set(weekdays)))
    week.save()
    record(None, "working_week_changed", actor=actor, changes={"weekdays": [before, week.weekdays]})
    recompute_open()
    return week


def parse_dates(text: str) -> list[date]:
    """One date per line (YYYY-MM-DD, anything after the date is ignored); blank lines skipped."""
    days, bad = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        token = line.strip().split(" ")[0].split("\t")[0] if line.strip() else ""
        if not token:
            continue
        try:
            days.append(date.fromisoformat(token))
        except ValueError:
            bad.append(_("Line %(n)s: %(text)r is not a date like 2026-10-01.") % {"n": number, "text": token[:20]})
    if bad:
        raise ValidationFailed(details={"dates": bad})
    if len(days) > MAX_BULK_DAYS:
        raise ValidationFailed(details={"dates": [_("At most %(n)s dates at once.") % {"n": MAX_BULK_DAYS}]})
    return sorted(set(days))


@transaction.atomic
def add_calendar_days(*, days: list[date], kind: str, note: str = "", actor: Actor) -> int:
    """Enter holidays or make-up working days (an existing entry for a date is replaced); recompute."""
    require(actor, MANAGE_DEADLINES)
    if kind not in DayKind.values:
        raise ValidationFailed(details={"kind": [_("Unknown kind of day.")]})
    if not days:
        raise ValidationFailed(details={"dates": [_("Enter at least one date.")]})
    existing = {d.day: d for d in CalendarDay.objects.select_for_update().filter(day__in=days).order_by("day")}
    for day in days:
        if day in existing:
            CalendarDay.objects.filter(pk=existing[day].pk).update(kind=kind, note=note[:100])
        else:
            CalendarDay.objects.create(day=day, kind=kind, note=note[:100])
    record(None, "calendar_days_entered", actor=actor,
           data={"kind": kind, "dates": [d.isoformat() for d in days], "note": note[:100]})
    recompute_open()
    return len(days)


@transaction.atomic
def remove_calendar_day(*, day: date, actor: Actor) -> None:
    """Remove a holiday or make-up day (the date follows the working week again); recompute."""
    require(actor, MANAGE_DEADLINES)
    entry = CalendarDay.objects.select_for_update().filter(day=day).first()
    if entry is None:
        raise NotFound(details={"date": day.isoformat()})
    entry.delete()
    record(None, "calendar_day_removed", actor=actor, data={"date": day.isoformat(), "kind": entry.kind})
    recompute_open()
