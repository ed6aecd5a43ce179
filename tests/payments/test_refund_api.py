"""Refunds through the API: the queue and one refund, each step by its role, errors in the error format."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from oms.accounts.services import token_for
from oms.aftersales.status import RefundStatus
from oms.payments.models import Refund
from tests.payments.refund_fixtures import paid_order, place, raised, second_finance  # noqa: F401

# ruff: noqa: F811

pytestmark = pytest.mark.django_db
D = Decimal


def client_of(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(username=user.username)}")
    return client


def post(client, path, body=None):
    return client.post(f"/api/v1/{path}", body or {}, format="json")


def test_the_whole_flow_walks_through_the_api_by_role(raised, api, second_finance, settings):
    settings.OMS_REFUND_SECOND_APPROVAL_ABOVE = D("50.00")
    number = raised().number

    r = post(api("customer_service"), f"refunds/{number}/verify", {"note": "checked the photos"})
    assert (r.status_code, r.json()["status"], r.json()["verified_by"]) == (200, "verified", "customer_service")
    r = post(api("finance"), f"refunds/{number}/approve")
    assert (r.status_code, r.json()["status"]) == (200, "awaiting_second_approval")
    r = post(client_of(second_finance), f"refunds/{number}/second-approve")
    assert (r.status_code, r.json()["status"], r.json()["second_approved_by"]) == (200, "approved", "finance2")
    r = post(api("finance"), f"refunds/{number}/execute", {"reference": "2026112722001RF"})

    body = r.json()
    assert (r.status_code, body["status"], body["external_reference"], body["adapter"]) == (
        200, "succeeded", "2026112722001RF", "manual")
    assert (body["amount"], body["payment_method"], body["original_transaction_id"]) == (
        "54.00", "alipay", "2026112622001")
    assert body["lines"] == [{"line_no": 1, "sku": "TSHIRT-RED-M", "quantity": 1, "amount": "54.00"}]


def test_the_same_finance_user_cannot_give_the_second_approval(raised, api, settings):
    settings.OMS_REFUND_SECOND_APPROVAL_ABOVE = D("50.00")
    number = raised().number
    post(api("customer_service"), f"refunds/{number}/verify")
    post(api("finance"), f"refunds/{number}/approve")

    r = post(api("finance"), f"refunds/{number}/second-approve")

    assert r.status_code == 422
    assert r.json()["error"]["code"] == "refund_needs_another_person"


def test_a_step_out_of_order_is_a_409(raised, api):
    r = post(api("finance"), f"refunds/{raised().number}/approve")
    assert (r.status_code, r.json()["error"]["code"]) == (409, "invalid_transition")


def test_customer_service_cannot_approve_or_execute(raised, api):
    number = raised().number
    assert post(api("customer_service"), f"refunds/{number}/approve").status_code == 403
    assert post(api("customer_service"), f"refunds/{number}/execute").status_code == 403


def test_a_manual_execution_without_reference_is_a_400_naming_the_field(raised, api):
    number = raised().number
    post(api("customer_service"), f"refunds/{number}/verify")
    post(api("finance"), f"refunds/{number}/approve")

    r = post(api("finance"), f"refunds/{number}/execute", {"adapter": "manual"})

    assert r.status_code == 400
    assert (r.json()["error"]["code"], list(r.json()["error"]["details"])) == ("refund_reference_required",
                                                                              ["reference"])
    assert Refund.objects.get(number=number).attempts == 0


def test_a_failed_execution_answers_200_with_the_failure_and_can_be_retried(raised, paid_order, api):
    number = raised(order=paid_order(transaction_id="FAIL-1")).number
    post(api("customer_service"), f"refunds/{number}/verify")
    post(api("finance"), f"refunds/{number}/approve")

    r = post(api("finance"), f"refunds/{number}/execute", {"adapter": "test"})
    assert (r.status_code, r.json()["status"], r.json()["attempts"]) == (200, "failed", 1)
    assert "FAIL-1" in r.json()["failure"]

    r = post(api("finance"), f"refunds/{number}/execute", {"adapter": "manual", "reference": "BY-HAND-1"})
    assert (r.json()["status"], r.json()["attempts"]) == ("succeeded", 2)


def test_rejecting_needs_a_reason_and_customer_service_may_reject_a_requested_refund(raised, api):
    number = raised().number
    r = post(api("customer_service"), f"refunds/{number}/reject")
    assert (r.status_code, list(r.json()["error"]["details"])) == (400, ["reason"])

    r = post(api("customer_service"), f"refunds/{number}/reject", {"reason": "duplicate"})
    assert (r.status_code, r.json()["status"], r.json()["reject_reason"]) == (200, "rejected", "duplicate")


def test_a_body_that_is_not_an_object_is_a_400(raised, api):
    r = api("customer_service").post(f"/api/v1/refunds/{raised().number}/verify", [1, 2], format="json")
    assert r.status_code == 400


def test_the_list_filters_by_status_cause_and_order(raised, paid_order, api):
    order = paid_order()
    a = raised(order=order)
    b = raised()
    post(api("customer_service"), f"refunds/{b.number}/verify")

    def numbers(query):
        r = api("finance").get(f"/api/v1/refunds?{query}")
        assert r.status_code == 200
        return [x["number"] for x in r.json()["results"]]

    assert numbers("status=requested") == [a.number]
    assert numbers("status=verified") == [b.number]
    assert numbers(f"order_no={order.order_no}") == [a.number]
    assert numbers("cause=price_adjustment") == []
    assert sorted(numbers("")) == sorted([a.number, b.number])
    r = api("finance").get("/api/v1/refunds?status=paid")
    assert (r.status_code, list(r.json()["error"]["details"])) == (400, ["status"])


def test_an_unknown_refund_is_a_404_and_warehouse_cannot_see_refunds(api):
    r = api("finance").get("/api/v1/refunds/RF-NOPE")
    assert (r.status_code, r.json()["error"]["code"]) == (404, "refund_not_found")
    assert api("warehouse").get("/api/v1/refunds").status_code == 403


def test_customer_service_raises_a_price_adjustment_on_an_order(paid_order, api):
    order = paid_order()

    r = post(api("customer_service"), f"orders/{order.order_no}/refunds",
             {"cause": "price_adjustment", "line_no": 1, "units": 2, "unit_difference": "5.00", "note": "late promo"})

    assert r.status_code == 201
    assert (r.json()["cause"], r.json()["amount"], r.json()["status"]) == ("price_adjustment", "10.00", "requested")


def test_customer_service_raises_shipping_compensation_on_an_order(paid_order, api):
    order = paid_order(status="delivered")
    r = post(api("customer_service"), f"orders/{order.order_no}/refunds",
             {"cause": "shipping_compensation", "kind": "return_postage", "postage": "25.00"})
    assert (r.status_code, r.json()["amount"]) == (201, "20.00")
    r = post(api("customer_service"), f"orders/{order.order_no}/refunds",
             {"cause": "shipping_compensation", "kind": "shipping_fee"})
    assert (r.status_code, r.json()["amount"], r.json()["shipping_amount"]) == (201, "10.00", "10.00")


@pytest.mark.parametrize(("body", "field"), [
    ({}, "cause"),
    ({"cause": "return"}, "cause"),
    ({"cause": "price_adjustment", "line_no": "1", "units": 1, "unit_difference": "1.00"}, "line_no"),
    ({"cause": "price_adjustment", "line_no": 1, "units": 1, "unit_difference": 1.5}, "unit_difference"),
    ({"cause": "price_adjustment", "line_no": 1, "units": 1, "unit_difference": "1.005"}, "unit_difference"),
    ({"cause": "price_adjustment", "line_no": 9, "units": 1, "unit_difference": "1.00"}, "line_no"),
    ({"cause": "shipping_compensation"}, "kind"),
    ({"cause": "shipping_compensation", "kind": "return_postage"}, "postage"),
])
def test_bad_raise_input_is_a_400_naming_the_field(paid_order, api, body, field):
    r = post(api("customer_service"), f"orders/{paid_order().order_no}/refunds", body)
    assert r.status_code == 400, r.json()
    assert field in r.json()["error"]["details"]
    assert not Refund.objects.exists()


def test_a_price_difference_above_the_net_price_is_a_422(paid_order, api):
    r = post(api("customer_service"), f"orders/{paid_order().order_no}/refunds",
             {"cause": "price_adjustment", "line_no": 1, "units": 1, "unit_difference": "60.00"})
    assert (r.status_code, r.json()["error"]["code"]) == (422, "price_difference_too_large")


def test_raising_on_an_unknown_order_is_a_404(api):
    r = post(api("customer_service"), "orders/26000000000000/refunds",
             {"cause": "shipping_compensation", "kind": "shipping_fee"})
    assert r.status_code == 404


def test_the_order_detail_lists_its_refunds_and_after_sales_status(raised, paid_order, api):
    order = paid_order()
    refund = raised(order=order)

    body = api("customer_service").get(f"/api/v1/orders/{order.order_no}").json()

    assert body["after_sales_status"] == "in_progress"
    assert [(r["number"], r["status"], r["amount"]) for r in body["refunds"]] == [
        (refund.number, RefundStatus.REQUESTED, "54.00")]


def test_an_adapter_not_allowed_here_is_a_400_naming_adapter(raised, api, settings):
    settings.OMS_REFUND_ADAPTERS = ("manual",)
    number = raised().number
    post(api("customer_service"), f"refunds/{number}/verify")
    post(api("finance"), f"refunds/{number}/approve")

    r = post(api("finance"), f"refunds/{number}/execute", {"adapter": "test"})

    assert (r.status_code, r.json()["error"]["code"], list(r.json()["error"]["details"])) == (
        400, "unknown_refund_adapter", ["adapter"])
