"""Deadline rules per step (no database): hours, cut-off, weekends, holidays, make-up days, at-risk share."""

from datetime import date, datetime, time
from decimal import Decimal

from oms.timeliness.calendar import SHANGHAI, WorkingCalendar
from oms.timeliness.deadlines import Policy, ShipmentRule, State, Step, at_risk_at, due_at, state

CAL = WorkingCalendar(holidays=frozenset({date(2027, 1, 1)}), makeup_days=frozenset({date(2026, 12, 5)}))
CUTOFF = Policy(shipment_rule=ShipmentRule.CUTOFF, cutoff_time=time(16, 0))


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_paid_before_the_cutoff_on_a_working_day_ships_the_same_day():
    assert due_at(CUTOFF, CAL, Step.SHIPMENT, at(2026, 11, 24, 15, 59)) == at(2026, 11, 25, 0, 0)


def test_paid_at_or_after_the_cutoff_ships_by_the_end_of_the_next_working_day():
    assert due_at(CUTOFF, CAL, Step.SHIPMENT, at(2026, 11, 24, 16, 0)) == at(2026, 11, 26, 0, 0)


def test_paid_after_the_cutoff_on_friday_ships_by_the_end_of_monday():
    assert due_at(CUTOFF, CAL, Step.SHIPMENT, at(2026, 11, 27, 17, 0)) == at(2026, 12, 1, 0, 0)


def test_paid_on_a_sunday_morning_ships_by_the_end_of_monday():
    assert due_at(CUTOFF, CAL, Step.SHIPMENT, at(2026, 11, 29, 9, 0)) == at(2026, 12, 1, 0, 0)


def test_paid_after_the_cutoff_before_a_holiday_skips_the_holiday():
    # Thursday 31 December 2026 after 16:00; 1 January is a holiday, then a weekend.
    assert due_at(CUTOFF, CAL, Step.SHIPMENT, at(2026, 12, 31, 18, 0)) == at(2027, 1, 5, 0, 0)


def test_paid_before_the_cutoff_on_a_makeup_saturday_ships_that_saturday():
    assert due_at(CUTOFF, CAL, Step.SHIPMENT, at(2026, 12, 5, 10, 0)) == at(2026, 12, 6, 0, 0)


def test_forty_eight_hours_over_a_holiday_skip_it():
    # Wednesday noon: 12 hours Wednesday, 24 Thursday, New Year's Day off, the weekend off, 12 on Monday.
    policy = Policy(shipment_hours=48)
    assert due_at(policy, CAL, Step.SHIPMENT, at(2026, 12, 30, 12, 0)) == at(2027, 1, 4, 12, 0)
    assert due_at(policy, WorkingCalendar(), Step.SHIPMENT, at(2026, 12, 30, 12, 0)) == at(2027, 1, 1, 12, 0)


def test_review_minutes_refund_days_and_exception_hours_count_working_time():
    policy = Policy(review_minutes=30, refund_days=2, exception_response_hours=4)
    friday_evening = at(2026, 11, 27, 23, 50)
    assert due_at(policy, CAL, Step.REVIEW, friday_evening) == at(2026, 11, 30, 0, 20)
    assert due_at(policy, CAL, Step.REFUND, friday_evening) == at(2026, 12, 1, 23, 50)
    assert due_at(policy, CAL, Step.EXCEPTION_RESPONSE, friday_evening) == at(2026, 11, 30, 3, 50)


def test_at_risk_comes_when_three_quarters_of_the_working_time_are_used():
    start = at(2026, 11, 23, 9, 0)
    due = at(2026, 11, 25, 9, 0)
    assert at_risk_at(CAL, start, due, Decimal("0.75")) == at(2026, 11, 24, 21, 0)


def test_at_risk_over_a_weekend_counts_only_working_time():
    start, due = at(2026, 11, 27, 12, 0), at(2026, 11, 30, 12, 0)  # Friday noon → Monday noon: 24 working hours
    assert at_risk_at(CAL, start, due, Decimal("0.5")) == at(2026, 11, 28, 0, 0)


def test_states_follow_the_at_risk_and_due_moments():
    risk, due = at(2026, 11, 24, 21, 0), at(2026, 11, 25, 9, 0)
    assert state(now=at(2026, 11, 24, 20, 59), at_risk=risk, due=due, done=None) == State.ON_TIME
    assert state(now=risk, at_risk=risk, due=due, done=None) == State.AT_RISK
    assert state(now=due, at_risk=risk, due=due, done=None) == State.AT_RISK
    assert state(now=at(2026, 11, 25, 9, 1), at_risk=risk, due=due, done=None) == State.OVERDUE
    assert state(now=at(2026, 11, 25, 9, 1), at_risk=risk, due=due, done=risk) == State.DONE
