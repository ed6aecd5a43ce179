"""The archive in a real browser: customer service finds an archived order by phone, opens it, exports it."""

import io

import pytest
from openpyxl import load_workbook

from oms.accounts.actor import Actor
from oms.audit.models import AuditEvent
from oms.orders.archiving import archive_orders
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in
from tests.orders.test_archiving import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_service_finds_an_archived_order_by_phone_opens_and_exports_it(new_page, make_user):
    make_user("cs", "customer_service")
    order = make_order(completed_days_ago=200, phone="13733334444", with_package=True)
    working = make_order(completed_days_ago=3, phone="13733334444")
    archive_orders(actor=Actor.system())
    page = new_page()
    sign_in(page, "cs", PASSWORD)

    page.goto("/orders/?phone=13733334444")
    assert working.order_no in page.inner_text("#order-results")
    assert order.order_no not in page.inner_text("#order-results")

    page.click("nav.mainnav >> text=Archive")
    page.fill("input[name=phone]", "13733334444")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_load_state()
    results = page.inner_text("[data-testid=archive-results]")
    assert order.order_no in results and working.order_no not in results

    with page.expect_download() as download:
        page.click("[data-testid=export-xlsx]")
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    assert [ws.max_row for ws in book.worksheets][:3] == [2, 2, 3]  # header + line, package, 2 events
    assert AuditEvent.objects.filter(action="archive_exported", actor_username="cs").count() == 1

    page.click(f"text={order.order_no}")
    page.wait_for_url(f"**/orders/{order.order_no}/")
    assert page.locator("[data-testid=order-archived]").is_visible()
    assert page.problems == []
