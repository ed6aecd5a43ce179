"""Escalation over time (now passed in): the team's supervisors after T1, operations after T2, each once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from oms.inbox.models import Notice
from oms.problems import services
from oms.problems.escalation import escalate_due
from oms.problems.models import ProblemReport
from tests.problems.problem_setup import order, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def raised(actor):
    def make(severity="major", category="stock_discrepancy", at=None):
        return services.raise_problem(actor=actor("customer_service"), category=category, severity=severity,
                                      description="少货", order_no=order().order_no, now=at or timezone.now())
    return make


def test_a_major_report_goes_to_the_supervisors_after_an_hour_then_to_operations_each_once(raised, users):
    boss = person("wh-boss", "warehouse", supervisor=True)
    boss2 = person("wh-boss2", "warehouse", supervisor=True)
    person("wh-clerk", "warehouse")
    person("cs-boss", "customer_service", supervisor=True)
    t0 = timezone.now()
    report = raised(at=t0)

    assert escalate_due(now=t0 + timedelta(minutes=59)) == 0
    assert escalate_due(now=t0 + timedelta(minutes=60)) == 1
    report.refresh_from_db()
    assert report.escalation_level == 1 and report.escalated_to == "supervisor"
    level1 = Notice.objects.filter(kind="problem_escalated")
    assert sorted(n.recipient.username for n in level1) == ["wh-boss", "wh-boss2"]
    assert level1.get(recipient=boss).dedupe_key == f"problem:{report.pk}:level1"
    assert level1.get(recipient=boss2).dedupe_key == f"problem:{report.pk}:level1:u{boss2.pk}"

    assert escalate_due(now=t0 + timedelta(minutes=120)) == 0  # nothing new before T2
    assert escalate_due(now=t0 + timedelta(minutes=240)) == 1
    assert escalate_due(now=t0 + timedelta(minutes=300)) == 0
    report.refresh_from_db()
    assert report.escalation_level == 2 and report.escalated_to == "operations"
    ops = Notice.objects.filter(team="operations", kind="problem_escalated")
    assert [n.dedupe_key for n in ops] == [f"problem:{report.pk}:level2"]
    assert Notice.objects.filter(kind="problem_escalated").count() == 3
    events = report.order.events.filter(action="problem_escalated").order_by("id")
    assert [e.changes["escalation_level"] for e in events] == [[0, 1], [1, 2]]


def test_without_a_supervisor_level_one_goes_to_operations(raised, users):
    t0 = timezone.now()
    report = raised(at=t0)
    escalate_due(now=t0 + timedelta(minutes=61))
    report.refresh_from_db()
    assert report.escalated_to == "operations"
    notice = Notice.objects.get(kind="problem_escalated")
    assert notice.team == "operations" and notice.dedupe_key == f"problem:{report.pk}:level1"


def test_an_acknowledged_report_does_not_escalate(raised, actor):
    t0 = timezone.now()
    report = raised(at=t0)
    services.acknowledge(number=report.number, actor=actor("warehouse"), now=t0 + timedelta(minutes=30))
    assert escalate_due(now=t0 + timedelta(days=2)) == 0
    assert not Notice.objects.filter(kind="problem_escalated").exists()


def test_a_sweep_that_missed_t1_still_tells_the_supervisor_before_operations(raised, users):
    person("wh-boss", "warehouse", supervisor=True)
    t0 = timezone.now()
    report = raised(at=t0)
    assert escalate_due(now=t0 + timedelta(hours=5)) == 2
    keys = sorted(Notice.objects.values_list("dedupe_key", flat=True))
    assert keys == [f"problem:{report.pk}:level1", f"problem:{report.pk}:level2"]


def test_critical_reports_escalate_sooner_and_rules_from_the_back_office_apply(raised, actor):
    t0 = timezone.now()
    critical = raised(severity="critical", at=t0)
    minor = raised(severity="minor", at=t0)
    escalate_due(now=t0 + timedelta(minutes=15))
    assert ProblemReport.objects.get(pk=critical.pk).escalation_level == 1
    assert ProblemReport.objects.get(pk=minor.pk).escalation_level == 0
    services.set_escalation_rule(severity="minor", supervisor_minutes=10, operations_minutes=20,
                                 actor=actor("operations"))
    escalate_due(now=t0 + timedelta(minutes=20))
    assert ProblemReport.objects.get(pk=minor.pk).escalation_level == 2


def test_a_reopened_report_escalates_again_with_new_keys(raised, actor, users):
    t0 = timezone.now()
    report = raised(at=t0)
    escalate_due(now=t0 + timedelta(minutes=61))
    services.acknowledge(number=report.number, actor=actor("warehouse"), now=t0 + timedelta(minutes=70))
    services.resolve(number=report.number, resolution="x", actor=actor("warehouse"))
    report = services.reopen(number=report.number, reason="not fixed", actor=actor("customer_service"))
    assert escalate_due(now=report.open_since + timedelta(minutes=61)) == 1
    assert Notice.objects.filter(dedupe_key=f"problem:{report.pk}:reopen1:level1").exists()
