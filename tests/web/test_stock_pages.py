"""Stock pages: levels with filters and low-stock marks, the ledger, receipts and adjustments,
the SKU catalogue with its files, warehouses with bins, platform SKU mappings."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from oms.accounts.actor import Actor
from oms.channels.models import ChannelSkuMapping
from oms.inventory import services
from oms.inventory.catalogue import SkuFields, WarehouseFields, create_sku, create_warehouse
from oms.inventory.models import Bin, Sku, StockLevel, StockMovement, Warehouse
from oms.inventory.sku_files import export_skus


@pytest.fixture
def stock(users):
    """Two warehouses; a T-shirt well stocked in Hangzhou, a mug low in Hangzhou and out in Guangzhou."""
    ops = Actor.of(users["operations"])
    places = (("hz", "杭州仓", "浙江", "杭州市", 10), ("gz", "广州仓", "广东", "广州市", 20))
    for code, name, province, city, priority in places:
        create_warehouse(code=code, values=WarehouseFields(name=name, province=province, city=city, priority=priority),
                         actor=ops)
    create_sku(code="TSHIRT-RED-M", values=SkuFields(name="纯棉T恤", spec="红色/M", low_stock_threshold=5), actor=ops)
    create_sku(code="MUG-WHITE-350", values=SkuFields(name="陶瓷马克杯", spec="白色/350ml", low_stock_threshold=5),
               actor=ops)
    create_sku(code="OLD-CAP", values=SkuFields(name="旧款帽子", active=False), actor=ops)
    services.receive_stock(sku_code="TSHIRT-RED-M", warehouse_code="hz", quantity=100, actor=ops, reference="PO-1")
    services.receive_stock(sku_code="MUG-WHITE-350", warehouse_code="hz", quantity=4, actor=ops)
    services.receive_stock(sku_code="MUG-WHITE-350", warehouse_code="gz", quantity=1, actor=ops)
    services.adjust_stock(sku_code="MUG-WHITE-350", warehouse_code="gz", delta=-1, reason="破损", actor=ops)
    services.receive_stock(sku_code="OLD-CAP", warehouse_code="gz", quantity=50, actor=ops)
    return ops


def rows(response) -> list[tuple[str, str]]:
    return [(lv.sku.code, lv.warehouse.code) for lv in response.context["page"]]


# --- permissions -------------------------------------------------------------------------------------

PAGES = ["/stock/", "/stock/MUG-WHITE-350/movements/", "/stock/receive/", "/stock/adjust/", "/skus/", "/skus/new/",
         "/skus/import/", "/skus/export.csv", "/skus/mappings/", "/skus/MUG-WHITE-350/edit/", "/warehouses/",
         "/warehouses/new/", "/warehouses/hz/"]
ALLOWED = {
    "customer_service": {"/stock/", "/stock/MUG-WHITE-350/movements/", "/skus/", "/skus/export.csv"},
    "warehouse": {"/stock/", "/stock/MUG-WHITE-350/movements/", "/stock/receive/", "/stock/adjust/", "/skus/",
                  "/skus/export.csv"},
    "finance": set(),
    "admin": set(),
    "operations": set(PAGES),
}


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_each_role_opens_exactly_the_stock_pages_its_permissions_allow(stock, client_for, role):
    client = client_for(role)
    for url in PAGES:
        code = client.get(url).status_code
        assert code == (200 if url in ALLOWED[role] else 403), f"{role} {url}: {code}"


def test_signed_out_visitors_are_sent_to_the_login_page(stock, client):
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_navigation_offers_stock_skus_and_warehouses_by_permission(stock, client_for):
    def labels(role):
        return [str(item["label"]) for item in client_for(role).get("/stock/").context["nav_items"]]

    assert {"Stock", "SKUs", "Warehouses"} <= set(labels("operations"))
    assert {"Stock", "SKUs"} <= set(labels("warehouse")) and "Warehouses" not in labels("warehouse")
    assert not {"Stock", "SKUs", "Warehouses"} & set(str(i["label"]) for i in
                                                     client_for("admin").get("/").context.get("nav_items", []))


def test_posting_without_the_permission_changes_nothing(stock, client_for):
    client = client_for("customer_service")
    assert client.post("/stock/receive/", {"sku": "MUG-WHITE-350", "warehouse": "hz", "quantity": 5}).status_code == 403
    assert client.post("/skus/new/", {"code": "NEW", "name": "新"}).status_code == 403
    assert StockLevel.objects.get(sku__code="MUG-WHITE-350", warehouse__code="hz").on_hand == 4
    assert not Sku.objects.filter(code="NEW").exists()


# --- stock levels ----------------------------------------------------------------------------------------

def test_stock_levels_show_every_number_and_mark_low_stock(stock, client_for):
    response = client_for("warehouse").get("/stock/")

    assert rows(response) == [("MUG-WHITE-350", "hz"), ("MUG-WHITE-350", "gz"), ("OLD-CAP", "gz"),
                              ("TSHIRT-RED-M", "hz")]
    low = {(lv.sku.code, lv.warehouse.code): lv.low for lv in response.context["page"]}
    assert low == {("MUG-WHITE-350", "hz"): True, ("MUG-WHITE-350", "gz"): True, ("OLD-CAP", "gz"): False,
                   ("TSHIRT-RED-M", "hz"): False}
    body = response.content.decode()
    assert body.count('class="low-stock"') == 2
    assert "out of stock" in body and "low ≤ 5" in body
    totals = response.context["totals"]
    assert (totals.levels, totals.on_hand, totals.reserved, totals.available) == (4, 154, 0, 154)


def test_reserved_units_lower_what_is_available(stock, client_for):
    StockLevel.objects.filter(sku__code="TSHIRT-RED-M").update(reserved=96)  # as if orders held 96

    response = client_for("warehouse").get("/stock/?q=TSHIRT")

    level = response.context["page"][0]
    assert (level.on_hand, level.reserved, level.available_units, level.low) == (100, 96, 4, True)


@pytest.mark.parametrize(("query", "expected"), [
    ("warehouse=gz", [("MUG-WHITE-350", "gz"), ("OLD-CAP", "gz")]),
    ("q=马克杯", [("MUG-WHITE-350", "hz"), ("MUG-WHITE-350", "gz")]),
    ("q=tshirt", [("TSHIRT-RED-M", "hz")]),
    ("low=on&active=on", [("MUG-WHITE-350", "hz"), ("MUG-WHITE-350", "gz")]),
    ("active=on&warehouse=gz", [("MUG-WHITE-350", "gz")]),
    ("warehouse=nowhere", [("MUG-WHITE-350", "hz"), ("MUG-WHITE-350", "gz"), ("OLD-CAP", "gz"),
                           ("TSHIRT-RED-M", "hz")]),
])
def test_stock_levels_filter_by_warehouse_search_low_and_active(stock, client_for, query, expected):
    assert rows(client_for("warehouse").get(f"/stock/?{query}")) == expected


def test_stock_levels_are_paged_and_totals_count_every_page(stock, client_for, monkeypatch):
    monkeypatch.setattr("oms.web.views.stock.PAGE_SIZE", 2)

    response = client_for("warehouse").get("/stock/?page=2")

    assert rows(response) == [("OLD-CAP", "gz"), ("TSHIRT-RED-M", "hz")]
    assert response.context["totals"].on_hand == 154
    assert "page 2 of 2" in response.content.decode()


def test_the_filter_answers_htmx_with_the_results_alone(stock, client_for):
    response = client_for("warehouse").get("/stock/?warehouse=hz", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="stock-results"') and "<html" not in body


# --- movements ----------------------------------------------------------------------------------------------

def test_the_ledger_of_a_sku_shows_each_movement_newest_first(stock, client_for):
    response = client_for("warehouse").get("/stock/MUG-WHITE-350/movements/")

    moves = list(response.context["page"])
    assert [(m.kind, m.warehouse.code, m.on_hand_delta, m.on_hand_after) for m in moves] == [
        ("adjustment", "gz", -1, 0), ("receipt", "gz", 1, 1), ("receipt", "hz", 4, 4)]
    body = response.content.decode()
    assert "破损" in body and "operations" in body and "-1" in body


def test_the_ledger_filters_by_warehouse_and_kind(stock, client_for):
    client = client_for("warehouse")
    assert len(client.get("/stock/MUG-WHITE-350/movements/?warehouse=gz").context["page"]) == 2
    assert [m.kind for m in client.get("/stock/MUG-WHITE-350/movements/?kind=receipt").context["page"]] == [
        "receipt", "receipt"]


def test_an_order_in_the_ledger_links_to_the_order_for_those_who_may_see_orders(stock, client_for, push_order,
                                                                                 order_payload):
    order = push_order(order_payload())
    StockMovement.objects.create(sku=Sku.objects.get(code="TSHIRT-RED-M"), warehouse=Warehouse.objects.get(code="hz"),
                                 kind="reservation", reserved_delta=0, on_hand_after=100, reserved_after=0,
                                 order=order, actor_username="system")

    body = client_for("warehouse").get("/stock/TSHIRT-RED-M/movements/").content.decode()

    assert f'href="/orders/{order.order_no}/"' in body


def test_an_unknown_sku_has_no_ledger(stock, client_for):
    response = client_for("warehouse").get("/stock/NOPE/movements/")
    assert response.status_code == 404 and "NOPE" in response.content.decode()


# --- receipts and adjustments -------------------------------------------------------------------------------

def test_receiving_stock_adds_units_and_shows_the_ledger(stock, client_for):
    response = client_for("warehouse").post("/stock/receive/", {
        "sku": "MUG-WHITE-350", "warehouse": "hz", "quantity": "20", "reference": "PO-9", "note": ""})

    assert response.status_code == 302
    assert response["Location"] == "/stock/MUG-WHITE-350/movements/?warehouse=hz"
    assert StockLevel.objects.get(sku__code="MUG-WHITE-350", warehouse__code="hz").on_hand == 24
    assert StockMovement.objects.filter(reference="PO-9", actor_username="warehouse").count() == 1


def test_the_receipt_form_is_prefilled_from_the_stock_list_and_shows_the_level(stock, client_for):
    response = client_for("warehouse").get("/stock/receive/?sku=MUG-WHITE-350&warehouse=hz")
    assert response.context["form"]["sku"].value() == "MUG-WHITE-350"
    assert response.context["level"].on_hand == 4


@pytest.mark.parametrize(("data", "field", "words"), [
    ({"sku": "NOPE", "warehouse": "hz", "quantity": "1"}, "sku", "No SKU has this code"),
    ({"sku": "MUG-WHITE-350", "warehouse": "hz", "quantity": "0"}, "quantity", "above zero"),
    ({"sku": "MUG-WHITE-350", "warehouse": "hz", "quantity": "many"}, "quantity", "whole number"),
    ({"sku": "MUG-WHITE-350", "warehouse": "mars", "quantity": "1"}, "warehouse", "valid choice"),
])
def test_receipt_errors_are_shown_next_to_their_field(stock, client_for, data, field, words):
    response = client_for("warehouse").post("/stock/receive/", data)

    assert response.status_code in (400, 404)
    assert any(words in e for e in response.context["form"].errors[field])
    assert words in html.unescape(response.content.decode())
    assert StockLevel.objects.get(sku__code="MUG-WHITE-350", warehouse__code="hz").on_hand == 4


def test_the_adjustment_form_says_a_reason_is_required(stock, client_for):
    body = client_for("warehouse").get("/stock/adjust/").content.decode()
    assert "Required: why the count changes" in body


def test_an_adjustment_without_a_reason_shows_the_services_message(stock, client_for):
    response = client_for("warehouse").post("/stock/adjust/", {
        "sku": "TSHIRT-RED-M", "warehouse": "hz", "delta": "-3", "reason": "  "})

    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == ["A stock adjustment needs a reason."]
    assert StockLevel.objects.get(sku__code="TSHIRT-RED-M").on_hand == 100


def test_an_adjustment_below_what_is_reserved_is_shown_above_the_form(stock, client_for):
    StockLevel.objects.filter(sku__code="TSHIRT-RED-M").update(reserved=98)

    response = client_for("warehouse").post("/stock/adjust/", {
        "sku": "TSHIRT-RED-M", "warehouse": "hz", "delta": "-5", "reason": "盘点"})

    assert response.status_code == 422
    assert "less stock on hand than is reserved" in response.context["form"].non_field_errors()[0]
    assert 'class="alert alert-error"' in response.content.decode()


def test_an_adjustment_with_a_reason_is_saved(stock, client_for):
    response = client_for("warehouse").post("/stock/adjust/", {
        "sku": "TSHIRT-RED-M", "warehouse": "hz", "delta": "-3", "reason": "盘点差异"})

    assert response.status_code == 302
    assert StockLevel.objects.get(sku__code="TSHIRT-RED-M").on_hand == 97
    assert StockMovement.objects.filter(reason="盘点差异", on_hand_delta=-3).exists()


# --- SKUs -------------------------------------------------------------------------------------------------------

def test_the_sku_list_shows_totals_and_filters(stock, client_for):
    client = client_for("customer_service")
    page = client.get("/skus/").context["page"]
    assert [(s.code, s.on_hand_total, s.available_total) for s in page] == [
        ("MUG-WHITE-350", 4, 4), ("OLD-CAP", 50, 50), ("TSHIRT-RED-M", 100, 100)]
    assert [s.code for s in client.get("/skus/?active=no").context["page"]] == ["OLD-CAP"]
    assert [s.code for s in client.get("/skus/?q=T恤").context["page"]] == ["TSHIRT-RED-M"]
    body = client.get("/skus/").content.decode()
    assert "/skus/export.xlsx" in body and "/skus/new/" not in body  # may look, may not change


def test_creating_a_sku_from_the_form(stock, client_for):
    response = client_for("operations").post("/skus/new/", {
        "code": "BAG-CANVAS", "name": "帆布包", "spec": "米色", "barcode": "", "weight_g": "450", "length_mm": "",
        "width_mm": "", "height_mm": "", "low_stock_threshold": "3", "fragile": "", "active": "on"})

    assert response.status_code == 302
    bag = Sku.objects.get(code="BAG-CANVAS")
    assert (bag.weight_g, bag.length_mm, bag.low_stock_threshold, bag.active, bag.fragile) == (450, 0, 3, True, False)


def test_sku_form_errors_come_from_the_service_next_to_their_fields(stock, client_for):
    response = client_for("operations").post("/skus/new/", {
        "code": "MUG-WHITE-350", "name": "又一个", "weight_g": "-4"})

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "weight_g" in errors
    assert Sku.objects.get(code="MUG-WHITE-350").name == "陶瓷马克杯"

    response = client_for("operations").post("/skus/new/", {"code": "MUG-WHITE-350", "name": "又一个"})
    assert response.status_code == 409
    assert response.context["form"].errors["code"] == ["A SKU with this code exists already."]


def test_editing_a_sku_keeps_its_code(stock, client_for):
    client = client_for("operations")
    assert client.get("/skus/MUG-WHITE-350/edit/").context["form"]["name"].value() == "陶瓷马克杯"

    response = client.post("/skus/MUG-WHITE-350/edit/", {
        "code": "HACKED", "name": "陶瓷马克杯", "spec": "白色/350ml", "weight_g": "380", "low_stock_threshold": "2",
        "fragile": "on", "active": "on"})

    assert response.status_code == 302
    mug = Sku.objects.get(code="MUG-WHITE-350")
    assert (mug.weight_g, mug.fragile, mug.low_stock_threshold) == (380, True, 2)
    assert not Sku.objects.filter(code="HACKED").exists()


def test_a_sku_code_with_a_slash_has_working_pages(stock, client_for):
    create_sku(code="CUP/RED", values=SkuFields(name="红杯"), actor=stock)
    client = client_for("operations")
    assert client.get("/stock/CUP/RED/movements/").status_code == 200
    assert client.get("/skus/CUP/RED/edit/").status_code == 200


def test_importing_skus_from_the_page_reports_created_and_bad_rows(stock, client_for):
    content = "SKU编码,商品名称,重量(克)\nBAG-CANVAS,帆布包,450\nBAG-BAD,坏包,很重\n".encode()

    response = client_for("operations").post("/skus/import/", {
        "file": SimpleUploadedFile("skus.csv", content, content_type="text/csv")})

    assert response.status_code == 200
    report = response.context["report"]
    assert report.created == ["BAG-CANVAS"]
    body = html.unescape(response.content.decode())
    assert '<td class="num">3</td><td>重量(克)</td>' in body
    assert Sku.objects.filter(code="BAG-CANVAS").exists() and not Sku.objects.filter(code="BAG-BAD").exists()


def test_an_unreadable_sku_file_shows_its_message(stock, client_for):
    response = client_for("operations").post("/skus/import/", {
        "file": SimpleUploadedFile("skus.pdf", b"%PDF", content_type="application/pdf")})
    assert response.status_code == 400
    assert 'class="alert alert-error"' in response.content.decode()


def test_exports_download_as_attachments(stock, client_for):
    client = client_for("customer_service")
    csv = client.get("/skus/export.csv?lang=en")
    assert csv["Content-Type"].startswith("text/csv")
    assert csv["Content-Disposition"].startswith('attachment; filename="skus-')
    assert csv.content == export_skus(fmt="csv", lang="en")
    xlsx = client.get("/skus/export.xlsx?template=1")
    assert xlsx.content[:2] == b"PK" and 'sku-import-template.xlsx' in xlsx["Content-Disposition"]
    assert client.get("/skus/export.pdf").status_code == 404


def test_the_import_page_links_the_files_to_start_from(stock, client_for):
    body = client_for("operations").get("/skus/import/").content.decode()
    for fmt in ("csv", "xlsx"):
        assert f"/skus/export.{fmt}?lang=zh&amp;template=1" in body
        assert f"/skus/export.{fmt}?lang=en&amp;template=1" in body


# --- warehouses and bins ------------------------------------------------------------------------------------

def test_the_warehouse_list_shows_provinces_and_bins(stock, client_for):
    Bin.objects.create(warehouse=Warehouse.objects.get(code="hz"), code="A-01")
    response = client_for("operations").get("/warehouses/")
    counts = {w.code: w.bin_count for w in response.context["warehouses"]}
    assert counts == {"hz": 1, "gz": 0}
    assert "Whole country" in response.content.decode()


def test_creating_a_warehouse_from_the_form(stock, client_for):
    response = client_for("operations").post("/warehouses/new/", {
        "code": "cd", "name": "成都仓", "province": "四川", "city": "成都市", "address": "", "priority": "30",
        "service_provinces": "四川，重庆 贵州、云南", "active": "on"})

    assert response.status_code == 302 and response["Location"] == "/warehouses/cd/"
    cd = Warehouse.objects.get(code="cd")
    assert (cd.province, cd.service_provinces) == ("四川省", ["四川省", "重庆市", "贵州省", "云南省"])


def test_warehouse_form_errors_name_their_fields(stock, client_for):
    response = client_for("operations").post("/warehouses/new/", {
        "code": "成都", "name": "成都仓", "province": "巴蜀", "city": "成都市", "priority": "30",
        "service_provinces": "四川 火星"})

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"code", "province", "service_provinces"}
    assert "火星" in html.unescape(response.content.decode())


def test_editing_a_warehouse(stock, client_for):
    client = client_for("operations")
    form = client.get("/warehouses/hz/").context["form"]
    assert form["province"].value() == "浙江省"

    response = client.post("/warehouses/hz/", {
        "code": "other", "name": "杭州一号仓", "province": "浙江省", "city": "杭州市", "priority": "10",
        "service_provinces": "浙江 上海 江苏", "active": ""})

    assert response.status_code == 302
    hz = Warehouse.objects.get(code="hz")
    assert (hz.name, hz.active, hz.service_provinces) == ("杭州一号仓", False, ["浙江省", "上海市", "江苏省"])


def test_adding_a_block_of_bins(stock, client_for):
    response = client_for("operations").post("/warehouses/hz/bins/", {
        "prefix": "A-", "aisle_from": "1", "aisle_to": "2", "bay_from": "1", "bay_to": "5", "level_from": "1",
        "level_to": "", "code": ""})

    assert response.status_code == 302
    codes = list(Bin.objects.filter(warehouse__code="hz").values_list("code", flat=True))
    assert len(codes) == 10 and "A-02-05-01" in codes
    page = client_for("operations").get("/warehouses/hz/")
    assert "A-02-05-01" in page.content.decode()


def test_bins_that_exist_already_are_reported_and_none_is_added(stock, client_for):
    Bin.objects.create(warehouse=Warehouse.objects.get(code="hz"), code="A-01-01-01", aisle=1, bay=1, level=1)

    response = client_for("operations").post("/warehouses/hz/bins/", {
        "prefix": "A-", "aisle_from": "1", "aisle_to": "1", "bay_from": "1", "bay_to": "3", "level_from": "1"})

    assert response.status_code == 409
    assert "A-01-01-01" in response.context["bin_form"].non_field_errors()[0]
    assert Bin.objects.count() == 1


def test_a_backwards_bin_range_is_shown_on_its_field(stock, client_for):
    response = client_for("operations").post("/warehouses/hz/bins/", {
        "aisle_from": "5", "aisle_to": "1", "bay_from": "1", "level_from": "1"})
    assert response.status_code == 400
    assert "aisle_from" in response.context["bin_form"].errors


def test_an_unknown_warehouse_has_no_page(stock, client_for):
    assert client_for("operations").get("/warehouses/nope/").status_code == 404
    assert client_for("operations").post("/warehouses/nope/bins/", {}).status_code == 404


# --- platform SKU mappings ----------------------------------------------------------------------------------

def test_mapping_a_platform_code_from_the_page(stock, client_for):
    client = client_for("operations")
    response = client.post("/skus/mappings/", {"channel": "taobao", "platform_sku": "TB-MUG-01",
                                               "sku": "MUG-WHITE-350"})

    assert response.status_code == 302
    mapping = ChannelSkuMapping.objects.get(platform_sku="TB-MUG-01")
    assert (mapping.channel.code, mapping.sku.code) == ("taobao", "MUG-WHITE-350")
    listed = client.get("/skus/mappings/?channel=taobao").context["page"]
    assert [m.platform_sku for m in listed] == ["TB-MUG-01"]


def test_mapping_to_an_unknown_sku_is_shown_on_the_sku_field(stock, client_for):
    response = client_for("operations").post("/skus/mappings/", {"channel": "taobao", "platform_sku": "TB-X",
                                                                 "sku": "NOPE"})
    assert response.status_code == 404
    assert response.context["form"].errors["sku"] == ["No SKU has this code."]
    assert not ChannelSkuMapping.objects.exists()


def test_nul_characters_in_addresses_and_queries_never_reach_the_database(stock, client_for):
    client = client_for("operations")
    assert client.get("/stock/A%00B/movements/").status_code == 400  # refused at the edge (oms.core.nul_guard)
    assert client.get("/skus/A%00B/edit/").status_code == 400
    # Query strings: refused at the edge (oms.core.nul_guard) or ignored by the page, never a server error.
    assert client.get("/stock/?q=A%00B").status_code == 400
    assert client.get("/stock/receive/?sku=A%00B&warehouse=hz").status_code == 400
    response = client.post("/skus/mappings/", {"channel": "taobao", "platform_sku": "A\x00", "sku": "B\x00"})
    assert response.status_code == 400


def test_the_picking_layout_is_edited_with_the_warehouse_and_kept_when_left_empty(stock, client_for):
    client = client_for("operations")
    base = {"code": "hz", "name": "杭州仓", "province": "浙江省", "city": "杭州市", "priority": "10",
            "service_provinces": "", "active": "on"}

    assert client.post("/warehouses/hz/", {**base, "blocks": "2", "bays_per_block": "15",
                                           "aisle_width_m": "2.5"}).status_code == 302
    assert client.post("/warehouses/hz/", base).status_code == 302  # layout fields left empty
    hz = Warehouse.objects.get(code="hz")
    assert (hz.blocks, hz.bays_per_block, hz.aisle_width_m, hz.bay_width_m) == (2, 15, 2.5, 1.2)

    refused = client.post("/warehouses/hz/", {**base, "aisle_width_m": "0"})
    assert refused.status_code == 400 and "aisle_width_m" in refused.context["form"].errors
