"""Manual entry with a second person's check (双人复核), through the API."""

import pytest

from oms.orders.models import Order


@pytest.fixture
def entry_payload(order_payload):
    def make(**kw):
        payload = order_payload(channel="offline", **kw)
        payload.pop("external_id")
        payload.pop("placed_at")
        payload["payment"] = {"method": "bank_transfer", "status": "paid", "transaction_id": "BT-001",
                              "paid_at": "2026-11-26T09:00:00+08:00"}
        return payload

    return make


@pytest.fixture
def cs(api):
    return api("customer_service")


@pytest.fixture
def cs2(make_user, api):
    from rest_framework.test import APIClient

    from oms.accounts.services import token_for

    make_user("cs2", "customer_service")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(username='cs2')}")
    return client


def test_an_entered_order_stays_a_draft_awaiting_a_second_check(cs, entry_payload):
    response = cs.post("/api/v1/orders/drafts", entry_payload(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["entry_check"], body["source"]) == ("draft", "awaiting", "manual")
    assert body["created_by"] == "customer_service"
    assert body["timeline"][0]["action"] == "order_entered"


def test_the_person_who_entered_an_order_cannot_confirm_it(cs, entry_payload):
    order_no = cs.post("/api/v1/orders/drafts", entry_payload(), format="json").json()["order_no"]

    response = cs.post(f"/api/v1/orders/drafts/{order_no}/confirm", {}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "second_person_required"
    assert Order.objects.get(order_no=order_no).status == "draft"


def test_a_second_person_confirms_and_the_order_enters_the_flow(cs, cs2, entry_payload):
    order_no = cs.post("/api/v1/orders/drafts", entry_payload(), format="json").json()["order_no"]

    response = cs2.post(f"/api/v1/orders/drafts/{order_no}/confirm", {"note": "核对无误"}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["entry_check"], body["checked_by"]) == ("pending_review", "confirmed", "cs2")
    confirmed = body["timeline"][-1]
    assert confirmed["action"] == "entry_confirmed"
    assert confirmed["user"] == "cs2"
    assert confirmed["changes"]["status"] == ["draft", "pending_review"]


def test_an_unpaid_offline_order_waits_for_payment_after_its_check(cs, cs2, entry_payload):
    payload = entry_payload(paid_amount="0.00")
    payload["payment"] = {"method": "bank_transfer", "status": "unpaid"}
    order_no = cs.post("/api/v1/orders/drafts", payload, format="json").json()["order_no"]
    body = cs2.post(f"/api/v1/orders/drafts/{order_no}/confirm", {}, format="json").json()
    assert body["status"] == "pending_payment"


def test_sending_back_needs_a_comment_and_records_it(cs, cs2, entry_payload):
    order_no = cs.post("/api/v1/orders/drafts", entry_payload(), format="json").json()["order_no"]

    assert cs2.post(f"/api/v1/orders/drafts/{order_no}/return", {"comment": " "}, format="json").status_code == 400
    response = cs2.post(f"/api/v1/orders/drafts/{order_no}/return", {"comment": "电话少一位"}, format="json")

    assert response.status_code == 200
    assert response.json()["entry_check"] == "returned"
    assert response.json()["timeline"][-1]["note"] == "电话少一位"


def test_a_corrected_draft_records_old_and_new_values_and_waits_again(cs, cs2, entry_payload):
    order_no = cs.post("/api/v1/orders/drafts", entry_payload(), format="json").json()["order_no"]
    cs2.post(f"/api/v1/orders/drafts/{order_no}/return", {"comment": "电话错了"}, format="json")
    fixed = entry_payload(customer={"name": "张三", "phone": "13900139000"})

    response = cs.put(f"/api/v1/orders/drafts/{order_no}", fixed, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["entry_check"] == "awaiting"
    edit = body["timeline"][-1]
    assert edit["action"] == "draft_edited"
    assert edit["changes"]["customer_phone"] == ["138****8000", "139****9000"]  # masked in the audit log
    assert edit["changes"]["entry_check"] == ["returned", "awaiting"]


def test_whoever_last_edited_a_draft_cannot_confirm_it(cs, cs2, entry_payload):
    order_no = cs.post("/api/v1/orders/drafts", entry_payload(), format="json").json()["order_no"]
    cs2.put(f"/api/v1/orders/drafts/{order_no}", entry_payload(buyer_remark="改过"), format="json")

    assert cs2.post(f"/api/v1/orders/drafts/{order_no}/confirm", {}, format="json").status_code == 403
    assert cs.post(f"/api/v1/orders/drafts/{order_no}/confirm", {}, format="json").status_code == 403


def test_a_confirmed_order_is_no_longer_a_draft_to_edit_or_confirm(cs, cs2, entry_payload):
    order_no = cs.post("/api/v1/orders/drafts", entry_payload(), format="json").json()["order_no"]
    cs2.post(f"/api/v1/orders/drafts/{order_no}/confirm", {}, format="json")

    assert cs2.post(f"/api/v1/orders/drafts/{order_no}/confirm", {}, format="json").status_code == 409
    assert cs.put(f"/api/v1/orders/drafts/{order_no}", entry_payload(), format="json").status_code == 409


def test_bad_entry_input_names_the_fields_and_stores_nothing(cs, entry_payload):
    payload = entry_payload()
    payload["lines"][0]["quantity"] = 0
    payload["customer"] = {"name": ""}
    response = cs.post("/api/v1/orders/drafts", payload, format="json")
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert {"lines[0].quantity", "customer.name", "customer.phone"} <= set(details)
    assert Order.objects.count() == 0


def test_the_draft_queue_lists_drafts_awaiting_a_check(cs, api, entry_payload):
    cs.post("/api/v1/orders/drafts", entry_payload(), format="json")
    drafts = api("operations").get("/api/v1/orders/drafts").json()
    assert [d["entry_check"] for d in drafts] == ["awaiting"]
