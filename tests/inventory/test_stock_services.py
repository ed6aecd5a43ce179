import pytest
from django.db import IntegrityError, transaction

from oms.core.errors import PermissionDenied
from oms.inventory import services
from oms.inventory.errors import InvalidQuantity, ReasonRequired, StockWouldGoNegative, UnknownSku
from oms.inventory.models import MovementKind, StockLevel, StockMovement
from oms.inventory.verification import verify_stock


def test_a_receipt_adds_to_on_hand_and_writes_one_ledger_row(warehouses, sku, actor):
    level = services.receive_stock(sku_code=sku.code, warehouse_code="hz", quantity=12, actor=actor("warehouse"),
                                   reference="PO-1")

    assert (level.on_hand, level.reserved, level.available) == (12, 0, 12)
    move = StockMovement.objects.get()
    assert (move.kind, move.on_hand_delta, move.on_hand_after, move.reference, move.actor_username) == (
        MovementKind.RECEIPT, 12, 12, "PO-1", "warehouse")


def test_an_adjustment_without_a_reason_is_refused_and_changes_nothing(warehouses, sku, actor):
    services.receive_stock(sku_code=sku.code, warehouse_code="hz", quantity=5, actor=actor("warehouse"))

    with pytest.raises(ReasonRequired):
        services.adjust_stock(sku_code=sku.code, warehouse_code="hz", delta=-1, reason="  ", actor=actor("warehouse"))

    assert StockLevel.objects.get().on_hand == 5
    assert StockMovement.objects.count() == 1


def test_an_adjustment_with_a_reason_is_in_the_ledger(warehouses, sku, actor):
    services.receive_stock(sku_code=sku.code, warehouse_code="hz", quantity=5, actor=actor("warehouse"))

    level = services.adjust_stock(sku_code=sku.code, warehouse_code="hz", delta=-2, reason="盘点差异",
                                  actor=actor("warehouse"))

    assert level.on_hand == 3
    assert StockMovement.objects.last().reason == "盘点差异"


def test_stock_cannot_be_adjusted_below_what_is_reserved(warehouses, sku, actor):
    services.receive_stock(sku_code=sku.code, warehouse_code="hz", quantity=5, actor=actor("warehouse"))
    StockLevel.objects.update(reserved=4)  # as if orders held four

    with pytest.raises(StockWouldGoNegative):
        services.adjust_stock(sku_code=sku.code, warehouse_code="hz", delta=-2, reason="破损", actor=actor("warehouse"))


def test_the_database_refuses_reserving_more_than_is_on_hand(warehouses, sku, actor):
    services.receive_stock(sku_code=sku.code, warehouse_code="hz", quantity=1, actor=actor("warehouse"))

    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.update(reserved=2)


@pytest.mark.parametrize("quantity", [0, -3, True])
def test_a_receipt_of_no_or_negative_units_is_refused(warehouses, sku, actor, quantity):
    with pytest.raises(InvalidQuantity):
        services.receive_stock(sku_code=sku.code, warehouse_code="hz", quantity=quantity, actor=actor("warehouse"))


def test_an_unknown_sku_is_named_in_the_error(warehouses, actor):
    with pytest.raises(UnknownSku) as err:
        services.receive_stock(sku_code="NOPE", warehouse_code="hz", quantity=1, actor=actor("warehouse"))
    assert err.value.details == {"sku": "NOPE"}


def test_customer_service_may_not_receive_stock(warehouses, sku, actor):
    with pytest.raises(PermissionDenied):
        services.receive_stock(sku_code=sku.code, warehouse_code="hz", quantity=1, actor=actor("customer_service"))


def test_ledger_rows_are_never_edited(warehouses, sku, actor):
    services.receive_stock(sku_code=sku.code, warehouse_code="hz", quantity=1, actor=actor("warehouse"))

    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 - the database's own refusal
        StockMovement.objects.update(on_hand_delta=100)
    assert StockMovement.objects.get().on_hand_delta == 1


def test_verify_finds_the_ledger_and_levels_in_agreement_and_spots_a_tampered_level(warehouses, sku, actor):
    services.receive_stock(sku_code=sku.code, warehouse_code="hz", quantity=7, actor=actor("warehouse"))
    services.adjust_stock(sku_code=sku.code, warehouse_code="hz", delta=-1, reason="破损", actor=actor("warehouse"))
    assert verify_stock().ok

    StockLevel.objects.update(on_hand=9)  # a change that bypassed the services

    report = verify_stock()
    assert [(m.what, m.level, m.expected) for m in report.mismatches] == [("on_hand", 9, 6)]


def test_stock_cannot_be_received_into_a_switched_off_warehouse(warehouses, sku, actor):
    from oms.inventory.errors import WarehouseInactive

    warehouses["gz"].active = False
    warehouses["gz"].save()

    with pytest.raises(WarehouseInactive):
        services.receive_stock(sku_code=sku.code, warehouse_code="gz", quantity=1, actor=actor("warehouse"))


def test_a_warehouse_serves_provinces_by_their_names_not_by_a_shared_first_character(warehouses):
    from oms.inventory.models import Warehouse

    south = Warehouse(code="s", name="s", province="广东省", city="广州市", service_provinces=["广东"])

    assert south.serves("广东省") and south.serves("广东")
    assert not south.serves("广西壮族自治区") and not south.serves("广")
    assert Warehouse(code="n", name="n", province="北京", city="北京", service_provinces=[]).serves("广西")
