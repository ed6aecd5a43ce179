"""`oms import FILE --user USERNAME`."""

from oms.cli import main
from oms.orders.models import Order
from tests.orders.importing.import_builders import csv_bytes, order_rows, xlsx_bytes


def test_importing_a_clean_file_prints_a_summary_and_exits_0(tmp_path, users, capsys):
    path = tmp_path / "orders.xlsx"
    path.write_bytes(xlsx_bytes(order_rows("CLI1") + order_rows("CLI2")))

    code = main(["import", str(path), "--user", "customer_service", "--quiet"])

    out = capsys.readouterr()
    assert code == 0
    assert "2 orders in the file, 2 created, 0 already stored (skipped), 0 rejected" in out.out
    assert Order.objects.count() == 2


def test_rejected_rows_are_listed_with_row_and_column_and_the_exit_code_is_1(tmp_path, users, capsys):
    path = tmp_path / "orders.csv"
    bad = order_rows("BAD1", customer_phone="")
    for row in bad:
        row["quantity"] = "x"
    path.write_bytes(csv_bytes(order_rows("OK1") + bad))

    code = main(["import", str(path), "--user", "customer_service", "--quiet"])

    out = capsys.readouterr().out
    assert code == 1
    assert "1 created" in out and "1 rejected" in out
    assert "row 4, column customer_phone: " in out
    assert "row 4, column quantity: " in out and "row 5, column quantity: " in out


def test_the_progress_bar_goes_to_stderr(tmp_path, users, capsys):
    path = tmp_path / "orders.csv"
    path.write_bytes(csv_bytes(order_rows("PB1")))

    main(["import", str(path), "--user", "customer_service"])

    captured = capsys.readouterr()
    assert "1/1" in captured.err
    assert "1/1" not in captured.out


def test_reimporting_reports_the_orders_as_already_stored(tmp_path, users, capsys):
    path = tmp_path / "orders.csv"
    path.write_bytes(csv_bytes(order_rows("RE1")))
    main(["import", str(path), "--user", "customer_service", "--quiet"])

    code = main(["import", str(path), "--user", "customer_service", "--quiet"])

    assert code == 0
    assert "0 created, 1 already stored (skipped)" in capsys.readouterr().out


def test_a_missing_file_is_one_line_on_stderr_without_a_traceback(tmp_path, users, capsys):
    code = main(["import", str(tmp_path / "nope.csv"), "--user", "customer_service"])

    err = capsys.readouterr().err
    assert code != 0
    assert err.count("\n") == 1 and err.startswith("oms: error: ") and "nope.csv" in err
    assert "Traceback" not in err


def test_an_unknown_user_is_one_line_on_stderr(tmp_path, users, capsys):
    path = tmp_path / "orders.csv"
    path.write_bytes(csv_bytes(order_rows("U1")))

    code = main(["import", str(path), "--user", "nobody"])

    err = capsys.readouterr().err
    assert code != 0 and err.count("\n") == 1 and "nobody" in err


def test_a_user_without_the_import_permission_is_refused(tmp_path, users, capsys):
    path = tmp_path / "orders.csv"
    path.write_bytes(csv_bytes(order_rows("U2")))

    code = main(["import", str(path), "--user", "warehouse"])

    assert code != 0 and capsys.readouterr().err.startswith("oms: error: ")
    assert Order.objects.count() == 0


def test_a_file_with_missing_columns_is_one_line_naming_them(tmp_path, users, capsys):
    path = tmp_path / "orders.csv"
    path.write_bytes("渠道,外部订单号\r\ntaobao,1\r\n".encode())

    code = main(["import", str(path), "--user", "customer_service"])

    err = capsys.readouterr().err
    assert code != 0 and err.count("\n") == 1 and "客户电话" in err
