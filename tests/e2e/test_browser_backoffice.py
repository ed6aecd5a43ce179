"""The back office in a real browser: sign in, filter orders, read a timeline, enter and check an order."""

import re

import pytest

from oms.accounts.actor import Actor
from oms.channels.selectors import channel_lookup
from oms.orders.intake.services import intake_order
from oms.orders.intake.validation import parse_intake
from oms.orders.models import EntryCheck, Order
from oms.orders.status import OrderSource, OrderStatus
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff(make_user):
    return {
        "cs": make_user("cs", "customer_service"),
        "cs2": make_user("cs2", "customer_service"),
        "shop": make_user("shop", "integration"),
    }


@pytest.fixture
def orders(staff, order_payload):
    """Three channel orders: paid (pending review), unpaid (pending payment), and paid later."""

    def push(payload):
        command = parse_intake(payload, channel_lookup=channel_lookup)
        return intake_order(command=command, actor=Actor.of(staff["shop"]), source=OrderSource.API).order

    paid = push(order_payload())
    unpaid = push(order_payload(
        external_id="TB20261127000002", placed_at="2026-11-27T09:00:00+08:00", paid_amount="0.00",
        payment={"method": "alipay", "status": "unpaid"},
        customer={"name": "王五", "phone": "13700137000"},
        shipping_address={"name": "王五", "phone": "13700137000", "province": "上海市", "city": "上海市",
                          "district": "浦东新区", "detail": "张江路88弄5号601室", "postcode": "201203"},
    ))
    later = order_payload(external_id="JD20261128000003", channel="jd", paid_amount="0.00",
                          payment={"method": "wechat", "status": "unpaid"})
    paid_later = push(later)
    push({**later, "paid_amount": "118.00",
          "payment": {"method": "wechat", "status": "paid", "paid_at": "2026-11-28T08:00:00+08:00",
                      "transaction_id": "WX-42"}})
    return {"paid": paid, "unpaid": unpaid, "paid_later": paid_later}


def listed(page) -> set[str]:
    page.wait_for_selector("table.orders-table")
    return set(page.locator("table.orders-table a.order-no").all_inner_texts())


def test_customer_service_filters_the_list_and_reads_a_timeline(new_page, orders, screenshot_dir):
    page = new_page()
    sign_in(page, "cs", PASSWORD)
    assert page.url.endswith("/orders/")
    assert listed(page) == {o.order_no for o in orders.values()}
    assert page.locator(".who-name").inner_text() == "cs"
    page.screenshot(path=str(screenshot_dir / "order-list.png"), full_page=True, caret="initial")

    # filter by status (htmx swaps the results; the address bar follows)
    page.select_option("select[name=status]", "pending_payment")
    with page.expect_response(re.compile(r"/orders/\?")):
        page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"status=pending_payment"))
    assert listed(page) == {orders["unpaid"].order_no}
    assert page.locator(".tab.active").get_attribute("data-status") == "pending_payment"

    # then by phone, across all statuses
    page.select_option("select[name=status]", "")
    page.fill("input[name=phone]", "13800138000")
    with page.expect_response(re.compile(r"phone=13800138000")):
        page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"phone=13800138000"))
    assert listed(page) == {orders["paid"].order_no, orders["paid_later"].order_no}

    # open the order that was paid later: its timeline shows the status change
    page.click(f"a.order-no:text-is('{orders['paid_later'].order_no}')")
    page.wait_for_url(f"**/orders/{orders['paid_later'].order_no}/")
    timeline = page.locator("ol.timeline")
    assert timeline.locator(".event").count() == 2
    text = timeline.inner_text()
    assert "Order received" in text and "Payment received" in text
    assert "Pending payment → Pending review" in text
    assert "shop" in text
    page.screenshot(path=str(screenshot_dir / "order-detail.png"), full_page=True, caret="initial")
    assert page.problems == [], "\n".join(page.problems)


def test_an_order_entered_by_hand_is_confirmed_by_a_second_person(new_page, staff, screenshot_dir):
    clerk = new_page()
    sign_in(clerk, "cs", PASSWORD)
    clerk.click("nav.mainnav a[href='/orders/new/']")
    clerk.wait_for_url("**/orders/new/")
    assert clerk.locator("select[name=channel]").input_value() == "offline"
    fields = {
        "customer_name": "李四", "customer_phone": "13900139000",
        "ship_name": "李四", "ship_phone": "13900139000", "ship_province": "浙江省", "ship_city": "杭州市",
        "ship_district": "西湖区", "ship_detail": "文三路100号", "paid_amount": "128.00",
        "shipping_fee": "10.00",
        "lines-0-sku": "TSHIRT-RED-M", "lines-0-name": "纯棉T恤", "lines-0-spec": "红色/M",
        "lines-0-quantity": "2", "lines-0-unit_price": "59.00",
    }
    for name, value in fields.items():
        clerk.fill(f"[name='{name}']", value)
    clerk.select_option("select[name=payment_method]", "cash")
    clerk.select_option("select[name=payment_status]", "paid")
    clerk.evaluate("() => window.scrollTo(0, 0)")
    clerk.screenshot(path=str(screenshot_dir / "order-entry.png"), full_page=True, caret="initial")
    clerk.click("form.entry-form .form-actions button[name=save]")
    clerk.wait_for_url(re.compile(r"/orders/\d+/$"))
    assert "waiting for a second person's check" in clerk.locator(".messages").inner_text()
    order = Order.objects.get(source=OrderSource.MANUAL)
    assert order.status == OrderStatus.DRAFT

    # the clerk may not confirm their own entry
    clerk.click("form.check-form button[name=confirm]")
    clerk.wait_for_load_state()
    assert "someone other than" in clerk.locator(".messages").inner_text()
    order.refresh_from_db()
    assert order.status == OrderStatus.DRAFT

    checker = new_page()
    sign_in(checker, "cs2", PASSWORD)
    checker.click("nav.mainnav a[href='/orders/drafts/']")
    checker.wait_for_url("**/orders/drafts/")
    row = checker.locator("table.drafts-table tbody tr", has_text=order.order_no)
    assert "cs" in row.inner_text()
    row.locator("a.order-no").click()
    checker.wait_for_url(f"**/orders/{order.order_no}/")
    checker.fill("input[name=note]", "核对无误")
    checker.click("form.check-form button[name=confirm]")
    checker.wait_for_load_state()

    assert checker.locator("[data-testid=order-status]").inner_text() == "Pending review"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_REVIEW
    assert order.entry_check == EntryCheck.CONFIRMED
    events = checker.locator("ol.timeline .event")
    assert events.count() == 2
    entered, confirmed = events.nth(0).inner_text(), events.nth(1).inner_text()
    assert "Order entered by hand" in entered and "cs" in entered
    assert "Entry confirmed" in confirmed and "cs2" in confirmed and "核对无误" in confirmed
    assert "Draft → Pending review" in confirmed
    checker.screenshot(path=str(screenshot_dir / "order-confirmed.png"), full_page=True, caret="initial")
    assert clerk.problems == [] and checker.problems == []


def test_the_pages_load_their_stylesheet_and_htmx_under_the_strict_csp(new_page, staff):
    page = new_page(language="zh-hans")
    sign_in(page, "cs", PASSWORD)
    assert page.evaluate("() => typeof window.htmx") == "object"
    background = page.evaluate("() => getComputedStyle(document.querySelector('.topbar')).backgroundColor")
    assert background == "rgb(23, 32, 44)"
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.problems == [], "\n".join(page.problems)
