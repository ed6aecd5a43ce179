"""Scan-to-pick in a real browser: a keyboard-wedge scanner types a code and Enter into the one field.

A warehouse user starts a wave, scans a wrong item (refused loudly, nothing changes), the bin, the
units, and a bin that turns out empty (short pick); the list completes and the order waits for stock.
"""

import pytest

from oms.accounts.actor import Actor
from oms.channels.selectors import channel_lookup
from oms.fulfillment.services import allocate_order
from oms.inventory import services as stock
from oms.inventory.models import Bin, Sku, SkuLocation, Warehouse
from oms.orders.intake.services import intake_order
from oms.orders.intake.validation import parse_intake
from oms.orders.models import Order
from oms.orders.review.services import review_order
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def approved_order(make_user, order_payload):
    shop, keeper = make_user("shop", "integration"), make_user("keeper", "warehouse")
    hz = Warehouse.objects.create(code="hz", name="杭州仓", province="浙江省", city="杭州市", priority=10)
    for code, name, aisle, bay in (("TEE", "纯棉T恤", 1, 3), ("MUG", "马克杯", 2, 6)):
        sku = Sku.objects.create(code=code, name=name, spec="标准")
        SkuLocation.objects.create(sku=sku, warehouse=hz, bin=Bin.objects.create(
            warehouse=hz, code=f"A{aisle:02d}-{bay:02d}-1", aisle=aisle, bay=bay, level=1))
        stock.receive_stock(sku_code=code, warehouse_code="hz", quantity=5, actor=Actor.of(keeper))
    payload = order_payload(channel="web", external_id="W-PICK", discounts=[], shipping_fee="0.00",
                            paid_amount="40.00", buyer_remark="", lines=[
                                {"sku": "TEE", "name": "纯棉T恤", "quantity": 2, "unit_price": "10.00"},
                                {"sku": "MUG", "name": "马克杯", "quantity": 2, "unit_price": "10.00"}])
    order = intake_order(command=parse_intake(payload, channel_lookup=channel_lookup), actor=Actor.of(shop)).order
    assert review_order(order_no=order.order_no, actor=Actor.system()).passed
    assert allocate_order(order_no=order.order_no, actor=Actor.system()).allocation is not None
    return order


def scan(page, code: str) -> None:
    page.fill("#scan-code", code)
    page.press("#scan-code", "Enter")  # what a keyboard-wedge scanner sends after the code
    page.wait_for_load_state()


def test_a_picker_scans_a_wave_through_with_a_refusal_and_a_short_pick(new_page, approved_order, screenshot_dir):
    page = new_page()
    sign_in(page, "keeper", PASSWORD)
    page.goto("/pick/")
    page.select_option("select[name=warehouse]", "hz")
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/pick/PL-*/")
    assert "A01-03-1" in page.inner_text("#current-stop")
    assert page.evaluate("document.activeElement.id") == "scan-code"  # the scanner can fire at once

    scan(page, "MUG")  # not here: the stop is the T-shirt bin
    refusal = page.locator("#scan-error")
    assert refusal.is_visible() and "Scan the bin first" not in refusal.inner_text()
    assert "Wrong item" in refusal.inner_text()
    assert page.inner_text("#remaining") == "2"
    page.screenshot(path=str(screenshot_dir / "scan-refused.png"), caret="initial")

    scan(page, "A01-03-1")
    scan(page, "TEE")
    scan(page, "TEE")
    assert "A02-06-1" in page.inner_text("#current-stop")
    scan(page, "A02-06-1")
    scan(page, "MUG")
    page.click("#report-short")  # only one mug in the bin
    page.wait_for_load_state()

    assert page.locator("#all-done").is_visible()
    order = Order.objects.get(pk=approved_order.pk)
    assert order.status == "on_hold"
    assert order.holds.get(cleared_at__isnull=True).details["short_pick"]["missing"] == 1
    # The refusal is answered with HTTP 409, which the browser notes in its console; nothing else.
    assert [p for p in page.problems if "409" not in p] == []
