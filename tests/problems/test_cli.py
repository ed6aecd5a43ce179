"""`oms problems escalate|detect-bursts` from the command line."""

from datetime import timedelta

import pytest
from django.utils import timezone

from oms.cli import main
from oms.problems import services
from oms.problems.models import ProblemReport
from tests.problems.problem_setup import held


def test_escalate_raises_the_levels_due_and_says_how_many(db, actor, capsys):
    services.raise_problem(actor=actor("customer_service"), category="other", severity="major", description="x",
                           now=timezone.now() - timedelta(minutes=90))
    assert main(["problems", "escalate"]) == 0
    assert capsys.readouterr().out.strip() == "escalated=1"
    assert main(["problems", "escalate"]) == 0
    assert capsys.readouterr().out.strip() == "escalated=0"


def test_detect_bursts_raises_one_incident_and_names_it(db, capsys):
    held(20, "unknown_sku")
    assert main(["problems", "detect-bursts"]) == 0
    number = ProblemReport.objects.get(is_incident=True).number
    assert capsys.readouterr().out.strip() == f"incidents=1 {number}"
    assert main(["problems", "detect-bursts"]) == 0
    assert capsys.readouterr().out.strip() == "incidents=0"


def test_a_missing_subcommand_is_one_line_and_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["problems"])
    assert exit_.value.code == 2 and len(capsys.readouterr().err.strip().splitlines()) == 1
