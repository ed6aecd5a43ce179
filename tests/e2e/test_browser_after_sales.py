"""After-sales in a real browser, walked by the roles that do it in the back office.

A return and refund: customer service opens the request from the order page and approves it, the warehouse
scans the request number and records the inspection, customer service verifies the refund it raised and
finance approves it and executes it by hand (the manual adapter asks for the platform's reference).
A cancellation after picking started: customer service is warned an interception will be requested, the
warehouse confirms it in its queue, and the order is then cancelled with its refund raised.
"""

# ruff: noqa: F811  (fixtures imported from tests/aftersales/cancel_setup.py)
import importlib
import re

import pytest

from oms.aftersales.models import AfterSalesRequest
from oms.aftersales.status import RefundCause, RefundStatus, RequestStatus
from oms.fulfillment.models import Interception, InterceptionStatus
from oms.inventory.models import StockLevel
from oms.notifications.models import Message, OutboxMessage
from oms.notifications.outbox import deliver_pending
from oms.orders.models import Order
from oms.payments.models import Refund
from tests.aftersales.cancel_setup import network, on_pick_list, packed, push  # noqa: F401  (fixtures)
from tests.aftersales.returns_setup import delivered_order
from tests.aftersales.returns_setup import network as returns_network
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def default_templates(db):
    """The buyer-message templates the migrations create: an earlier transactional test flushed them."""
    from oms.notifications.models import MessageTemplate

    for module in ("0003_default_templates", "0005_after_sales_templates"):
        defaults = importlib.import_module(f"oms.notifications.migrations.{module}").DEFAULTS
        for (event, medium, language), (subject, body) in defaults.items():
            MessageTemplate.objects.get_or_create(event=event, medium=medium, language=language,
                                                  defaults={"subject": subject, "body": body})


def submit(page, form: str) -> None:
    """Click the form's submit button and wait for the page the server answers with."""
    with page.expect_navigation():
        page.click(f"{form} button[type=submit]")


def timeline(page) -> set[str]:
    """The audit actions the order page's timeline lists (its `event-<action>` classes)."""
    classes = page.locator("ol.timeline li.event").evaluate_all("items => items.map(i => i.className)")
    return {c.split("event-", 1)[1] for item in classes for c in item.split() if c.startswith("event-")}


@pytest.fixture
def delivered(users):
    """A paid order delivered two days ago: 2 × TEE @59 + 1 × MUG @30, shipping 10, coupon 14.80."""
    returns_network()
    return delivered_order()


def test_a_return_is_requested_approved_received_and_refunded_through_the_pages(new_page, delivered, screenshot_dir):
    order = delivered
    cs = new_page()
    sign_in(cs, "customer_service", PASSWORD)

    # Customer service: from the order page to a new return-and-refund request for one T-shirt.
    cs.goto(f"/orders/{order.order_no}/")
    assert "No after-sales request." in cs.inner_text("#after-sales")
    cs.click("#after-sales >> text=New after-sales request")
    assert cs.url.endswith(f"/orders/{order.order_no}/after-sales/new/")
    cs.select_option("select[name=kind]", "return_refund")
    cs.select_option("select[name=reason]", "quality")
    cs.fill("input[name=qty_1]", "1")
    cs.fill("textarea[name=description]", "领口开线")
    submit(cs, "#after-sales-new")
    match = re.search(r"/after-sales/([^/]+)/$", cs.url)
    assert match, cs.url
    number = match.group(1)
    assert f"After-sales request {number} opened." in cs.inner_text("ul.messages")
    assert cs.inner_text("[data-testid=request-status]") == "Submitted"
    assert "Return and refund · Quality problem" in cs.inner_text(".page-head p.muted")

    # ...and approves it: the buyer is to be sent the return address.
    submit(cs, "#action-approve")
    assert "Request approved." in cs.inner_text("ul.messages")
    assert cs.inner_text("[data-testid=request-status]") == "Approved"
    assert "杭州仓" in cs.inner_text("section.card:has(h2:text-is('Return'))")
    assert OutboxMessage.objects.filter(topic="after_sales.approved", payload__request_no=number).exists()

    # The warehouse scans the request number written on the parcel and records the inspection.
    keeper = new_page()
    sign_in(keeper, "warehouse", PASSWORD)
    keeper.click("nav.mainnav a[href='/returns/receive/']")
    assert number in keeper.inner_text("section.card")  # listed as awaiting its parcel
    keeper.fill("#scan", number)
    with keeper.expect_navigation():
        keeper.click("form[role=search] button[type=submit]")
    assert keeper.url.endswith(f"/returns/receive/{number}/")
    keeper.fill("input[name=resellable_1]", "1")
    keeper.fill("#tracking_no", "SF1234567890")
    submit(keeper, "#inspection-form")
    assert f"Parcel {number} received and inspected." in keeper.inner_text("ul.messages")
    assert keeper.inner_text("[data-testid=request-status]") == "Completed"
    assert "Resellable ×1" in keeper.inner_text("section.card:has(h2:text-is('Lines')) table")
    assert StockLevel.objects.get(sku__code="TEE", warehouse__code="hz").on_hand == 11
    refund = Refund.objects.get(order=order)
    assert (refund.cause, refund.status) == (RefundCause.RETURN, RefundStatus.REQUESTED)
    amount = f"{refund.amount:.2f}"

    # Customer service verifies the refund the inspection raised (finance approves only verified ones).
    cs.goto("/refunds/")
    row = cs.locator(f"tr[data-refund='{refund.number}']")
    assert order.order_no in row.inner_text() and amount in row.inner_text()
    row.locator(f"a[href='/refunds/{refund.number}/']").click()
    submit(cs, "#action-verify")
    assert cs.inner_text("[data-testid=refund-status]") == "Verified by customer service"

    # Finance finds it in its queue, approves it and executes it by hand with the platform's reference.
    finance = new_page()
    sign_in(finance, "finance", PASSWORD)
    finance.click("nav.mainnav a[href='/refunds/']")
    assert "active" in finance.get_attribute("a[data-tab=to_approve]", "class")
    row = finance.locator(f"tr[data-refund='{refund.number}']")
    assert "Goods returned" in row.inner_text()
    row.locator(f"a[href='/refunds/{refund.number}/']").click()
    assert finance.inner_text("[data-testid=refund-amount]").endswith(amount)
    submit(finance, "#action-approve")
    assert "Refund approved; it can be executed." in finance.inner_text("ul.messages")
    assert finance.inner_text("[data-testid=refund-status]") == "Approved"
    finance.select_option("#action-execute select[name=execute-adapter]", "manual")
    submit(finance, "#action-execute")  # no reference: the manual adapter asks for it
    assert finance.locator("#action-execute .field.has-error").count() == 1
    assert finance.inner_text("[data-testid=refund-status]") == "Approved"
    finance.fill("#action-execute input[name=execute-reference]", "2026112722001400001")
    submit(finance, "#action-execute")
    assert "Refund issued; the buyer will be told." in finance.inner_text("ul.messages")
    assert finance.inner_text("[data-testid=refund-status]") == "Refunded"
    assert finance.inner_text("[data-testid=refund-reference]") == "2026112722001400001"
    history = finance.locator("[data-testid=refund-history] li").evaluate_all(
        "items => items.map(i => i.dataset.action)")
    assert [a for a in history if a.startswith("refund_")] == [
        "refund_requested", "refund_verified", "refund_approved", "refund_issued"]

    # The order page tells the whole story.
    cs.goto(f"/orders/{order.order_no}/")
    assert number in cs.inner_text("#after-sales")
    refund_row = cs.locator(f"#refunds tr[data-refund='{refund.number}']")
    assert "Refunded" in refund_row.inner_text() and amount in refund_row.inner_text()
    assert {"after_sales_requested", "after_sales_approved", "after_sales_received", "refund_requested",
            "refund_verified", "refund_approved", "refund_issued"} <= timeline(cs)
    cs.screenshot(path=str(screenshot_dir / "after-sales-order.png"), caret="initial", full_page=True)

    request = AfterSalesRequest.objects.get(number=number)
    assert request.status == RequestStatus.COMPLETED and request.return_tracking_no == "SF1234567890"
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and refund.external_reference == "2026112722001400001"

    # The buyer's messages were queued: the return address, then the refund.
    assert OutboxMessage.objects.filter(topic="refund.issued", payload__refund=refund.number).exists()
    deliver_pending()
    approved = Message.objects.filter(order=order, event="return_approved")
    issued = Message.objects.filter(order=order, event="refund_issued")
    assert approved.exists() and all(number in m.body for m in approved)
    assert issued.exists() and all(amount in m.body for m in issued)
    assert {m.dedup_key for m in issued} == {f"refund_issued:{refund.number}"}
    problems = [p for p in cs.problems + keeper.problems + finance.problems if "status of 400" not in p]
    assert problems == []  # the execution without a reference was answered with a 400


def test_a_cancellation_after_picking_started_is_intercepted_by_the_warehouse_then_refunded(new_page, on_pick_list,
                                                                                           users):
    order, package = on_pick_list(("TEE", 2))
    cs = new_page()
    sign_in(cs, "customer_service", PASSWORD)

    # Customer service cancels from the order page, warned that the warehouse must intercept the parcel.
    cs.goto(f"/orders/{order.order_no}/")
    assert cs.locator("#cancel [data-testid=cancel-intercepts]").is_visible()
    cs.select_option("#cancel select[name=reason]", "buyer_request")
    with cs.expect_navigation():
        cs.click("#cancel button[name=cancel]")
    assert "interception requested from the warehouse" in cs.inner_text("ul.messages")
    assert package in cs.inner_text("ul.messages")
    assert cs.inner_text("[data-testid=order-status]") == "Pending shipment"
    panel = cs.locator("[data-testid=interceptions]")
    assert package in panel.inner_text() and "warehouse is asked to stop this parcel" in panel.inner_text()
    assert "No refund on this order." in cs.inner_text("#refunds")
    interception = Interception.objects.get(order=order)

    # The warehouse confirms the interception in its queue.
    keeper = new_page()
    sign_in(keeper, "warehouse", PASSWORD)
    keeper.click("nav.mainnav a[href='/interceptions/']")
    row = keeper.locator(f"tr[data-interception='{interception.pk}']")
    assert package in row.inner_text() and order.order_no in row.inner_text()
    with keeper.expect_navigation():
        row.locator("button[name=confirm]").click()
    notice = keeper.inner_text("ul.messages")
    assert f"Package {package} intercepted." in notice and f"Order {order.order_no} is cancelled." in notice
    assert keeper.locator(f"tr[data-interception='{interception.pk}']").count() == 0  # no longer open

    # The order page now shows it cancelled, with the cancellation refund.
    cs.goto(f"/orders/{order.order_no}/")
    assert cs.inner_text("[data-testid=order-status]") == "Cancelled"
    refund = Refund.objects.get(order=order)
    assert (refund.cause, refund.status) == (RefundCause.CANCELLATION, RefundStatus.VERIFIED)
    refund_row = cs.locator(f"#refunds tr[data-refund='{refund.number}']")
    assert "Order cancelled" in refund_row.inner_text() and f"{refund.amount:.2f}" in refund_row.inner_text()
    assert f"{order.paid_amount:.2f}" == f"{refund.amount:.2f}"
    assert {"interception_requested", "interception_confirmed", "order_cancelled", "refund_requested"} <= timeline(cs)
    assert cs.locator("#cancel").count() == 0
    assert Order.objects.get(pk=order.pk).status == "cancelled"
    assert Interception.objects.get(pk=interception.pk).status == InterceptionStatus.CONFIRMED
    assert cs.problems + keeper.problems == []
