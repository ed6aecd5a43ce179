"""Cancellation and interceptions through the API and the back-office pages."""

import pytest
from django.test import Client

from oms.fulfillment.models import Interception
from oms.orders.models import Order
from oms.payments.models import Refund
from tests.aftersales.cancel_setup import network, on_pick_list, packed, push, receive, ship  # noqa: F401


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # assertions below read the English texts

pytestmark = pytest.mark.usefixtures("network")


def web(users, role):
    client = Client()
    client.force_login(users[role])
    return client


def test_the_cancel_api_cancels_at_once_before_picking(push, actor, api):  # noqa: F811
    receive(actor, "TEE", "hz", 5)
    order = push(("TEE", 1))

    response = api("customer_service").post(f"/api/v1/orders/{order.order_no}/cancel",
                                            {"reason": "out_of_stock"}, format="json")

    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert Refund.objects.filter(order=order).count() == 1


def test_the_cancel_api_answers_202_with_the_interception_after_picking_started(on_pick_list, api):  # noqa: F811
    order, package = on_pick_list(("TEE", 1))

    first = api("integration").post(f"/api/v1/orders/{order.order_no}/cancel", {"reason": "buyer_request"},
                                    format="json")
    again = api("integration").post(f"/api/v1/orders/{order.order_no}/cancel", {"reason": "buyer_request"},
                                    format="json")

    assert first.status_code == 202 and again.status_code == 202
    body = first.json()
    assert body["result"] == "interception_requested" and body["order"]["status"] == "pending_shipment"
    assert [i["package"] for i in body["interceptions"]] == [package]
    assert body["interceptions"][0]["via"] == "channel"
    assert again.json()["interceptions"][0]["id"] == body["interceptions"][0]["id"]


def test_the_cancel_api_refuses_a_shipped_order_with_409_and_bad_input_with_400(packed, actor, api):  # noqa: F811
    order, package = packed(("TEE", 1))
    ship(actor, package)
    client = api("customer_service")

    shipped = client.post(f"/api/v1/orders/{order.order_no}/cancel", {"reason": "buyer_request"}, format="json")
    assert shipped.status_code == 409 and shipped.json()["error"]["code"] == "already_shipped"
    bad_via = client.post(f"/api/v1/orders/{order.order_no}/cancel", {"reason": "risk", "via": "x"}, format="json")
    assert bad_via.status_code == 400 and "via" in bad_via.json()["error"]["details"]
    no_reason = client.post(f"/api/v1/orders/{order.order_no}/cancel", {}, format="json")
    assert no_reason.status_code == 400
    wrong = api("integration").post(f"/api/v1/orders/{order.order_no}/cancel", {"reason": "risk"}, format="json")
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "cancel_reason_not_allowed"


def test_the_warehouse_lists_confirms_and_reports_interceptions_through_the_api(packed, actor, api):  # noqa: F811
    first, p1 = packed(("TEE", 1))
    second, p2 = packed(("MUG", 1))
    for order in (first, second):
        api("customer_service").post(f"/api/v1/orders/{order.order_no}/cancel", {"reason": "risk"}, format="json")
    client = api("warehouse")

    listed = client.get("/api/v1/interceptions?warehouse=hz").json()
    assert listed["count"] == 2 and [r["package"] for r in listed["results"]] == [p1, p2]  # oldest first
    assert listed["results"][0]["bins"][0]["bin"] == "A01-01-1"
    ids = [r["id"] for r in listed["results"]]

    confirmed = client.post(f"/api/v1/interceptions/{ids[0]}/confirm", {"note": "back"}, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["order_cancelled"] is True
    assert confirmed.json()["returned_to_bins"] == [{"sku": "TEE", "bin": "A01-01-1", "units": 1}]
    late = client.post(f"/api/v1/interceptions/{ids[1]}/too-late", {}, format="json")
    assert late.status_code == 200 and late.json()["interception"]["status"] == "too_late"

    assert client.get("/api/v1/interceptions").json()["count"] == 0
    assert client.get("/api/v1/interceptions?status=all").json()["count"] == 2
    assert client.get("/api/v1/interceptions?status=nope").status_code == 400
    assert client.post("/api/v1/interceptions/999999/confirm", {}, format="json").status_code == 404
    assert client.post("/api/v1/interceptions/abc/confirm", {}, format="json").status_code == 404
    assert client.post(f"/api/v1/interceptions/{ids[0]}/too-late", {}, format="json").status_code == 409
    assert api("customer_service").post(f"/api/v1/interceptions/{ids[1]}/confirm", {},
                                        format="json").status_code == 403


def test_the_order_page_says_an_interception_will_be_requested_and_shows_it_once_requested(on_pick_list, users):  # noqa: F811
    order, package = on_pick_list(("TEE", 1))
    clerk = web(users, "customer_service")

    page = clerk.get(f"/orders/{order.order_no}/").content.decode()
    assert 'data-testid="cancel-intercepts"' in page

    response = clerk.post(f"/orders/{order.order_no}/cancel/", {"reason": "buyer_request", "note": ""})
    assert response.status_code == 302
    page = clerk.get(f"/orders/{order.order_no}/").content.decode()
    assert 'data-testid="interceptions"' in page and package in page
    assert Interception.objects.get(order=order).via == "back_office"


def test_the_warehouse_queue_lists_open_interceptions_and_its_buttons_resolve_them(packed, users):  # noqa: F811
    order, package = packed(("TEE", 1))
    web(users, "customer_service").post(f"/orders/{order.order_no}/cancel/", {"reason": "risk", "note": ""})
    keeper = web(users, "warehouse")

    page = keeper.get("/interceptions/")
    assert page.status_code == 200
    html = page.content.decode()
    assert package in html and "A01-01-1" in html and 'href="/interceptions/"' in html  # in the navigation
    interception = Interception.objects.get(order=order)

    response = keeper.post(f"/interceptions/{interception.pk}/confirm/", follow=True)
    assert response.status_code == 200 and "A01-01-1" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    assert package not in keeper.get("/interceptions/").content.decode()
    assert web(users, "customer_service").get("/interceptions/").status_code == 403


def test_the_packing_page_warns_about_an_open_interception(packed, actor, users):  # noqa: F811
    order, package = packed(("TEE", 1))
    cancel = web(users, "customer_service").post(f"/orders/{order.order_no}/cancel/", {"reason": "risk", "note": ""})
    assert cancel.status_code == 302

    page = web(users, "warehouse").get(f"/pack/{package}/").content.decode()

    assert "Interception requested" in page
