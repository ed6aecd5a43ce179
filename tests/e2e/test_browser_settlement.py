"""Completion and settlement in a real browser: customer service confirms receipt with the order page's
button; finance opens the day in the settlement view, is asked for a note because the channel
reported a different amount, and marks the day settled."""

# ruff: noqa: F811  (`place` is a fixture imported from tests/orders/completion_fixtures.py)
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from oms.orders.models import Order
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in
from tests.orders.completion_fixtures import place  # noqa: F401  (a fixture; the tests take it as an argument)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_customer_service_confirms_receipt_on_the_order_page(new_page, place, users):
    order = place(status="delivered")
    page = new_page()
    sign_in(page, "customer_service", PASSWORD)

    page.goto(f"/orders/{order.order_no}/")
    page.click("button[name=confirm_receipt]")
    page.wait_for_load_state()

    assert page.inner_text("[data-testid=order-status]") == "Completed"
    assert page.locator("[data-testid=completed-at]").is_visible()
    assert Order.objects.get(pk=order.pk).receipt_confirmed_by == "customer_service"


def test_finance_settles_a_day_with_a_note_for_the_reported_difference(new_page, place, users, screenshot_dir):
    day = timezone.now().astimezone(SHANGHAI).date() - timedelta(days=1)
    orders = [place(status="completed", completed_at=datetime.combine(day, time(10 + i), tzinfo=SHANGHAI))
              for i in range(2)]
    page = new_page()
    sign_in(page, "finance", PASSWORD)

    page.goto("/")
    page.click("nav.mainnav >> text=Settlement")
    page.click(f"a[href='/finance/settlement/taobao/{day.isoformat()}/']")
    assert page.inner_text("[data-testid=pending-count]") == "2"
    page.fill("input[name=reported_amount]", "235.50")
    page.click("button[name=settle]")
    page.wait_for_load_state()
    assert "resolved" in page.inner_text(".settle-form")  # the note is asked for; nothing settled
    assert Order.objects.filter(pk__in=[o.pk for o in orders], settled_at__isnull=False).count() == 0

    page.fill("textarea[name=note]", "平台扣手续费 0.50")
    page.click("button[name=settle]")
    page.wait_for_load_state()

    assert page.locator("[data-testid=batch]").count() == 1
    assert "-0.50" in page.inner_text("[data-testid=batch]")
    page.screenshot(path=str(screenshot_dir / "settlement-day.png"))
    assert Order.objects.filter(pk__in=[o.pk for o in orders], settled_at__isnull=False).count() == 2
    assert [p for p in page.problems if "422" not in p] == []
