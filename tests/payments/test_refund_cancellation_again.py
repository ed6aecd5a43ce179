"""A cancelled paid order whose cancellation refund was rejected can have it raised again (CS): service, API, page."""

from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from oms.aftersales.status import RefundCause, RefundStatus
from oms.core.errors import PermissionDenied
from oms.payments.models import Refund
from oms.payments.refund_errors import NothingToRefund, OrderNotCancelledForRefund
from oms.payments.refund_flow import raise_cancellation_refund, reject_refund
from tests.payments.refund_fixtures import paid_order, place  # noqa: F401

# ruff: noqa: F811

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def rejected(paid_order, actor):
    """A cancelled order paid 118.00 whose cancellation refund finance rejected."""
    order = paid_order(status="cancelled")
    first = raise_cancellation_refund(order_no=order.order_no, actor=actor("customer_service"))
    reject_refund(number=first.number, actor=actor("finance"), reason="wrong account")
    return order


def test_customer_service_raises_the_cancellation_refund_again_after_a_rejection(rejected, actor):
    again = raise_cancellation_refund(order_no=rejected.order_no, actor=actor("customer_service"), note="buyer asked")

    assert (again.cause, again.status, again.amount) == (RefundCause.CANCELLATION, RefundStatus.VERIFIED, D("118.00"))
    with pytest.raises(NothingToRefund):
        raise_cancellation_refund(order_no=rejected.order_no, actor=actor("customer_service"))


def test_only_a_cancelled_order_and_only_customer_service(paid_order, rejected, actor):
    with pytest.raises(OrderNotCancelledForRefund):
        raise_cancellation_refund(order_no=paid_order().order_no, actor=actor("customer_service"))
    with pytest.raises(PermissionDenied):
        raise_cancellation_refund(order_no=rejected.order_no, actor=actor("warehouse"))
    assert Refund.objects.filter(order=rejected).count() == 1


def test_the_api_raises_it_with_cause_cancellation(rejected, users):
    from oms.accounts.services import token_for

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(username=users['customer_service'].username)}")
    url = f"/api/v1/orders/{rejected.order_no}/refunds"

    r = client.post(url, {"cause": "cancellation", "note": "again"}, format="json")
    assert (r.status_code, r.json()["cause"], r.json()["amount"]) == (201, "cancellation", "118.00")
    r = client.post(url, {"cause": "cancellation"}, format="json")
    assert (r.status_code, r.json()["error"]["code"]) == (422, "nothing_to_refund")


def test_the_order_page_offers_the_button_while_money_is_left(rejected, users):
    client = Client()
    client.force_login(users["customer_service"])
    url = f"/orders/{rejected.order_no}/"
    assert 'id="order-raise-cancellation"' in client.get(url).content.decode()

    r = client.post(f"/orders/{rejected.order_no}/refunds/new/", {"cause": "cancellation"}, follow=True)

    assert r.status_code == 200 and Refund.objects.filter(order=rejected, status=RefundStatus.VERIFIED).count() == 1
    assert 'id="order-raise-cancellation"' not in client.get(url).content.decode()
