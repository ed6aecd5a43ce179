"""Two burst sweeps at once (separate connections) raise one incident for one burst."""

import pytest

from oms.inbox.models import Notice
from oms.problems.bursts import detect_bursts
from oms.problems.models import ProblemReport
from tests.concurrency import run_concurrently
from tests.problems.problem_setup import held

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_sweeps_at_once_raise_one_incident_and_one_notice_per_team():
    held(20, "address_invalid")

    raised = run_concurrently(2, lambda i: len(detect_bursts()))

    assert sorted(raised) == [0, 1]
    assert ProblemReport.objects.filter(is_incident=True).count() == 1
    assert Notice.objects.filter(kind="problem_incident").count() == 2
