"""`oms timeliness sweep` runs the minutely job by hand and prints what it did on one line."""

from datetime import timedelta

import pytest
from django.utils import timezone

from oms.cli import main
from oms.timeliness.models import Deadline

pytestmark = pytest.mark.django_db


def test_the_sweep_command_opens_deadlines_and_reports_counts(paid_order, capsys):
    paid_order(timezone.now() - timedelta(minutes=5))

    assert main(["timeliness", "sweep"]) == 0

    out = capsys.readouterr().out.strip()
    assert out.startswith("opened=") and Deadline.objects.filter(step="shipment").count() == 1
    assert int(out.split()[0].split("=")[1]) >= 1
