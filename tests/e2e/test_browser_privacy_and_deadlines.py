"""Two of issue 7's promises in a real browser: customer service sees masked phone numbers and reveals one
(recorded in the order's timeline), and the warehouse sees an order paid 47 hours ago as at risk, from the home
page's counts down to the queue, with a notice in its inbox."""

from datetime import timedelta

import pytest
from django.utils import timezone

from oms.audit.models import AuditEvent
from oms.inbox.models import Notice
from oms.orders.personal_data import mask_phone
from oms.timeliness import services as deadlines
from oms.timeliness.sweep import sweep
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in
from tests.fulfillment.conftest import network, push, receive  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_service_sees_a_masked_phone_and_a_reveal_is_recorded(new_page, push, actor,  # noqa: F811
                                                                      network, screenshot_dir):  # noqa: F811
    receive(actor, "TEE", "hz", 1)
    order = push(("TEE", 1))
    phone = order.ship_phone

    page = new_page()
    sign_in(page, "customer_service", PASSWORD)
    page.goto(f"/orders/{order.order_no}/")
    assert page.locator("[data-testid=ship-phone]").inner_text().strip() == mask_phone(phone)
    assert phone not in page.content()
    page.screenshot(path=str(screenshot_dir / "order-masked.png"), caret="initial")

    page.click("[data-testid=reveal]")
    page.wait_for_selector("[data-testid=revealed-note]")
    assert page.locator("[data-testid=ship-phone]").inner_text().strip() == phone
    page.screenshot(path=str(screenshot_dir / "order-revealed.png"), caret="initial")
    reveal = AuditEvent.objects.get(order=order, action="personal_data_revealed")
    assert reveal.actor_username == "customer_service"
    assert phone not in str(reveal.data) and phone not in str(reveal.changes)

    finance = new_page()
    sign_in(finance, "finance", PASSWORD)
    finance.goto(f"/orders/{order.order_no}/")
    assert finance.locator("[data-testid=reveal]").count() == 0
    assert phone not in finance.content()
    assert page.problems == [] and finance.problems == []


def test_the_warehouse_sees_an_order_paid_47_hours_ago_as_at_risk(new_page, push, actor,  # noqa: F811
                                                                 network, screenshot_dir):  # noqa: F811
    # Every day a working day, so that "47 hours ago" is 47 working hours whatever today is.
    deadlines.set_working_weekdays(weekdays=list(range(7)), actor=actor("operations"))
    deadlines.set_policy(channel_code=None, values={"shipment_hours": 48}, actor=actor("operations"))
    receive(actor, "TEE", "hz", 1)
    paid_at = timezone.now() - timedelta(hours=47)
    order = push(("TEE", 1), placed_at=(paid_at - timedelta(minutes=1)).isoformat(),
                 payment={"method": "alipay", "status": "paid", "paid_at": paid_at.isoformat(),
                          "transaction_id": "T47"})
    sweep()

    page = new_page()
    sign_in(page, "warehouse", PASSWORD)
    page.goto("/")
    row = page.locator("#home-timeliness tr[data-team=warehouse]")
    assert row.locator("[data-count=at_risk]").inner_text().strip() == "1"
    page.screenshot(path=str(screenshot_dir / "home-deadlines.png"), caret="initial")

    with page.expect_navigation():
        row.locator("[data-count=at_risk]").click()
    assert page.locator(f"tr[data-order='{order.order_no}']").count() == 1
    page.screenshot(path=str(screenshot_dir / "warehouse-at-risk.png"), caret="initial")

    page.goto("/inbox/")
    assert order.order_no in page.content()
    assert Notice.objects.filter(team="warehouse", order=order).count() == 1
    assert page.problems == []
