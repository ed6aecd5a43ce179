"""The logistics exception queue and the buyer's tracking page in a real browser."""

import pytest
from django.core.cache import cache

from oms.shipping import exceptions as svc
from oms.shipping.models import ExceptionStatus, LogisticsException
from oms.shipping.models import TrackingStatus as S
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in
from tests.shipping.exception_setup import hours_ago, network, scan, shipped

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quiet_parcel(make_user):
    make_user("li", "logistics")
    network(no_update_hours=24)
    package = shipped(shipped_at=hours_ago(40), tracking_no="ZT555000999")
    scan(package, S.IN_TRANSIT, hours_ago(30), location="杭州转运中心", description="发往上海")
    svc.open_exceptions()
    return package


def test_logistics_finds_the_quiet_parcel_in_the_queue_contacts_the_carrier_and_closes_it(new_page, quiet_parcel,
                                                                                         screenshot_dir):
    ticket = LogisticsException.objects.get()
    page = new_page()
    sign_in(page, "li", PASSWORD)
    page.click("nav.mainnav a[href='/logistics/exceptions/']")
    row = page.locator(f"tr[data-ticket='{ticket.number}']")
    assert "ZT555000999" in row.inner_text()
    page.screenshot(path=str(screenshot_dir / "logistics-queue.png"), caret="initial")
    row.locator("a").first.click()

    page.fill("#action-contact_carrier textarea", "   ")  # blank note: the server's error is shown beside it
    page.click("#action-contact_carrier button")
    assert page.locator("#action-contact_carrier .field.has-error").count() == 1
    page.fill("#action-contact_carrier textarea", "中通：快件在转运中心滞留，今日发出")
    page.click("#action-contact_carrier button")
    page.wait_for_selector("[data-action='logistics_exception_carrier_contacted']")
    page.select_option("#action-close select", "delivered")
    page.click("#action-close button")
    page.wait_for_selector("[data-action='logistics_exception_closed']")
    assert page.locator("[data-testid='ticket-actions']").count() == 0
    assert [p for p in page.problems if "status of 400" not in p] == []  # the blank note's answer was a 400
    ticket.refresh_from_db()
    assert ticket.status == ExceptionStatus.CLOSED


def test_a_buyer_tracks_the_parcel_with_order_number_and_phone(new_page, quiet_parcel):
    cache.clear()
    page = new_page()
    page.goto("/track/")
    page.fill("input[name=order_no]", quiet_parcel.order.order_no)
    page.fill("input[name=phone]", "138 0013 8000")
    page.click("form.stack button[type=submit]")
    result = page.locator("[data-testid='track-result']")
    assert "ZT555000999" in result.inner_text() and "发往上海" in result.inner_text()
    assert "杭州仓" not in page.content()
    assert page.problems == []
