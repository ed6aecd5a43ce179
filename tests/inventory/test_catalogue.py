"""Catalogue services: SKUs, warehouses and bins, validated by field and recorded in the audit trail."""

import pytest

from oms.audit.models import AuditEvent
from oms.core.errors import PermissionDenied, ValidationFailed
from oms.inventory import catalogue
from oms.inventory.catalogue import BinSpec, DuplicateCode, SkuFields, WarehouseFields
from oms.inventory.errors import UnknownSku, UnknownWarehouse
from oms.inventory.models import Bin, Sku, Warehouse

MUG = SkuFields(name="陶瓷马克杯", spec="白色/350ml", barcode="6901234567892", weight_g=380, length_mm=120,
                width_mm=90, height_mm=100, fragile=True, low_stock_threshold=5)


def test_creating_a_sku_stores_it_and_records_who_did_it(actor):
    sku = catalogue.create_sku(code=" MUG-WHITE-350 ", values=MUG, actor=actor("operations"))

    assert (sku.code, sku.name, sku.fragile, sku.low_stock_threshold) == ("MUG-WHITE-350", "陶瓷马克杯", True, 5)
    event = AuditEvent.objects.get(action="sku_created")
    assert event.order_id is None
    assert event.actor_username == "operations"
    assert event.data == {"sku": "MUG-WHITE-350"}
    assert event.changes["weight_g"] == [None, 380]


def test_every_bad_field_is_named_at_once_and_nothing_is_stored(actor):
    bad = SkuFields(name="  ", weight_g=-1, length_mm=99_999, barcode="690 123", fragile="yes")

    with pytest.raises(ValidationFailed) as err:
        catalogue.create_sku(code="has space", values=bad, actor=actor("operations"))

    assert set(err.value.details) == {"code", "name", "weight_g", "length_mm", "barcode", "fragile"}
    assert all(isinstance(m, str) for messages in err.value.details.values() for m in messages)
    assert not Sku.objects.exists()
    assert not AuditEvent.objects.exists()


def test_text_with_control_characters_is_refused_by_field(actor):
    with pytest.raises(ValidationFailed) as err:
        catalogue.create_sku(code="A1", values=SkuFields(name="杯\x00子"), actor=actor("operations"))
    assert list(err.value.details) == ["name"]


def test_a_taken_code_is_a_conflict_naming_the_code_field(actor):
    catalogue.create_sku(code="MUG", values=MUG, actor=actor("operations"))

    with pytest.raises(DuplicateCode) as err:
        catalogue.create_sku(code="MUG", values=MUG, actor=actor("operations"))

    assert err.value.http_status == 409
    assert "code" in err.value.details
    assert Sku.objects.count() == 1


def test_updating_records_only_what_changed(actor):
    catalogue.create_sku(code="MUG", values=MUG, actor=actor("operations"))

    sku = catalogue.update_sku(code="MUG", values=SkuFields(**{**MUG.__dict__, "weight_g": 400, "active": False}),
                               actor=actor("operations"))

    assert (sku.weight_g, sku.active) == (400, False)
    event = AuditEvent.objects.get(action="sku_updated")
    assert event.changes == {"weight_g": [380, 400], "active": [True, False]}
    assert event.data == {"sku": "MUG"}


def test_saving_a_sku_unchanged_records_nothing(actor):
    catalogue.create_sku(code="MUG", values=MUG, actor=actor("operations"))

    catalogue.update_sku(code="MUG", values=MUG, actor=actor("operations"))

    assert not AuditEvent.objects.filter(action="sku_updated").exists()


def test_updating_an_unknown_sku_says_so(actor):
    with pytest.raises(UnknownSku):
        catalogue.update_sku(code="NOPE", values=MUG, actor=actor("operations"))


@pytest.mark.parametrize("role", ["warehouse", "customer_service", "logistics", "admin"])
def test_only_catalogue_managers_may_change_the_catalogue(actor, role):
    with pytest.raises(PermissionDenied):
        catalogue.create_sku(code="MUG", values=MUG, actor=actor(role))
    with pytest.raises(PermissionDenied):
        catalogue.create_warehouse(code="hz", values=WarehouseFields(name="杭州仓", province="浙江", city="杭州市"),
                                   actor=actor(role))


def test_a_warehouse_stores_official_province_names_from_short_ones(actor):
    values = WarehouseFields(name="广州仓", province="广东", city="广州市", priority=20,
                             service_provinces=("广东", "广西壮族自治区", "海南", "广东省"))

    warehouse = catalogue.create_warehouse(code="gz", values=values, actor=actor("operations"))

    assert warehouse.province == "广东省"
    assert warehouse.service_provinces == ["广东省", "广西壮族自治区", "海南省"]
    assert warehouse.serves("广西") and not warehouse.serves("浙江省")
    event = AuditEvent.objects.get(action="warehouse_created")
    assert event.data == {"warehouse": "gz"}
    assert event.changes["service_provinces"] == [None, ["广东省", "广西壮族自治区", "海南省"]]


def test_warehouse_fields_are_checked_by_name(actor):
    values = WarehouseFields(name="", province="火星", city="", priority=40_000, service_provinces=("广东", "北极"))

    with pytest.raises(ValidationFailed) as err:
        catalogue.create_warehouse(code="杭州 仓", values=values, actor=actor("operations"))

    assert set(err.value.details) == {"code", "name", "province", "city", "priority", "service_provinces"}
    assert "北极" in err.value.details["service_provinces"][0]
    assert not Warehouse.objects.exists()


def test_updating_a_warehouse_keeps_its_code_and_records_the_change(actor):
    catalogue.create_warehouse(code="hz", values=WarehouseFields(name="杭州仓", province="浙江省", city="杭州市"),
                               actor=actor("operations"))

    warehouse = catalogue.update_warehouse(
        code="hz", values=WarehouseFields(name="杭州仓", province="浙江省", city="杭州市", priority=5,
                                          service_provinces=("浙江", "上海")),
        actor=actor("operations"))

    assert (warehouse.code, warehouse.priority, warehouse.service_provinces) == ("hz", 5, ["浙江省", "上海市"])
    assert AuditEvent.objects.get(action="warehouse_updated").changes == {
        "priority": [100, 5], "service_provinces": [[], ["浙江省", "上海市"]]}


def test_updating_an_unknown_warehouse_says_so(actor):
    with pytest.raises(UnknownWarehouse):
        catalogue.update_warehouse(code="nope", values=WarehouseFields(name="x", province="浙江", city="x"),
                                   actor=actor("operations"))


def test_a_block_of_bins_is_created_in_one_go_and_audited_once(warehouses, actor):
    specs = catalogue.bin_range(prefix="A-", aisles=(1, 2), bays=(1, 3), levels=(1, 2))

    created = catalogue.create_bins(warehouse_code="hz", bins=specs, actor=actor("operations"))

    assert len(created) == 12
    assert Bin.objects.filter(warehouse=warehouses["hz"]).count() == 12
    first = Bin.objects.get(code="A-01-01-01")
    assert (first.aisle, first.bay, first.level) == (1, 1, 1)
    event = AuditEvent.objects.get(action="bins_created")
    assert event.data["warehouse"] == "hz" and event.data["count"] == 12


def test_bins_that_exist_already_stop_the_whole_batch(warehouses, actor):
    catalogue.create_bins(warehouse_code="hz", bins=[BinSpec("A-01-01-01", 1, 1, 1)], actor=actor("operations"))

    specs = catalogue.bin_range(prefix="A-", aisles=(1, 1), bays=(1, 2), levels=(1, 1))
    with pytest.raises(DuplicateCode) as err:
        catalogue.create_bins(warehouse_code="hz", bins=specs, actor=actor("operations"))

    assert "A-01-01-01" in err.value.message
    assert Bin.objects.count() == 1


def test_the_same_bin_code_may_exist_in_another_warehouse(warehouses, actor):
    for code in ("hz", "gz"):
        catalogue.create_bins(warehouse_code=code, bins=[BinSpec("R-1")], actor=actor("operations"))
    assert Bin.objects.filter(code="R-1").count() == 2


def test_bad_bins_are_named_by_field(warehouses, actor):
    with pytest.raises(ValidationFailed) as err:
        catalogue.create_bins(warehouse_code="hz", bins=[BinSpec("", aisle=-1), BinSpec("X"), BinSpec("X")],
                              actor=actor("operations"))
    assert set(err.value.details) == {"code", "aisle"}


def test_a_range_too_large_or_backwards_is_refused_before_anything_is_built():
    with pytest.raises(ValidationFailed) as err:
        catalogue.bin_range(prefix="", aisles=(1, 999), bays=(1, 999), levels=(1, 999))
    assert "bins" in err.value.details
    with pytest.raises(ValidationFailed) as err:
        catalogue.bin_range(prefix="", aisles=(3, 1), bays=(1, 1), levels=(1, 1))
    assert "aisle" in err.value.details


def test_an_own_code_names_exactly_one_bin():
    assert catalogue.bin_range(prefix="", aisles=(0, 0), bays=(0, 0), levels=(0, 0), code="RETURNS") == [
        BinSpec("RETURNS", 0, 0, 0)]
    with pytest.raises(ValidationFailed):
        catalogue.bin_range(prefix="", aisles=(1, 2), bays=(1, 1), levels=(1, 1), code="RETURNS")


@pytest.mark.parametrize(("text", "name"), [
    ("广东", "广东省"), ("广东省", "广东省"), ("内蒙古", "内蒙古自治区"), ("北京", "北京市"),
    (" 新疆 ", "新疆维吾尔自治区"),
    ("广", None), ("", None), ("Guangdong", None),
])
def test_province_names_are_recognised_in_official_and_short_form(text, name):
    assert catalogue.province_name(text) == name
