"""The change requests API through the test client: ask, list, read, approve, reject, withdraw, errors."""

import pytest

from tests.approvals.setup import network, shipped_order

pytestmark = pytest.mark.django_db
URL = "/api/v1/change-requests"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def _ask_stock(api, delta=60):
    return api("warehouse").post(URL, {"kind": "stock_adjustment", "reason": "年度盘点",
                                       "proposed": {"sku": "TEE", "warehouse": "hz", "delta": delta}}, format="json")


def test_a_request_is_created_listed_and_read(api):
    network()
    created = _ask_stock(api)
    assert created.status_code == 201, created.json()
    number = created.json()["number"]
    assert created.json()["current"] == {"on_hand": 10} and created.json()["status"] == "pending"

    waiting = api("operations").get(URL).json()
    assert [r["number"] for r in waiting["results"]] == [number]
    assert api("finance").get(URL).json()["count"] == 0  # finance does not decide stock
    assert api("warehouse").get(URL, {"tab": "mine"}).json()["count"] == 1
    assert api("operations").get(f"{URL}/{number}").json()["proposed"]["delta"] == 60


def test_approval_through_the_api_applies_and_returns_the_decided_request(api):
    network()
    number = _ask_stock(api).json()["number"]
    answer = api("operations").post(f"{URL}/{number}/approve", {"note": "ok"}, format="json")
    assert answer.status_code == 200
    assert answer.json()["status"] == "approved" and answer.json()["applied_event"]


def test_approving_ones_own_request_is_a_403_in_the_error_shape(api):
    network()
    number = api("operations").post(URL, {"kind": "stock_adjustment", "reason": "r", "proposed": {
        "sku": "TEE", "warehouse": "hz", "delta": 60}}, format="json").json()["number"]
    answer = api("operations").post(f"{URL}/{number}/approve", {}, format="json")
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "own_change_request"


def test_a_second_pending_request_on_the_same_data_is_a_409_naming_the_first(api):
    network()
    number = _ask_stock(api).json()["number"]
    answer = _ask_stock(api, delta=70)
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "change_request_pending"
    assert answer.json()["error"]["details"]["change_request"] == number


def test_rejecting_needs_a_note_and_the_requester_can_withdraw(api):
    network()
    order = shipped_order()
    number = api("logistics").post(URL, {"kind": "status_correction", "order_no": order.order_no, "reason": "r",
                                         "proposed": {"status": "delivered"}}, format="json").json()["number"]
    assert api("operations").post(f"{URL}/{number}/reject", {}, format="json").status_code == 400
    withdrawn = api("logistics").post(f"{URL}/{number}/withdraw", {}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    again = api("operations").post(f"{URL}/{number}/reject", {"note": "late"}, format="json")
    assert again.status_code == 409


def test_a_direct_stock_adjustment_above_the_threshold_answers_approval_required(api):
    network()
    answer = api("warehouse").post("/api/v1/stock/adjustments", {
        "sku": "TEE", "warehouse": "hz", "delta": 51, "reason": "盘盈"}, format="json")
    assert answer.status_code == 422, answer.content
    assert answer.json()["error"]["code"] == "approval_required"
    assert answer.json()["error"]["details"]["threshold"] == 50


def test_roles_without_the_rights_cannot_ask_or_decide(api):
    network()
    assert api("admin").post(URL, {}, format="json").status_code == 403
    number = _ask_stock(api).json()["number"]
    assert api("customer_service").post(f"{URL}/{number}/approve", {}, format="json").status_code == 403
    assert api("operations").get(f"{URL}/CR999999").status_code == 404
