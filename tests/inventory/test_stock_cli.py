from oms.cli import main
from oms.inventory.models import StockLevel


def test_stock_can_be_received_adjusted_and_verified_from_the_command_line(warehouses, sku, users, capsys):
    assert main(["stock", "receive", sku.code, "hz", "20", "--user", "warehouse", "--reference", "PO-9"]) == 0
    assert main(["stock", "adjust", sku.code, "hz", "-3", "--reason", "盘点差异", "--user", "warehouse"]) == 0
    assert main(["stock", "verify"]) == 0

    out = capsys.readouterr().out
    assert StockLevel.objects.get().on_hand == 17
    assert out.strip().splitlines()[-1].startswith("1 ")


def test_verify_exits_1_and_names_the_level_that_disagrees_with_the_ledger(warehouses, sku, users, capsys):
    main(["stock", "receive", sku.code, "hz", "5", "--user", "warehouse"])
    StockLevel.objects.update(on_hand=6)

    assert main(["stock", "verify"]) == 1
    assert "TSHIRT-RED-M" in capsys.readouterr().out


def test_a_bad_stock_command_ends_with_one_line_and_no_traceback(warehouses, sku, users, capsys):
    assert main(["stock", "adjust", sku.code, "hz", "-3", "--reason", " ", "--user", "warehouse"]) == 1
    assert main(["stock", "receive", "NOPE", "hz", "1", "--user", "warehouse"]) == 1
    assert main(["stock", "receive", sku.code, "hz", "1", "--user", "nobody"]) == 1

    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("oms: error:") for line in err)
    assert "Traceback" not in "".join(err)
