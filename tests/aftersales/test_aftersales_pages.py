"""After-sales pages through the Django test client: order panel, new request, queue, actions, receiving."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from oms.aftersales.models import AfterSalesRequest
from oms.aftersales.status import RequestStatus
from oms.inventory.models import StockLevel
from oms.payments.models import Refund
from tests.aftersales.returns_setup import PNG, delivered_order, network

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.AXES_ENABLED = False


@pytest.fixture
def order(db):
    network()
    return delivered_order()


@pytest.fixture
def browser(users):
    def signed_in(role):
        client = Client()
        client.force_login(users[role])
        return client

    return signed_in


def new_request(client, order, **fields):
    data = {"kind": "return_refund", "reason": "quality", "description": "领口开线", "qty_1": "1", **fields}
    return client.post(f"/orders/{order.order_no}/after-sales/new/", data)


def test_the_order_page_lists_requests_and_offers_a_new_one_to_customer_service(browser, order):
    page = browser("customer_service").get(f"/orders/{order.order_no}/")
    assert page.status_code == 200 and f"/orders/{order.order_no}/after-sales/new/".encode() in page.content
    assert b"/after-sales/new/" not in browser("warehouse").get(f"/orders/{order.order_no}/").content


def test_customer_service_opens_a_request_with_photos_from_the_order(browser, order):
    client = browser("customer_service")
    assert client.get(f"/orders/{order.order_no}/after-sales/new/").status_code == 200
    response = new_request(client, order, photos=[SimpleUploadedFile("a.png", PNG, content_type="image/png")])
    request = AfterSalesRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/after-sales/{request.number}/"
    assert request.attachments.count() == 1
    page = client.get(response["Location"])
    assert request.number.encode() in page.content and b'id="action-approve"' in page.content
    photo = request.attachments.get()
    assert client.get(f"/after-sales/{request.number}/photos/{photo.pk}/").status_code == 200
    assert request.number.encode() in client.get(f"/orders/{order.order_no}/").content


def test_a_late_request_shows_the_findings_and_keeps_the_form(browser, db):
    network()
    late = delivered_order(days_ago=30)
    response = new_request(browser("customer_service"), late, reason="no_reason")
    assert response.status_code == 422
    assert b'data-finding="outside_no_reason_window"' in response.content
    assert b'name="qty_1" value="1"' in response.content
    assert not AfterSalesRequest.objects.exists()


def test_a_non_image_photo_is_refused_on_the_page(browser, order):
    response = new_request(browser("customer_service"), order,
                           photos=[SimpleUploadedFile("a.jpg", b"GIF89a-not-really", content_type="image/jpeg")])
    assert response.status_code == 400 and not AfterSalesRequest.objects.exists()


def test_review_approve_then_receive_and_inspect_in_the_warehouse(browser, order):
    cs = browser("customer_service")
    new_request(cs, order, qty_1="2")
    request = AfterSalesRequest.objects.get()
    queue = cs.get("/after-sales/?tab=review")
    assert request.number.encode() in queue.content
    approved = cs.post(f"/after-sales/{request.number}/", {"action": "approve", "approve-note": "ok"})
    assert approved.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    assert request.number.encode() in cs.get("/after-sales/?tab=awaiting").content

    keeper = browser("warehouse")
    scanned = keeper.get("/returns/receive/", {"code": request.number})
    assert scanned.status_code == 302 and scanned["Location"] == f"/returns/receive/{request.number}/"
    assert keeper.get("/returns/receive/", {"code": "NOPE"}).status_code == 404
    form = keeper.get(scanned["Location"])
    assert b'name="resellable_1"' in form.content
    short = keeper.post(scanned["Location"], {"resellable_1": "1"})
    assert short.status_code == 400 and b"inspection_incomplete" not in short.content
    done = keeper.post(scanned["Location"], {"resellable_1": "1", "damaged_1": "1", "note_1": "一件有污渍",
                                             "tracking_no": "SF123"})
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED and request.return_tracking_no == "SF123"
    assert StockLevel.objects.get(sku__code="TEE").on_hand == 11
    assert Refund.objects.filter(request=request).exists()
    assert request.number.encode() in cs.get("/after-sales/?tab=done").content


def test_reject_without_a_reason_keeps_the_page_with_the_error(browser, order):
    cs = browser("customer_service")
    new_request(cs, order)
    number = AfterSalesRequest.objects.get().number
    response = cs.post(f"/after-sales/{number}/", {"action": "reject", "reject-reason": ""})
    assert response.status_code == 400
    ok = cs.post(f"/after-sales/{number}/", {"action": "reject", "reject-reason": "人为损坏"})
    assert ok.status_code == 302 and AfterSalesRequest.objects.get().status == RequestStatus.REJECTED


def test_roles_without_the_right_are_refused(browser, order):
    assert browser("warehouse").get(f"/orders/{order.order_no}/after-sales/new/").status_code == 403
    assert browser("customer_service").get("/returns/receive/").status_code == 403
    new_request(browser("customer_service"), order)
    number = AfterSalesRequest.objects.get().number
    refused = browser("warehouse").post(f"/after-sales/{number}/", {"action": "reject", "reject-reason": "x"})
    assert refused.status_code == 403 and AfterSalesRequest.objects.get().status == RequestStatus.SUBMITTED


def test_navigation_shows_after_sales_to_customer_service_and_returns_to_the_warehouse(browser, order):
    assert b'href="/after-sales/"' in browser("customer_service").get("/orders/").content
    assert b'href="/returns/receive/"' in browser("warehouse").get("/orders/").content


def test_a_dearer_exchange_shows_the_difference_and_finance_records_it_collected(browser, order):
    cs = browser("customer_service")
    new_request(cs, order, kind="exchange", reason="not_as_described", sku_1="TEE-L", price_1="65.00")
    request = AfterSalesRequest.objects.get()
    cs.post(f"/after-sales/{request.number}/", {"action": "approve"})
    browser("warehouse").post(f"/returns/receive/{request.number}/", {"resellable_1": "1"})
    finance = browser("finance")
    page = finance.get(f"/after-sales/{request.number}/")
    assert b'data-testid="difference-due"' in page.content and b'id="action-collect_difference"' in page.content
    done = finance.post(f"/after-sales/{request.number}/", {"action": "collect_difference",
                                                            "collect_difference-reference": "ALI-DIFF-7"})
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED and request.replacement_package_id
    assert b'data-testid="replacement"' in finance.get(f"/after-sales/{request.number}/").content


def test_a_superscript_digit_in_a_unit_count_is_a_form_error_not_a_server_error(browser, order):
    cs = browser("customer_service")
    response = new_request(cs, order, qty_1="²")
    assert response.status_code == 400 and not AfterSalesRequest.objects.exists()
    new_request(cs, order)
    request = AfterSalesRequest.objects.get()
    cs.post(f"/after-sales/{request.number}/", {"action": "approve"})
    inspected = browser("warehouse").post(f"/returns/receive/{request.number}/", {"resellable_1": "²"})
    assert inspected.status_code == 400
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
