"""Reading the calendar and the deadline policies from the database into the pure rules' shapes."""

from __future__ import annotations

from oms.timeliness.calendar import WorkingCalendar
from oms.timeliness.deadlines import Policy
from oms.timeliness.models import CalendarDay, DayKind, DeadlinePolicy, WorkingWeek

POLICY_FIELDS = ("review_minutes", "shipment_rule", "shipment_hours", "cutoff_time", "refund_days",
                 "exception_response_hours", "at_risk_fraction")


def load_calendar() -> WorkingCalendar:
    """The working calendar as entered by operations (Monday to Friday when nothing is entered)."""
    week = WorkingWeek.objects.order_by("pk").values_list("weekdays", flat=True).first()
    weekdays = frozenset(int(c) for c in week) if week is not None else WorkingCalendar().working_weekdays
    holidays, makeup = set(), set()
    for day, kind in CalendarDay.objects.values_list("day", "kind"):
        (holidays if kind == DayKind.HOLIDAY else makeup).add(day)
    return WorkingCalendar(working_weekdays=weekdays, holidays=frozenset(holidays), makeup_days=frozenset(makeup))


def policy_of(row: DeadlinePolicy) -> Policy:
    return Policy(**{f: getattr(row, f) for f in POLICY_FIELDS})


class Policies:
    """Each channel's policy, falling back to the default row (or the built-in defaults)."""

    def __init__(self) -> None:
        self.default = Policy()
        self.by_channel: dict[int, Policy] = {}
        for row in DeadlinePolicy.objects.all():
            if row.is_default:
                self.default = policy_of(row)
            else:
                self.by_channel[row.channel_id] = policy_of(row)

    def for_channel(self, channel_id: int) -> Policy:
        return self.by_channel.get(channel_id, self.default)
