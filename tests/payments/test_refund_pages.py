"""Refund pages: the queue by step, a refund with the buttons its role allows, raising from the order page."""

from decimal import Decimal

import pytest
from django.test import Client

from oms.aftersales.status import RefundStatus
from oms.payments.models import Refund
from oms.payments.refund_flow import approve_refund, verify_refund
from tests.payments.refund_fixtures import paid_order, place, raised, second_finance  # noqa: F401


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # assertions below read the English texts

# ruff: noqa: F811

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def page(users):
    def client_for(role: str) -> Client:
        client = Client()
        client.force_login(users[role])
        return client

    return client_for


def test_customer_service_and_finance_have_the_refunds_nav_entry_and_warehouse_not(page):
    assert 'href="/refunds/"' in page("customer_service").get("/orders/").content.decode()
    assert 'href="/refunds/"' in page("finance").get("/orders/").content.decode()
    assert 'href="/refunds/"' not in page("warehouse").get("/orders/").content.decode()
    assert page("warehouse").get("/refunds/").status_code == 403


def test_the_queue_shows_refunds_to_verify_with_amount_cause_order_and_route(raised, page):
    refund = raised()

    html = page("customer_service").get("/refunds/").content.decode()

    assert f'data-refund="{refund.number}"' in html
    assert "¥54.00" in html and "2026112622001" in html
    assert f'href="/orders/{refund.order.order_no}/"' in html
    assert 'data-tab="to_verify"' in html


def test_finance_lands_on_the_refunds_to_approve(raised, actor, page):
    waiting, verified = raised(), raised()
    verify_refund(number=verified.number, actor=actor("customer_service"))

    html = page("finance").get("/refunds/").content.decode()

    assert f'data-refund="{verified.number}"' in html
    assert f'data-refund="{waiting.number}"' not in html
    assert f'data-refund="{waiting.number}"' in page("finance").get("/refunds/?tab=to_verify").content.decode()


def test_the_queue_filters_by_order_number(raised, page):
    a, b = raised(), raised()
    html = page("customer_service").get(f"/refunds/?tab=to_verify&order_no={a.order.order_no}").content.decode()
    assert f'data-refund="{a.number}"' in html and f'data-refund="{b.number}"' not in html


def test_customer_service_sees_verify_and_finance_sees_no_button_on_a_requested_refund(raised, page):
    refund = raised()
    cs_html = page("customer_service").get(f"/refunds/{refund.number}/").content.decode()
    finance_html = page("finance").get(f"/refunds/{refund.number}/").content.decode()
    assert 'id="action-verify"' in cs_html and 'id="action-reject"' in cs_html
    assert 'id="action-verify"' not in finance_html and 'data-testid="refund-actions"' not in finance_html


def test_verify_approve_and_execute_through_the_pages(raised, page):
    refund = raised()
    url = f"/refunds/{refund.number}/"

    r = page("customer_service").post(url, {"action": "verify", "verify-note": "ok"})
    assert r.status_code == 302
    r = page("finance").post(url, {"action": "approve", "approve-note": ""})
    assert r.status_code == 302
    r = page("finance").post(url, {"action": "execute", "execute-adapter": "manual",
                                   "execute-reference": "WX-RF-1"}, follow=True)

    html = r.content.decode()
    assert "Refund issued" in html
    assert 'data-testid="refund-reference">WX-RF-1<' in html
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.SUCCEEDED


def test_a_manual_execution_without_reference_shows_the_error_by_the_field(raised, actor, page):
    refund = raised()
    verify_refund(number=refund.number, actor=actor("customer_service"))
    approve_refund(number=refund.number, actor=actor("finance"))

    r = page("finance").post(f"/refunds/{refund.number}/", {"action": "execute", "execute-adapter": "manual",
                                                             "execute-reference": ""})

    assert r.status_code == 400
    assert "Enter the reference of the refund made in the payment platform." in r.content.decode()
    assert Refund.objects.get(pk=refund.pk).attempts == 0


def test_a_failed_execution_is_shown_and_offers_execute_again(raised, paid_order, actor, page):
    refund = raised(order=paid_order(transaction_id="FAIL-9"))
    verify_refund(number=refund.number, actor=actor("customer_service"))
    approve_refund(number=refund.number, actor=actor("finance"))

    r = page("finance").post(f"/refunds/{refund.number}/", {"action": "execute", "execute-adapter": "test"},
                             follow=True)

    html = r.content.decode()
    assert "refused the refund" in html and "FAIL-9" in html
    assert "Execute again" in html
    assert 'data-tab="failed"' in page("finance").get("/refunds/?tab=failed").content.decode()


def test_maker_checker_refusal_is_shown_on_the_page(raised, page, settings):
    settings.OMS_REFUND_SECOND_APPROVAL_ABOVE = D("50.00")
    refund = raised()
    url = f"/refunds/{refund.number}/"
    page("customer_service").post(url, {"action": "verify"})
    page("finance").post(url, {"action": "approve"})

    r = page("finance").post(url, {"action": "second_approve"})

    assert r.status_code == 422
    assert 'data-testid="refund-error"' in r.content.decode()
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.AWAITING_SECOND_APPROVAL


def test_rejecting_without_a_reason_shows_a_form_error(raised, page):
    refund = raised()
    r = page("customer_service").post(f"/refunds/{refund.number}/", {"action": "reject", "reject-reason": ""})
    assert r.status_code == 400
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.REQUESTED


def test_an_unknown_refund_page_is_a_404(page):
    assert page("finance").get("/refunds/RF-NOPE/").status_code == 404


def test_the_order_page_lists_refunds_and_offers_cs_the_raise_forms(raised, paid_order, page):
    order = paid_order()
    refund = raised(order=order)

    cs_html = page("customer_service").get(f"/orders/{order.order_no}/").content.decode()
    finance_html = page("finance").get(f"/orders/{order.order_no}/").content.decode()

    assert f'data-refund="{refund.number}"' in cs_html
    assert 'id="order-raise-price"' in cs_html and 'id="order-raise-shipping"' in cs_html
    assert 'data-testid="after-sales-status"' in cs_html
    assert f'data-refund="{refund.number}"' in finance_html and 'id="order-raise-price"' not in finance_html


def test_customer_service_raises_a_price_adjustment_from_the_order_page(paid_order, page):
    order = paid_order()

    r = page("customer_service").post(f"/orders/{order.order_no}/refunds/new/", {
        "cause": "price_adjustment", "price-line_no": "1", "price-units": "2", "price-unit_difference": "3.00",
        "price-note": ""})

    refund = Refund.objects.get(order=order)
    assert r.status_code == 302 and r["Location"] == f"/refunds/{refund.number}/"
    assert refund.amount == D("6.00")


def test_a_too_large_price_difference_is_shown_by_its_field(paid_order, page):
    order = paid_order()
    r = page("customer_service").post(f"/orders/{order.order_no}/refunds/new/", {
        "cause": "price_adjustment", "price-line_no": "1", "price-units": "1", "price-unit_difference": "99.00"})
    assert r.status_code == 422
    assert "more than the unit" in r.content.decode()
    assert not Refund.objects.exists()


def test_return_postage_without_an_amount_is_a_form_error(paid_order, page):
    order = paid_order(status="delivered")
    r = page("customer_service").post(f"/orders/{order.order_no}/refunds/new/", {
        "cause": "shipping_compensation", "shipping-kind": "return_postage", "shipping-postage": ""})
    assert r.status_code == 400
    assert not Refund.objects.exists()


def test_the_raise_page_shows_both_forms_and_finance_cannot_use_it(paid_order, page):
    order = paid_order()
    html = page("customer_service").get(f"/orders/{order.order_no}/refunds/new/").content.decode()
    assert 'id="raise-price"' in html and 'id="raise-shipping"' in html
    assert page("finance").get(f"/orders/{order.order_no}/refunds/new/").status_code == 403


def test_the_execute_form_offers_only_the_allowed_adapters(raised, actor, page, settings):
    settings.OMS_REFUND_ADAPTERS = ("manual",)
    refund = raised()
    verify_refund(number=refund.number, actor=actor("customer_service"))
    approve_refund(number=refund.number, actor=actor("finance"))

    html = page("finance").get(f"/refunds/{refund.number}/").content.decode()
    r = page("finance").post(f"/refunds/{refund.number}/", {"action": "execute", "execute-adapter": "test"})

    assert 'value="manual"' in html and 'value="test"' not in html
    assert r.status_code == 400 and Refund.objects.get(pk=refund.pk).attempts == 0
