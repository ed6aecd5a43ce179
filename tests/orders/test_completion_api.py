"""Receipt confirmation through the HTTP API (channels, staff) and the order page's button."""
# ruff: noqa: F811  (`place` is a fixture imported from tests/orders/completion_fixtures.py)

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from oms.audit.models import AuditEvent
from oms.orders.models import Order
from oms.orders.status import OrderStatus
from tests.orders.completion_fixtures import place  # noqa: F401  (a fixture; the tests take it as an argument)

pytestmark = pytest.mark.django_db


def url(order) -> str:
    return f"/api/v1/orders/{order.order_no}/confirm-receipt"


def test_a_marketplace_integration_confirms_as_the_platform_and_a_resend_changes_nothing(place, api):
    order = place(status=OrderStatus.DELIVERED, channel="taobao")
    shop = api("integration")

    at = timezone.localtime(timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    first = shop.post(url(order), {"confirmed_at": at.isoformat()}, format="json")
    again = shop.post(url(order), {}, format="json")

    assert first.status_code == 200, first.content
    assert first.json()["receipt_confirmed_by"] == "platform"
    assert first.json()["changed"] is True
    assert first.json()["completed_at"] == at.isoformat()  # shown in Asia/Shanghai, as given
    assert Order.objects.get(pk=order.pk).completed_at == at
    assert again.status_code == 200 and again.json()["changed"] is False
    assert AuditEvent.objects.filter(order=order, action="receipt_confirmed").count() == 1


def test_an_own_shop_integration_confirms_as_the_buyer_without_a_body(place, api):
    order = place(status=OrderStatus.SHIPPED, channel="web")

    response = api("integration").post(url(order))

    assert response.status_code == 200, response.content
    assert response.json()["receipt_confirmed_by"] == "buyer"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COMPLETED


def test_customer_service_confirms_through_the_api_as_customer_service_only(place, api):
    order = place(status=OrderStatus.DELIVERED)
    cs = api("customer_service")

    refused = cs.post(url(order), {"by": "buyer"}, format="json")
    accepted = cs.post(url(order), {}, format="json")

    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "validation_failed"
    assert "by" in refused.json()["error"]["details"]
    assert accepted.json()["receipt_confirmed_by"] == "customer_service"


def test_an_order_not_yet_shipped_answers_409_with_its_status(place, api):
    order = place(status=OrderStatus.PENDING_SHIPMENT)

    response = api("integration").post(url(order), {}, format="json")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "receipt_not_confirmable"
    assert error["details"]["status"] == "pending_shipment"


def test_a_malformed_confirmation_time_is_named(place, api):
    order = place(status=OrderStatus.DELIVERED)

    response = api("integration").post(url(order), {"confirmed_at": "yesterday"}, format="json")

    assert response.status_code == 400
    assert "confirmed_at" in response.json()["error"]["details"]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED


def test_warehouse_staff_get_403_and_an_unknown_order_404(place, api):
    order = place(status=OrderStatus.DELIVERED)

    assert api("warehouse").post(url(order)).status_code == 403
    assert api("integration").post("/api/v1/orders/NOPE-1/confirm-receipt").status_code == 404


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_customer_service_confirms_receipt_with_the_button_on_the_order_page(place, users):
    order = place(status=OrderStatus.DELIVERED)
    cs = page_client(users["customer_service"])

    page = cs.get(f"/orders/{order.order_no}/")
    response = cs.post(f"/orders/{order.order_no}/confirm-receipt/", follow=True)

    assert b'name="confirm_receipt"' in page.content
    assert response.status_code == 200
    assert Order.objects.get(pk=order.pk).receipt_confirmed_by == "customer_service"
    assert b'data-testid="completed-at"' in response.content
    assert b'name="confirm_receipt"' not in response.content


def test_the_button_is_not_offered_to_warehouse_staff_nor_for_orders_not_shipped(place, users):
    delivered = place(status=OrderStatus.DELIVERED)
    waiting = place(status=OrderStatus.PENDING_SHIPMENT)

    assert b'name="confirm_receipt"' not in page_client(users["warehouse"]).get(
        f"/orders/{delivered.order_no}/").content
    assert b'name="confirm_receipt"' not in page_client(users["customer_service"]).get(
        f"/orders/{waiting.order_no}/").content


def test_a_refused_button_press_shows_the_reason_and_changes_nothing(place, users):
    order = place(status=OrderStatus.PENDING_SHIPMENT)

    response = page_client(users["customer_service"]).post(f"/orders/{order.order_no}/confirm-receipt/", follow=True)

    assert response.status_code == 200
    assert "message-error" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_SHIPMENT
