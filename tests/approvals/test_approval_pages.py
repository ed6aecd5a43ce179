"""Change request pages through the Django test client: queue, detail with decisions, the request form,
the order page's panel and the stock adjust page's link."""

import pytest
from django.test import Client

from oms.approvals import services as svc
from oms.approvals.models import ChangeRequest
from oms.approvals.status import ChangeStatus
from oms.orders.models import Order
from tests.approvals.setup import network, shipped_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.AXES_ENABLED = False


@pytest.fixture
def browser(users):
    def signed_in(role):
        client = Client()
        client.force_login(users[role])
        return client

    return signed_in


def test_the_queue_shows_what_waits_for_the_approver(browser, actor):
    network()
    cr = svc.request_change(kind="stock_adjustment", actor=actor("warehouse"), reason="年度盘点",
                            proposed={"sku": "TEE", "warehouse": "hz", "delta": 60})
    page = browser("operations").get("/approvals/")
    assert page.status_code == 200
    assert f'data-change-request="{cr.number}"' in page.content.decode()
    assert b'href="/approvals/"' in page.content  # the nav item


def test_an_approver_approves_from_the_detail_page(browser, actor):
    network()
    cr = svc.request_change(kind="stock_adjustment", actor=actor("warehouse"), reason="年度盘点",
                            proposed={"sku": "TEE", "warehouse": "hz", "delta": 60})
    client = browser("operations")
    assert b'id="action-approve"' in client.get(f"/approvals/{cr.number}/").content
    answer = client.post(f"/approvals/{cr.number}/", {"action": "approve", "approve-note": "ok"})
    assert answer.status_code == 302
    assert ChangeRequest.objects.get(pk=cr.pk).status == ChangeStatus.APPROVED


def test_rejecting_on_the_page_without_a_note_shows_the_form_again(browser, actor):
    network()
    cr = svc.request_change(kind="stock_adjustment", actor=actor("warehouse"), reason="r",
                            proposed={"sku": "TEE", "warehouse": "hz", "delta": 60})
    answer = browser("operations").post(f"/approvals/{cr.number}/", {"action": "reject", "reject-note": ""})
    assert answer.status_code == 400
    assert ChangeRequest.objects.get(pk=cr.pk).status == ChangeStatus.PENDING


def test_a_correction_is_requested_from_the_order_page(browser):
    network()
    order = shipped_order()
    client = browser("customer_service")
    assert b'data-testid="request-correction"' in client.get(f"/orders/{order.order_no}/").content
    form = client.get("/approvals/new/", {"order_no": order.order_no, "kind": "customer_data"})
    assert form.status_code == 200 and b"ship_detail" in form.content
    fields = {k: getattr(order, k) for k in ("customer_name", "customer_phone", "ship_name", "ship_phone",
                                             "ship_province", "ship_city", "ship_district", "ship_postcode")}
    answer = client.post("/approvals/new/", {"order_no": order.order_no, "kind": "customer_data", **fields,
                                             "ship_detail": "文三路102号", "reason": "买家来电"})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    cr = ChangeRequest.objects.get(order=order)
    assert cr.proposed == {"ship_detail": "文三路102号"}
    assert Order.objects.get(pk=order.pk).ship_detail == "文三路100号"


def test_the_stock_adjust_page_offers_a_request_above_the_threshold(browser):
    network()
    answer = browser("operations").post("/stock/adjust/", {"sku": "TEE", "warehouse": "hz", "delta": "60",
                                                          "reason": "年度盘点"})
    assert answer.status_code == 422
    assert b'data-testid="approval-needed"' in answer.content
    assert b"/approvals/new/?kind=stock_adjustment" in answer.content
