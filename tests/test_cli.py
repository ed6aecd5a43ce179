"""The `oms` command: helpful output, one-line errors, no tracebacks."""

import pytest

from oms.accounts.models import User
from oms.cli import main
from oms.orders.models import Order


def test_createuser_makes_an_account_with_its_role(db, capsys):
    assert main(["createuser", "alice", "--role", "finance", "--password", "s3cret-pass"]) == 0
    assert "created alice (finance)" in capsys.readouterr().out
    assert User.objects.get(username="alice").role_codes() == ("finance",)


def test_an_unknown_role_is_one_line_and_exit_2(db, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["createuser", "bob", "--role", "boss"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid choice" in err


def test_an_unknown_command_is_one_line_and_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.startswith("oms: error:")


def test_a_duplicate_user_is_one_line_and_exit_1(db, capsys, monkeypatch):
    monkeypatch.setenv("OMS_LANGUAGE", "en")
    main(["createuser", "carol", "--role", "warehouse"])
    assert main(["createuser", "carol", "--role", "warehouse"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists" in err and "Traceback" not in err


def test_token_prints_the_same_token_each_time(db, capsys):
    main(["createuser", "dave", "--role", "integration", "--no-password"])
    capsys.readouterr()
    main(["token", "dave"])
    first = capsys.readouterr().out.strip()
    main(["token", "dave"])
    assert capsys.readouterr().out.strip() == first and len(first) == 40


def test_token_for_an_unknown_user_fails_in_one_line(db, capsys):
    assert main(["token", "nobody"]) == 1
    assert capsys.readouterr().err.count("\n") == 1


def test_demo_loads_accounts_and_orders_once(db, capsys):
    assert main(["demo", "--orders", "30"]) == 0
    out = capsys.readouterr().out
    assert "demo-cs-2026" in out
    count = Order.objects.count()
    assert count >= 30
    statuses = set(Order.objects.values_list("status", flat=True))
    assert {"draft", "pending_payment", "pending_shipment", "on_hold", "cancelled"} <= statuses
    assert set(User.objects.values_list("username", flat=True)) >= {
        "cs", "cs2", "warehouse", "logistics", "finance", "ops", "admin", "shop"}

    assert main(["demo", "--orders", "30"]) == 0
    assert Order.objects.count() == count


def test_cli_messages_are_chinese_by_default(db, capsys, monkeypatch):
    monkeypatch.delenv("OMS_LANGUAGE", raising=False)
    main(["createuser", "erin", "--role", "warehouse"])
    assert main(["createuser", "erin", "--role", "warehouse"]) == 1
    assert "已存在" in capsys.readouterr().err
