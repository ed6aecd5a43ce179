"""The intake contract of POST /api/v1/orders, through the API layer against the database."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oms.audit.models import AuditEvent
from oms.channels.models import Channel
from oms.orders.models import Order


@pytest.fixture
def shop(api):
    return api("integration")


def test_a_new_order_is_created_with_201_and_its_number_and_status(shop, order_payload):
    response = shop.post("/api/v1/orders", order_payload(), format="json")

    assert response.status_code == 201
    body = response.json()
    order = Order.objects.get(order_no=body["order_no"])
    assert body["status"] == order.status == "pending_review"
    assert order.goods_total == Decimal("118.00")
    assert order.payable_amount == Decimal("118.00")
    assert order.paid_amount == Decimal("118.00")
    assert order.lines.get().subtotal == Decimal("118.00")
    assert order.discounts.get().kind == "coupon"
    assert order.events.get().action == "order_received"


def test_the_same_channel_and_external_id_again_returns_200_with_the_same_order(shop, order_payload):
    first = shop.post("/api/v1/orders", order_payload(), format="json")
    second = shop.post("/api/v1/orders", order_payload(), format="json")

    assert second.status_code == 200
    assert second.json()["order_no"] == first.json()["order_no"]
    assert second.json()["created"] is False
    assert Order.objects.count() == 1


def test_the_same_external_id_on_another_channel_is_another_order(shop, order_payload):
    shop.post("/api/v1/orders", order_payload(), format="json")
    response = shop.post("/api/v1/orders", order_payload(channel="jd"), format="json")
    assert response.status_code == 201
    assert Order.objects.count() == 2


def test_an_idempotency_key_replays_the_first_answer(shop, order_payload):
    headers = {"HTTP_IDEMPOTENCY_KEY": "key-1"}
    first = shop.post("/api/v1/orders", order_payload(), format="json", **headers)
    second = shop.post("/api/v1/orders", order_payload(), format="json", **headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["order_no"] == second.json()["order_no"]


def test_an_idempotency_key_reused_for_another_body_is_refused_with_409(shop, order_payload):
    headers = {"HTTP_IDEMPOTENCY_KEY": "key-2"}
    shop.post("/api/v1/orders", order_payload(), format="json", **headers)
    response = shop.post("/api/v1/orders", order_payload(external_id="OTHER"), format="json", **headers)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


def unpaid(order_payload, **kw):
    payload = order_payload(paid_amount="0.00", **kw)
    payload["payment"] = {"method": "alipay", "status": "unpaid"}
    return payload


def test_a_repush_with_the_payment_applies_it_and_records_old_and_new(shop, order_payload):
    created = shop.post("/api/v1/orders", unpaid(order_payload), format="json").json()
    assert created["status"] == "pending_payment"

    response = shop.post("/api/v1/orders", order_payload(), format="json")

    assert response.status_code == 200
    assert response.json()["applied"] == ["payment_received"]
    order = Order.objects.get(order_no=created["order_no"])
    assert (order.status, order.payment_status, order.transaction_id) == ("pending_review", "paid", "2026112622001")
    event = order.events.get(action="payment_received")
    assert event.changes["status"] == ["pending_payment", "pending_review"]
    assert event.changes["paid_amount"] == ["0.00", "118.00"]
    assert event.actor_username == "integration"


def test_a_repush_saying_the_buyer_cancelled_cancels_the_order(shop, order_payload):
    created = shop.post("/api/v1/orders", order_payload(), format="json").json()
    payload = order_payload(cancellation={"reason": "买家取消", "cancelled_at": "2026-11-26T11:00:00+08:00"})

    response = shop.post("/api/v1/orders", payload, format="json")

    assert response.status_code == 200
    order = Order.objects.get(order_no=created["order_no"])
    assert order.status == "cancelled"
    assert order.cancel_reason == "买家取消"
    assert order.events.get(action="order_cancelled").changes == {"status": ["pending_review", "cancelled"]}


def test_an_older_unpaid_repush_after_payment_changes_nothing(shop, order_payload):
    created = shop.post("/api/v1/orders", order_payload(), format="json").json()
    response = shop.post("/api/v1/orders", unpaid(order_payload), format="json")
    assert response.status_code == 200
    assert response.json()["applied"] == []
    assert Order.objects.get(order_no=created["order_no"]).payment_status == "paid"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": [{"sku": "TSHIRT-RED-M", "name": "纯棉T恤", "spec": "红色/M", "quantity": 3,
                     "unit_price": "59.00"}], "paid_amount": "177.00"}, "lines"),
        ({"shipping_address": {"name": "李四", "phone": "13800138000", "province": "浙江省", "city": "杭州市",
                               "district": "西湖区", "detail": "文三路100号", "postcode": "310012"}},
         "shipping_address"),
        ({"shipping_fee": "0.00", "paid_amount": "108.00"}, "shipping_fee"),
    ],
)
def test_a_repush_that_changes_anything_else_is_refused_and_the_order_stays(shop, order_payload, change, field):
    created = shop.post("/api/v1/orders", order_payload(), format="json").json()

    response = shop.post("/api/v1/orders", order_payload(**change), format="json")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "external_order_changed"
    assert field in error["details"]["changed_fields"]
    order = Order.objects.get(order_no=created["order_no"])
    assert order.lines.get().quantity == 2
    assert order.ship_name == "张三"
    assert order.shipping_fee == Decimal("10.00")
    assert order.events.count() == 1


def test_missing_fields_are_all_named_in_a_400_and_nothing_is_stored(shop):
    response = shop.post("/api/v1/orders", {"channel": "taobao", "lines": [{"quantity": 0}]}, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    for field in ["external_id", "placed_at", "customer", "shipping_address", "payment",
                  "lines[0].sku", "lines[0].name", "lines[0].quantity", "lines[0].unit_price"]:
        assert field in error["details"], field
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "nowhere"}, "channel"),
        ({"placed_at": "yesterday"}, "placed_at"),
        ({"placed_at": "2026-11-26T10:15:00"}, "placed_at"),
        ({"shipping_fee": "-1.00"}, "shipping_fee"),
        ({"shipping_fee": 10.0}, "shipping_fee"),
        ({"paid_amount": "12.345"}, "paid_amount"),
        ({"discounts": [{"kind": "lottery", "amount": "1.00"}]}, "discounts[0].kind"),
        ({"payment": {"method": "bitcoin", "status": "paid"}}, "payment.method"),
        ({"customer": {"name": "张三", "phone": "13800138000", "email": "not-an-email"}}, "customer.email"),
        ({"invoice": {"type": "company", "title": "某公司"}}, "invoice.tax_id"),
    ],
)
def test_each_malformed_field_is_named(shop, order_payload, change, field):
    response = shop.post("/api/v1/orders", order_payload(**change), format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]
    assert Order.objects.count() == 0


@pytest.mark.parametrize("bad_text", ["\ud800", "abc\x00def", "bell\x07"])
def test_text_that_cannot_be_stored_is_refused_by_field(shop, order_payload, bad_text):
    body = json.dumps(order_payload(buyer_remark=bad_text))  # ASCII escapes, as a client would send them
    response = shop.post("/api/v1/orders", body, content_type="application/json")
    assert response.status_code == 400
    assert "buyer_remark" in response.json()["error"]["details"]


def test_a_line_quantity_of_zero_or_less_is_refused(shop, order_payload):
    payload = order_payload()
    payload["lines"][0]["quantity"] = -1
    response = shop.post("/api/v1/orders", payload, format="json")
    assert response.status_code == 400
    assert "lines[0].quantity" in response.json()["error"]["details"]


def test_discounts_above_the_goods_total_are_a_422(shop, order_payload):
    payload = order_payload(discounts=[{"kind": "promotion", "amount": "200.00"}], paid_amount="0.00")
    payload["payment"] = {"method": "alipay", "status": "unpaid"}
    response = shop.post("/api/v1/orders", payload, format="json")
    assert response.status_code == 422
    assert "discounts" in response.json()["error"]["details"]
    assert Order.objects.count() == 0


def test_a_paid_order_whose_paid_amount_does_not_add_up_is_a_422(shop, order_payload):
    response = shop.post("/api/v1/orders", order_payload(paid_amount="100.00"), format="json")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unprocessable"
    assert "paid_amount" in response.json()["error"]["details"]
    assert Order.objects.count() == 0


def test_a_body_that_is_not_json_is_a_400(shop):
    response = shop.post("/api/v1/orders", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_request"


def test_a_json_array_instead_of_an_order_is_a_400(shop):
    response = shop.post("/api/v1/orders", [1, 2], format="json")
    assert response.status_code == 400


def test_business_doubts_are_accepted_and_stored_for_review(shop, order_payload):
    payload = unpaid(order_payload, customer={"name": "张三", "phone": "123"})
    payload["lines"][0]["sku"] = "NO-SUCH-SKU"

    response = shop.post("/api/v1/orders", payload, format="json")

    assert response.status_code == 201
    order = Order.objects.get(order_no=response.json()["order_no"])
    assert order.status == "pending_payment"
    assert order.lines.get().sku_id is None
    assert order.customer_phone == "123"


def test_cash_on_delivery_orders_wait_for_review_without_payment(shop, order_payload):
    payload = order_payload(paid_amount="0.00")
    payload["payment"] = {"method": "cod", "status": "unpaid"}
    response = shop.post("/api/v1/orders", payload, format="json")
    assert response.json()["status"] == "pending_review"


def test_an_integration_client_may_push_only_for_its_channels(make_user, api, order_payload):
    from rest_framework.test import APIClient

    from oms.accounts.services import token_for

    user = make_user("jd-connector", "integration")
    user.all_channels = False
    user.save()
    user.channels.add(Channel.objects.get(code="jd"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(username='jd-connector')}")

    assert client.post("/api/v1/orders", order_payload(channel="jd"), format="json").status_code == 201
    refused = client.post("/api/v1/orders", order_payload(), format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "channel_not_allowed"


def test_a_disabled_channel_is_refused(shop, order_payload):
    Channel.objects.filter(code="taobao").update(active=False)
    response = shop.post("/api/v1/orders", order_payload(), format="json")
    assert response.status_code == 400
    assert "channel" in response.json()["error"]["details"]


def test_without_a_token_the_api_answers_401_and_without_the_right_403(api, order_payload):
    assert api(None).post("/api/v1/orders", order_payload(), format="json").status_code == 401
    refused = api("warehouse").post("/api/v1/orders", order_payload(), format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"


def test_the_order_detail_shows_every_element_and_the_timeline(shop, api, order_payload):
    order_no = shop.post("/api/v1/orders", order_payload(), format="json").json()["order_no"]

    body = api("customer_service").get(f"/api/v1/orders/{order_no}").json()

    assert body["order_no"] == order_no
    # Personal data is masked in every API response (docs/privacy.md); POST …/reveal shows it, audited.
    assert body["customer"] == {"name": "张*", "phone": "138****8000", "email": "z***@example.cn"}
    assert body["shipping_address"]["postcode"] == "310012"
    assert body["lines"][0] == {
        "line_no": 1, "sku": "TSHIRT-RED-M", "platform_sku": "", "known_sku": False, "name": "纯棉T恤",
        "spec": "红色/M", "quantity": 2, "unit_price": "59.00", "subtotal": "118.00",
    }
    assert body["amounts"] == {"goods_total": "118.00", "shipping_fee": "10.00", "discount_total": "10.00",
                               "payable_amount": "118.00", "paid_amount": "118.00"}
    assert body["discounts"][0]["code"] == "NEW10"
    assert body["payment"]["transaction_id"] == "2026112622001"
    assert body["payment"]["paid_at"].endswith("+08:00")
    assert body["invoice"] == {"type": "personal", "title": "张*", "tax_id": ""}
    assert body["buyer_remark"] == "周末送货"
    assert body["timeline"][0]["action"] == "order_received"
    assert body["timeline"][0]["user"] == "integration"
    assert body["timeline"][0]["role"] == "integration"


def test_an_unknown_order_number_is_a_404(api):
    response = api("customer_service").get("/api/v1/orders/26010100000000")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "order_not_found"


def test_the_order_list_filters_and_counts_per_status(shop, api, order_payload):
    shop.post("/api/v1/orders", order_payload(), format="json")
    shop.post("/api/v1/orders", unpaid(order_payload, external_id="TB2"), format="json")
    shop.post("/api/v1/orders", order_payload(external_id="TB3", channel="jd"), format="json")
    client = api("finance")

    body = client.get("/api/v1/orders", {"status": "pending_review"}).json()
    assert body["count"] == 2
    assert body["status_counts"]["pending_payment"] == 1
    assert client.get("/api/v1/orders", {"channel": "jd"}).json()["count"] == 1
    assert client.get("/api/v1/orders", {"external_id": "TB2"}).json()["results"][0]["status"] == "pending_payment"
    assert client.get("/api/v1/orders", {"phone": "13800138000"}).json()["count"] == 3
    assert client.get("/api/v1/orders", {"date_from": "2026-11-27"}).json()["count"] == 0
    assert client.get("/api/v1/orders", {"date_from": "2026-11-26", "date_to": "2026-11-26"}).json()["count"] == 3
    assert client.get("/api/v1/orders", {"date_from": "26/11"}).status_code == 400


def _lines(n):
    return [{"sku": f"SKU-{i}", "name": "商品", "spec": "", "quantity": 1, "unit_price": "10.00"} for i in range(n)]


@pytest.mark.parametrize("line_count", [3, 10])
def test_intake_runs_a_constant_number_of_sql_statements(shop, order_payload, line_count):
    payload = order_payload(lines=_lines(line_count), discounts=[], shipping_fee="0.00",
                            paid_amount=f"{10 * line_count}.00")
    with CaptureQueriesContext(connection) as queries:
        response = shop.post("/api/v1/orders", payload, format="json")
    assert response.status_code == 201
    assert len(queries) <= 15, [q["sql"][:80] for q in queries]


def test_every_push_writes_exactly_one_audit_event(shop, order_payload):
    shop.post("/api/v1/orders", order_payload(), format="json")
    shop.post("/api/v1/orders", order_payload(), format="json")
    assert AuditEvent.objects.count() == 1
