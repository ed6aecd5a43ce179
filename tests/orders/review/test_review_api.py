import pytest

from oms.inventory.models import StockLevel
from oms.orders.review.models import ReviewRuleSetting

from .conftest import holds

pytestmark = pytest.mark.usefixtures("catalogue")


def held_order(push):
    return push(channel="web", external_id="W-API", buyer_remark="请加急", discounts=[],
                paid_amount="128.00", lines=[{"sku": "TSHIRT-RED-M", "name": "纯棉T恤", "spec": "红色/M",
                                              "quantity": 2, "unit_price": "59.00"}])


def test_the_queue_counts_held_orders_per_reason_and_lists_them_with_messages(push, api):
    order = held_order(push)

    body = api("customer_service").get("/api/v1/review/queue").json()

    assert [(r["code"], r["orders"]) for r in body["reasons"]] == [("remark_attention", 1)]
    [row] = body["results"]
    assert row["order_no"] == order.order_no
    assert row["hold_reasons"][0]["code"] == "remark_attention" and "加急" in row["hold_reasons"][0]["message"]


def test_the_order_detail_shows_hold_reasons_and_reservations(push, api):
    order = held_order(push)

    detail = api("customer_service").get(f"/api/v1/orders/{order.order_no}").json()

    assert [h["code"] for h in detail["hold_reasons"]] == ["remark_attention"]
    assert detail["reservations"] == []


def test_approving_anyway_through_the_api_reserves_stock_and_needs_the_override_right(push, api):
    order = held_order(push)

    denied = api("customer_service").post(f"/api/v1/orders/{order.order_no}/approve", {"reason": "ok"},
                                          format="json")
    missing = api("operations").post(f"/api/v1/orders/{order.order_no}/approve", {}, format="json")
    done = api("operations").post(f"/api/v1/orders/{order.order_no}/approve", {"reason": "客户电话确认"},
                                  format="json")

    assert denied.status_code == 403
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "reason_required"
    assert done.status_code == 200 and done.json()["status"] == "pending_shipment"
    assert done.json()["reservations"] == [{"line_no": 1, "sku": "TSHIRT-RED-M", "warehouse": "hz", "quantity": 2,
                                            "status": "active"}]


def test_a_correction_of_a_field_that_cannot_be_corrected_is_refused_naming_it(push, api):
    order = held_order(push)

    response = api("customer_service").post(f"/api/v1/orders/{order.order_no}/correct",
                                            {"paid_amount": "0.01"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["details"]["fields"] == ["paid_amount"]


def test_recording_a_payment_with_a_float_amount_is_refused(push, api):
    order = push(channel="web", external_id="W-UNPAID", payment={"method": "alipay", "status": "unpaid"},
                 paid_amount="0.00")

    bad = api("finance").post(f"/api/v1/orders/{order.order_no}/payment", {"method": "alipay", "amount": 118.0},
                              format="json")
    good = api("finance").post(f"/api/v1/orders/{order.order_no}/payment",
                               {"method": "alipay", "amount": "118.00", "transaction_id": "2026112699"},
                               format="json")

    assert bad.status_code == 400 and "amount" in bad.json()["error"]["details"]
    assert good.status_code == 200 and good.json()["status"] == "pending_shipment"


def test_cancelling_needs_a_known_reason(push, api):
    order = held_order(push)

    bad = api("customer_service").post(f"/api/v1/orders/{order.order_no}/cancel", {"reason": "bored"},
                                       format="json")
    good = api("customer_service").post(f"/api/v1/orders/{order.order_no}/cancel",
                                        {"reason": "buyer_request", "note": "买家电话取消"}, format="json")

    assert bad.status_code == 400 and bad.json()["error"]["code"] == "unknown_cancel_reason"
    assert good.status_code == 200 and good.json()["status"] == "cancelled"
    assert holds(order) == set()


def test_rule_settings_are_read_by_customer_service_and_changed_by_operations_with_checks(api):
    listed = api("customer_service").get("/api/v1/review/rules").json()
    assert {r["code"] for r in listed} >= {"address_incomplete", "phone_invalid", "out_of_stock", "unpaid"}

    denied = api("customer_service").put("/api/v1/review/rules/amount_over_limit", {"enabled": False},
                                         format="json")
    bad = api("operations").put("/api/v1/review/rules/amount_over_limit", {"params": {"limit": "lots", "x": 1}},
                                format="json")
    good = api("operations").put("/api/v1/review/rules/amount_over_limit", {"params": {"limit": "8000"}},
                                 format="json")

    assert denied.status_code == 403
    assert bad.status_code == 400
    assert set(bad.json()["error"]["details"]) == {"params.limit", "params.x"}
    assert good.json()["params"] == {"limit": "8000.00"}
    assert ReviewRuleSetting.objects.get(code="amount_over_limit").params == {"limit": "8000.00"}


def test_an_unknown_rule_is_a_404(api):
    assert api("customer_service").get("/api/v1/review/rules/nope").status_code == 404


def test_warehouse_receives_and_adjusts_stock_and_sees_the_ledger(api):
    wh = api("warehouse")

    received = wh.post("/api/v1/stock/receipts", {"sku": "MUG-WHITE", "warehouse": "hz", "quantity": 5,
                                                  "reference": "PO-7"}, format="json")
    no_reason = wh.post("/api/v1/stock/adjustments", {"sku": "MUG-WHITE", "warehouse": "hz", "delta": -1},
                        format="json")
    adjusted = wh.post("/api/v1/stock/adjustments", {"sku": "MUG-WHITE", "warehouse": "hz", "delta": -1,
                                                     "reason": "破损"}, format="json")
    ledger = wh.get("/api/v1/stock/movements", {"sku": "MUG-WHITE"}).json()

    assert received.status_code == 201 and received.json()["on_hand"] == 8
    assert no_reason.status_code == 400 and no_reason.json()["error"]["code"] == "reason_required"
    assert adjusted.json()["available"] == 7
    assert [m["kind"] for m in ledger] == ["adjustment", "receipt", "receipt"]
    assert StockLevel.objects.get(sku__code="MUG-WHITE").on_hand == 7


def test_low_stock_levels_can_be_listed(api):
    from oms.inventory.models import Sku

    Sku.objects.filter(code="MUG-WHITE").update(low_stock_threshold=5)

    rows = api("customer_service").get("/api/v1/stock", {"low": "1"}).json()

    assert [(r["sku"], r["low"]) for r in rows] == [("MUG-WHITE", True)]


def test_mapping_a_platform_sku_through_the_api_clears_the_hold(push, api):
    from oms.notifications.outbox import deliver_pending

    order = push(channel="web", external_id="W-MAP", discounts=[], paid_amount="128.00", lines=[
        {"sku": "WEB-MUG", "name": "马克杯", "quantity": 2, "unit_price": "59.00"}])
    assert holds(order) == {"unknown_sku"}

    response = api("operations").post("/api/v1/channels/web/sku-mappings",
                                      {"platform_sku": "WEB-MUG", "sku": "TSHIRT-RED-M"}, format="json")
    deliver_pending()

    assert response.status_code == 201
    order.refresh_from_db()
    assert order.status == "pending_shipment"
