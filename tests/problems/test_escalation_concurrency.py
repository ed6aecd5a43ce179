"""Two escalation sweeps at once (two workers, separate connections) send each notice exactly once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from oms.accounts.actor import Actor
from oms.audit.models import AuditEvent
from oms.inbox.models import Notice
from oms.problems import services
from oms.problems.escalation import escalate_due
from oms.problems.models import ProblemReport
from tests.concurrency import run_concurrently
from tests.problems.problem_setup import person

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_sweeps_at_once_escalate_each_report_once_with_one_notice_per_level():
    clerk = person("clerk", "customer_service")
    person("wh-boss", "warehouse", supervisor=True)
    t0 = timezone.now() - timedelta(hours=5)
    reports = [services.raise_problem(actor=Actor.of(clerk), category="stock_discrepancy", severity="major",
                                      description=f"少货 {i}", now=t0) for i in range(6)]

    raised = run_concurrently(2, lambda i: escalate_due(batch_size=2))

    assert sum(raised) == 12  # six reports, two levels each
    for report in reports:
        assert ProblemReport.objects.get(pk=report.pk).escalation_level == 2
        keys = sorted(Notice.objects.filter(dedupe_key__startswith=f"problem:{report.pk}:")
                      .values_list("dedupe_key", flat=True))
        assert keys == [f"problem:{report.pk}:level1", f"problem:{report.pk}:level2"]
        assert AuditEvent.objects.filter(action="problem_escalated", data__problem=report.number).count() == 1
