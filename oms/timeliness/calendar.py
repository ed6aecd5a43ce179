"""The working calendar as pure functions, in Asia/Shanghai (manual §5.2).

The clock of a deadline runs 24 hours a day on working days and stops on non-working days:
"ships within 48 hours" paid on Friday 10:00 is due on Tuesday 10:00 after a plain weekend.
A day is a working day when it is a working weekday and not a holiday, or when it is a make-up
working day (调休, a Saturday or Sunday worked in place of a holiday). Times passed in may be in any
zone; results are in Asia/Shanghai. A deadline that ends exactly at the end of a working day is
"24:00" of that day, which is 00:00 of the next day: the last counted moment is on the working day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
MON_TO_FRI = frozenset(range(5))  # date.weekday(): Monday is 0
DAY = timedelta(days=1)
# A calendar without working days would loop for ever; ten years of days off is a mistake, not a calendar.
MAX_DAYS = 3660


class NoWorkingDays(ValueError):
    """The calendar has no working day within MAX_DAYS of the start."""


@dataclass(frozen=True)
class WorkingCalendar:
    working_weekdays: frozenset[int] = MON_TO_FRI
    holidays: frozenset[date] = field(default_factory=frozenset)
    makeup_days: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_days:
            return True
        return day.weekday() in self.working_weekdays and day not in self.holidays


def local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(SHANGHAI)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=SHANGHAI)


def end_of_day(day: date) -> datetime:
    """24:00 of the day (00:00 of the next)."""
    return start_of_day(day + DAY)


def next_working_day(cal: WorkingCalendar, day: date) -> date:
    """The first working day strictly after `day`."""
    for n in range(1, MAX_DAYS + 1):
        candidate = day + timedelta(days=n)
        if cal.is_working_day(candidate):
            return candidate
    raise NoWorkingDays(day)


def working_day_on_or_after(cal: WorkingCalendar, day: date) -> date:
    return day if cal.is_working_day(day) else next_working_day(cal, day)


def end_of_working_day(cal: WorkingCalendar, moment: datetime) -> datetime:
    """The end of the working day `moment` falls on, or of the next working day when it falls on a day off."""
    return end_of_day(working_day_on_or_after(cal, local(moment).date()))


def add_working_time(cal: WorkingCalendar, start: datetime, amount: timedelta) -> datetime:
    """`start` plus `amount` of working time: time on non-working days does not count."""
    if amount < timedelta(0):
        raise ValueError("negative amount")
    current = local(start)
    day = current.date()
    if not cal.is_working_day(day):
        day = next_working_day(cal, day)
        current = start_of_day(day)
    remaining = amount
    for _ in range(MAX_DAYS):
        available = end_of_day(day) - current
        if remaining <= available:
            return current + remaining
        remaining -= available
        day = next_working_day(cal, day)
        current = start_of_day(day)
    raise NoWorkingDays(day)


def add_working_hours(cal: WorkingCalendar, start: datetime, hours: float) -> datetime:
    return add_working_time(cal, start, timedelta(hours=hours))


def working_time_between(cal: WorkingCalendar, start: datetime, end: datetime) -> timedelta:
    """How much working time lies between two moments (zero when end is not after start)."""
    start, end = local(start), local(end)
    if end <= start:
        return timedelta(0)
    total = timedelta(0)
    day = start.date()
    while start_of_day(day) < end:
        if cal.is_working_day(day):
            lo = max(start, start_of_day(day))
            hi = min(end, end_of_day(day))
            if hi > lo:
                total += hi - lo
        day += DAY
    return total
