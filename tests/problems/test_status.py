"""The problem report vocabulary as pure rules: the transition table, escalation levels, the review tables."""

from datetime import UTC, date, datetime

import pytest

from oms.problems.selectors import months_between, tabulate
from oms.problems.status import (
    TRANSITIONS,
    BurstSource,
    Category,
    InvalidProblemTransition,
    ProblemStatus,
    check_transition,
    default_team,
    due_level,
    incident_category,
)

S = ProblemStatus


@pytest.mark.parametrize(("current", "new"), [(S.OPEN, S.ACKNOWLEDGED), (S.ACKNOWLEDGED, S.RESOLVED),
                                              (S.RESOLVED, S.CLOSED), (S.RESOLVED, S.OPEN)])
def test_the_table_allows_the_lifecycle_and_reopening_from_resolved(current, new):
    check_transition(current, new)


@pytest.mark.parametrize(("current", "new"), [(S.OPEN, S.RESOLVED), (S.OPEN, S.CLOSED), (S.ACKNOWLEDGED, S.CLOSED),
                                              (S.CLOSED, S.OPEN), (S.ACKNOWLEDGED, S.OPEN), (S.CLOSED, S.RESOLVED)])
def test_the_table_refuses_skipping_steps_and_anything_after_closing(current, new):
    with pytest.raises(InvalidProblemTransition) as caught:
        check_transition(current, new)
    assert caught.value.http_status == 409 and caught.value.details == {"from": current, "to": new}


def test_every_status_has_a_row_and_closed_is_final():
    assert set(TRANSITIONS) == set(ProblemStatus.values)
    assert TRANSITIONS[S.CLOSED] == set()


def test_an_open_report_escalates_to_the_supervisor_at_t1_and_to_operations_at_t2():
    levels = [due_level(status=S.OPEN, level=0, minutes_open=m, t1=60, t2=240) for m in (0, 59, 60, 239, 240, 9999)]
    assert levels == [0, 0, 1, 1, 2, 2]


def test_an_acknowledged_report_does_not_escalate_and_a_level_never_goes_down():
    assert due_level(status=S.ACKNOWLEDGED, level=0, minutes_open=9999, t1=60, t2=240) == 0
    assert due_level(status=S.OPEN, level=2, minutes_open=1, t1=60, t2=240) == 2


def test_each_category_has_an_owning_team_and_system_faults_go_to_the_administrators():
    assert default_team(Category.SYSTEM_FAULT) == "admin"
    assert default_team(Category.CARRIER_EXCEPTION) == "logistics"
    assert default_team(Category.STOCK_DISCREPANCY) == "warehouse"
    assert all(default_team(c) for c in Category.values)


def test_incidents_take_their_category_from_the_burst_source_and_reason():
    assert incident_category(BurstSource.CARRIER_EXCEPTION, "lost") == Category.CARRIER_EXCEPTION
    assert incident_category(BurstSource.ORDER_HOLD, "address_invalid") == Category.ADDRESS_PHONE
    assert incident_category(BurstSource.ORDER_HOLD, "out_of_stock") == Category.STOCK_DISCREPANCY
    assert incident_category(BurstSource.ORDER_HOLD, "blacklisted") == Category.OTHER


def test_months_between_spans_a_new_year():
    assert months_between(date(2025, 11, 1), date(2026, 2, 1)) == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_the_review_counts_by_shanghai_month_and_ignores_months_outside_the_period():
    rows = [
        (datetime(2026, 1, 31, 17, 0, tzinfo=UTC), "carrier", "shipping"),  # 2026-02-01 01:00 in Shanghai
        (datetime(2026, 1, 15, tzinfo=UTC), "carrier", "tracking"),
        (datetime(2026, 1, 16, tzinfo=UTC), "data_entry", "intake"),
        (datetime(2025, 6, 1, tzinfo=UTC), "carrier", "shipping"),  # outside
    ]
    review = tabulate(rows, ["2026-01", "2026-02"])
    assert review.total == 3
    assert review.by_cause["carrier"]["2026-01"] == 1 and review.by_cause["carrier"]["2026-02"] == 1
    assert review.by_step["intake"]["2026-01"] == 1
    assert review.cause_step["carrier"]["shipping"] == 1 and review.cause_step["carrier"]["tracking"] == 1
    assert review.by_cause["buyer"]["2026-01"] == 0
