"""Properties of the working calendar's pure functions (no database)."""

from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from oms.timeliness.calendar import (
    SHANGHAI,
    WorkingCalendar,
    add_working_hours,
    add_working_time,
    end_of_working_day,
    next_working_day,
    working_time_between,
)

NATIONAL_DAY = frozenset(date(2026, 10, d) for d in range(1, 8))
MAKEUP = frozenset({date(2026, 9, 27), date(2026, 10, 10)})  # a Sunday and a Saturday worked
CAL = WorkingCalendar(holidays=NATIONAL_DAY, makeup_days=MAKEUP)

moments = st.datetimes(min_value=datetime(2026, 9, 1), max_value=datetime(2026, 12, 31),
                       timezones=st.just(SHANGHAI))
amounts = st.integers(min_value=0, max_value=24 * 60 * 20).map(lambda m: timedelta(minutes=m))
calendars = st.builds(
    WorkingCalendar,
    working_weekdays=st.frozensets(st.integers(0, 6), min_size=1),
    holidays=st.frozensets(st.dates(date(2026, 9, 1), date(2027, 3, 1)), max_size=30),
    makeup_days=st.frozensets(st.dates(date(2026, 9, 1), date(2027, 3, 1)), max_size=5),
)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@given(calendars, moments, amounts, amounts)
def test_adding_more_working_time_never_ends_earlier(cal, start, a, b):
    small, big = sorted((a, b))
    assert add_working_time(cal, start, small) <= add_working_time(cal, start, big)


@given(calendars, moments, amounts)
def test_the_result_is_never_before_the_start_and_its_last_counted_moment_is_on_a_working_day(cal, start, amount):
    end = add_working_time(cal, start, amount)
    assert end >= start
    if amount > timedelta(0):
        assert cal.is_working_day((end - timedelta(microseconds=1)).astimezone(SHANGHAI).date())


@given(calendars, moments, amounts)
def test_the_working_time_between_start_and_result_is_the_amount_added(cal, start, amount):
    assert working_time_between(cal, start, add_working_time(cal, start, amount)) == amount


@given(calendars, moments, amounts, amounts)
def test_adding_in_two_steps_equals_adding_at_once(cal, start, a, b):
    assert add_working_time(cal, add_working_time(cal, start, a), b) == add_working_time(cal, start, a + b)


@given(calendars, moments)
def test_the_next_working_day_is_later_and_a_working_day(cal, start):
    day = next_working_day(cal, start.date())
    assert day > start.date() and cal.is_working_day(day)


@given(calendars, moments)
def test_the_end_of_the_working_day_is_midnight_after_a_working_day(cal, start):
    end = end_of_working_day(cal, start)
    assert end > start and (end.hour, end.minute, end.second) == (0, 0, 0)
    assert cal.is_working_day((end - timedelta(seconds=1)).date())


def test_forty_eight_hours_from_friday_morning_skip_the_weekend():
    assert add_working_hours(CAL, at(2026, 11, 27, 10, 0), 48) == at(2026, 12, 1, 10, 0)


def test_time_paid_on_a_saturday_starts_counting_on_monday_at_midnight():
    assert add_working_hours(CAL, at(2026, 11, 28, 15, 0), 2) == at(2026, 11, 30, 2, 0)


def test_national_day_holidays_do_not_count_and_the_makeup_saturday_does():
    # Wednesday 30 September 20:00 + 10 hours: 4 hours that day, then 1–7 October are off
    # (the 3rd and 4th a weekend anyway); Thursday 8th is a working day.
    assert add_working_hours(CAL, at(2026, 9, 30, 20, 0), 10) == at(2026, 10, 8, 6, 0)
    # Friday 9 October 22:00 + 4 hours: 2 hours Friday, Saturday the 10th is a make-up working day.
    assert add_working_hours(CAL, at(2026, 10, 9, 22, 0), 4) == at(2026, 10, 10, 2, 0)


def test_other_zones_are_read_as_the_same_instant_and_answered_in_shanghai_time():
    utc_start = datetime(2026, 11, 27, 2, 0, tzinfo=SHANGHAI).astimezone(datetime.now().astimezone().tzinfo)
    assert add_working_hours(CAL, utc_start, 1) == at(2026, 11, 27, 3, 0)
