"""The review queue in a real browser: customer service corrects a held order's address and it leaves the queue."""

import re

import pytest

from oms.accounts.actor import Actor
from oms.channels.selectors import channel_lookup
from oms.inventory import services as stock
from oms.inventory.models import Sku, Warehouse
from oms.orders.intake.services import intake_order
from oms.orders.intake.validation import parse_intake
from oms.orders.models import Order
from oms.orders.review.services import review_order
from oms.orders.status import OrderSource, OrderStatus
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def held_orders(make_user, order_payload):
    """Two orders held by review: one without its district, one whose buyer asks for express delivery."""
    make_user("cs", "customer_service")
    make_user("ops", "operations")
    shop = make_user("shop", "integration")
    keeper = make_user("keeper", "warehouse")
    Warehouse.objects.create(code="hz", name="杭州仓", province="浙江省", city="杭州市", priority=10)
    Sku.objects.create(code="TSHIRT-RED-M", name="纯棉T恤", spec="红色/M")
    stock.receive_stock(sku_code="TSHIRT-RED-M", warehouse_code="hz", quantity=10, actor=Actor.of(keeper))

    def push(**overrides) -> Order:
        command = parse_intake(order_payload(**overrides), channel_lookup=channel_lookup)
        order = intake_order(command=command, actor=Actor.of(shop), source=OrderSource.API).order
        review_order(order_no=order.order_no, actor=Actor.system(), trigger="received")
        order.refresh_from_db()
        assert order.status == OrderStatus.ON_HOLD
        return order

    no_district = push(shipping_address={"name": "张三", "phone": "13800138000", "province": "浙江省",
                                         "city": "杭州市", "district": "", "detail": "文三路100号",
                                         "postcode": "310012"})
    express = push(external_id="TB20261126000002", buyer_remark="请加急")
    return {"no_district": no_district, "express": express}


def queue_rows(page) -> list[str]:
    page.wait_for_selector("table.review-table")
    return page.locator("table.review-table tbody tr[data-order]").evaluate_all(
        "rows => rows.map(r => r.dataset.order)")


def test_customer_service_corrects_an_address_and_the_order_leaves_the_queue(new_page, held_orders,
                                                                            screenshot_dir):
    order, other = held_orders["no_district"], held_orders["express"]
    page = new_page()
    sign_in(page, "cs", PASSWORD)

    nav = page.locator("nav.mainnav a[href='/review/']")
    assert nav.inner_text() == "Review (2)"
    nav.click()
    page.wait_for_url("**/review/")
    assert set(queue_rows(page)) == {order.order_no, other.order_no}
    page.screenshot(path=str(screenshot_dir / "review-queue.png"), full_page=True, caret="initial")

    page.click("a.tab[data-reason=address_incomplete]")
    page.wait_for_url(re.compile(r"reason=address_incomplete"))
    assert queue_rows(page) == [order.order_no]
    row = page.locator(f"tr[data-order='{order.order_no}']")
    assert "Address incomplete: district missing" in row.inner_text()

    row.locator("a.order-no").click()
    page.wait_for_url(re.compile(rf"/orders/{order.order_no}/\?next="))
    panel = page.locator("#review")
    assert "Held for 1 reason" in panel.inner_text()
    correction = page.locator("form.correction-form")
    assert correction.is_visible()  # opened for an address problem
    assert page.input_value("form.correction-form input[name=ship_city]") == "杭州市"
    page.fill("form.correction-form input[name=ship_district]", "西湖区")
    page.fill("form.correction-form input[name=note]", "电话与买家核实")
    page.screenshot(path=str(screenshot_dir / "review-order.png"), full_page=True, caret="initial")
    page.click("form.correction-form button[name=correct]")

    page.wait_for_url(re.compile(r"/review/\?reason=address_incomplete$"))
    messages = page.locator(".messages").inner_text()
    assert "Correction saved" in messages and "passed review" in messages
    assert queue_rows(page) == []
    assert page.locator("a.tab[data-reason=address_incomplete] .count").inner_text() == "0"
    assert page.locator("nav.mainnav a[href='/review/']").inner_text() == "Review (1)"
    page.click("a.tab[data-reason=all]")
    page.wait_for_url(re.compile(r"/review/\?$|/review/$"))
    assert queue_rows(page) == [other.order_no]

    order.refresh_from_db()
    assert (order.status, order.ship_district) == (OrderStatus.PENDING_SHIPMENT, "西湖区")
    assert order.reservations.count() == 1
    assert page.problems == [], "\n".join(page.problems)


def test_the_review_pages_fit_a_laptop_screen_without_csp_problems(new_page, held_orders, screenshot_dir):
    page = new_page(language="zh-hans")
    sign_in(page, "ops", PASSWORD)  # operations see every form
    for path, name in (("/review/", "queue"), ("/review/rules/", "rules"), ("/review/coupons/", "coupons"),
                       ("/review/blocklist/", "blocklist"),
                       (f"/orders/{held_orders['express'].order_no}/", "held-order")):
        page.goto(path)
        page.wait_for_load_state()
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than the screen"
        page.screenshot(path=str(screenshot_dir / f"review-{name}-zh.png"), full_page=True, caret="initial")
    assert page.problems == [], "\n".join(page.problems)
