"""`oms exceptions sweep` from the command line."""

from oms.cli import main
from oms.shipping.models import LogisticsException
from tests.shipping.exception_setup import hours_ago, network, shipped


def test_the_sweep_opens_the_tickets_due_and_says_how_many(db, capsys):
    network(no_update_hours=24)
    shipped(shipped_at=hours_ago(30))
    shipped(shipped_at=hours_ago(2))
    assert main(["exceptions", "sweep"]) == 0
    assert LogisticsException.objects.count() == 1
    assert "1" in capsys.readouterr().out
    assert main(["exceptions", "sweep"]) == 0
    assert LogisticsException.objects.count() == 1


def test_a_missing_subcommand_is_one_line_and_exit_2(capsys):
    import pytest

    with pytest.raises(SystemExit) as exit_:
        main(["exceptions"])
    assert exit_.value.code == 2 and len(capsys.readouterr().err.strip().splitlines()) == 1
