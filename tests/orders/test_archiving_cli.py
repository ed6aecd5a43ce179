"""`oms orders archive [--dry-run] [--older-than-days N]` and the nightly job."""

import pytest

from oms.cli import main
from oms.orders.models import Order
from oms.orders.tasks import archive_finished_orders
from tests.orders.test_archiving import make_order

pytestmark = pytest.mark.django_db


def test_dry_run_counts_and_archives_nothing(capsys):
    make_order(completed_days_ago=200)

    assert main(["orders", "archive", "--dry-run"]) == 0

    assert capsys.readouterr().out.strip() == "would archive 1 orders"
    assert not Order.objects.filter(archived_at__isnull=False).exists()


def test_archive_command_archives_with_its_own_age_limit(capsys):
    make_order(completed_days_ago=20)
    make_order(completed_days_ago=5)

    assert main(["orders", "archive", "--older-than-days", "10"]) == 0

    assert capsys.readouterr().out.startswith("archived 1 orders in 1 batches")
    assert Order.objects.filter(archived_at__isnull=False).count() == 1


def test_a_negative_age_is_one_line_on_stderr_and_exit_1(capsys):
    assert main(["orders", "archive", "--older-than-days", "-1"]) == 1

    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("oms: error:") and "older_than_days" in err[0]


def test_the_nightly_job_archives_by_the_setting(settings):
    settings.OMS_ARCHIVE_AFTER_DAYS = 90
    old, recent = make_order(completed_days_ago=100), make_order(completed_days_ago=80)

    archive_finished_orders.call_local()

    assert Order.objects.get(pk=old.pk).archived_at is not None
    assert Order.objects.get(pk=recent.pk).archived_at is None
