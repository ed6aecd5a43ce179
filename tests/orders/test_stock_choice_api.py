"""The out-of-stock choice through the API: the shortage list and POST /orders/{no}/stock-choice."""
# ruff: noqa: F811  (fixtures imported from tests/orders/stock_choice_fixtures.py)

from decimal import Decimal

import pytest

from oms.orders.models import Order
from oms.payments.models import Refund
from tests.orders.stock_choice_fixtures import depot, place, receive, work  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(place, actor):
    receive(actor, "TEE", 3)
    receive(actor, "MUG", 1)
    return place(("TEE", 3), ("MUG", 2), discount=8, shipping=6)


def post(api, order_no, body, role="customer_service"):
    return api(role).post(f"/api/v1/orders/{order_no}/stock-choice", body, format="json")


def test_the_shortage_list_shows_missing_units_per_line_and_the_recorded_choice_oldest_first(place, held, api,
                                                                                           actor):
    older = place(("MUG", 5), placed_at="2026-11-20T09:00:00+08:00")
    post(api, held.order_no, {"choice": "wait"})

    response = api("customer_service").get("/api/v1/stock-shortages")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["order_no"] for r in rows] == [older.order_no, held.order_no]
    mine = rows[1]
    assert (mine["kind"], mine["choice"], mine["missing_units"], mine["status"]) == ("held", "wait", 1, "on_hold")
    assert [(ln["line_no"], ln["sku"], ln["ordered"], ln["missing"]) for ln in mine["lines"]] == [
        (1, "TEE", 3, 0), (2, "MUG", 2, 1)]
    assert rows[0]["lines"][0]["missing"] == 4  # one MUG is in stock, 5 wanted


def test_cancelling_lines_by_api_answers_with_the_refund_and_the_approval(held, api):
    response = post(api, held.order_no, {"choice": "cancel_lines", "lines": [{"line_no": 2, "quantity": 1}]})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["choice"], body["approved"]) == ("pending_shipment", "cancel_lines", True)
    assert body["held_back"] == [{"line_no": 2, "units": 1}]
    assert Refund.objects.get(number=body["refund"]).amount == Decimal("22.50")


def test_a_partial_shipment_whose_rest_waits_is_listed_as_a_waiting_rest(held, api):
    response = post(api, held.order_no, {"choice": "partial_ship", "rest": "wait"})
    work()

    assert response.status_code == 200 and response.json()["refund"] == ""
    row = api("customer_service").get("/api/v1/stock-shortages").json()["results"][0]
    assert (row["kind"], row["status"], row["missing_units"]) == ("rest_waiting", "pending_shipment", 1)


@pytest.mark.parametrize("body, code, field", [
    ({}, "validation_failed", "choice"),
    ({"choice": 3}, "validation_failed", "choice"),
    ({"choice": "later"}, "unknown_stock_choice", "choice"),
    ({"choice": "partial_ship"}, "validation_failed", "rest"),
    ({"choice": "cancel_lines", "lines": "2"}, "validation_failed", "lines"),
    ({"choice": "cancel_lines", "lines": [{"line_no": 7, "quantity": 1}]}, "invalid_stock_choice_lines", "lines"),
])
def test_bad_bodies_are_refused_naming_the_field(held, api, body, code, field):
    response = post(api, held.order_no, body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and field in error["details"]
    assert Order.objects.get(pk=held.pk).stock_choice == ""


def test_an_order_not_held_for_stock_answers_409(place, api, actor):
    receive(actor, "TEE", 1)
    order = place(("TEE", 1))

    response = post(api, order.order_no, {"choice": "wait"})

    assert response.status_code == 409 and response.json()["error"]["code"] == "not_held_for_stock"


def test_an_unknown_order_answers_404_and_the_warehouse_403(held, api):
    assert post(api, "NOPE", {"choice": "wait"}).status_code == 404
    assert post(api, held.order_no, {"choice": "wait"}, role="warehouse").status_code == 403
