"""Changes before shipment on the order page: forms shown by state and role, errors next to the fields."""
# ruff: noqa: F811  (`take` and its fixtures come from tests/orders/changes_fixtures.py)

from django.test import Client
from django.utils import timezone

from oms.fulfillment.models import PackageStatus
from oms.fulfillment.picking import WaveRules, create_pick_list
from oms.orders.models import Order
from oms.orders.status import OrderStatus
from oms.shipping.models import LogisticsException
from tests.orders.changes_fixtures import network, shop, take  # noqa: F401  (fixtures)


def signed_in(users, role):
    client = Client()
    client.force_login(users[role])
    return client


def page(order):
    return f"/orders/{order.order_no}/"


def test_customer_service_sees_the_address_form_and_line_edits_only_before_allocation(take, users):
    held = take(("TEE", 1), worker=False, buyer_remark="请加急")
    allocated = take(("TEE", 1))
    cs = signed_in(users, "customer_service")

    held_page = cs.get(page(held)).content.decode()
    allocated_page = cs.get(page(allocated)).content.decode()

    assert 'class="stack address-form"' in held_page and "edit-lines-table" in held_page
    assert 'class="stack address-form"' in allocated_page and "edit-lines-table" not in allocated_page
    assert "address-form" not in signed_in(users, "warehouse").get(page(held)).content.decode()


def test_a_bad_address_is_shown_again_with_the_field_error(take, users):
    order = take(("TEE", 1))

    response = signed_in(users, "customer_service").post(f"/orders/{order.order_no}/change-address/", {
        "address-name": "张三", "address-phone": "13800138000", "address-province": "浙江省",
        "address-city": "杭州市", "address-district": "天河区", "address-detail": "文三路100号"})

    assert response.status_code == 400
    assert "district not in that city" in response.content.decode() or "has-error" in response.content.decode()
    assert Order.objects.get(pk=order.pk).ship_district == "西湖区"


def test_a_change_after_the_pick_list_shows_the_reprint_flag_on_the_order_and_packing_pages(take, users, actor):
    order = take(("TEE", 1))
    create_pick_list(warehouse_code="hz", actor=actor("warehouse"), rules=WaveRules())
    cs = signed_in(users, "customer_service")

    response = cs.post(f"/orders/{order.order_no}/change-address/", {
        "address-name": "李四", "address-phone": "13800138000", "address-province": "浙江省",
        "address-city": "杭州市", "address-district": "西湖区", "address-detail": "文三路100号"})

    assert response.status_code == 302
    assert "needs-reprint" in cs.get(page(order)).content.decode()
    package = order.packages.get()
    warehouse = signed_in(users, "warehouse")
    assert "needs-reprint" in warehouse.get(f"/pack/{package.number}/").content.decode()
    assert "needs-reprint" in warehouse.get("/pick/").content.decode()


def test_after_shipment_the_page_offers_a_redirection_instead(take, users):
    order = take(("TEE", 1))
    order.packages.update(status=PackageStatus.SHIPPED, tracking_no="ZT7", shipped_at=timezone.now())
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.SHIPPED)
    cs = signed_in(users, "customer_service")

    body = cs.get(page(order)).content.decode()
    assert "redirection-form" in body and "address-form" not in body

    response = cs.post(f"/orders/{order.order_no}/redirection/", {
        "redirect-name": "张三", "redirect-phone": "13800138000", "redirect-province": "广东省",
        "redirect-city": "深圳市", "redirect-district": "南山区", "redirect-detail": "科技园路1号"})
    assert response.status_code == 302
    assert LogisticsException.objects.filter(order=order, reason="address_problem").exists()


def test_line_edits_and_the_top_up_from_the_page(take, users):
    order = take(("TEE", 1), worker=False)
    cs = signed_in(users, "customer_service")

    response = cs.post(f"/orders/{order.order_no}/lines/add/", {"line-sku": "MUG", "line-quantity": "1",
                                                                 "line-unit_price": "7.00"})
    assert response.status_code == 302
    body = cs.get(page(order)).content.decode()
    assert 'data-testid="awaiting-top-up"' in body

    response = cs.post(f"/orders/{order.order_no}/top-up/", {"topup-method": "alipay", "topup-amount": "7.00"})
    assert response.status_code == 302
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_SHIPMENT


def test_a_line_change_from_the_page_and_its_refusal_once_allocated(take, users):
    held = take(("TEE", 2), worker=False, buyer_remark="请加急")
    cs = signed_in(users, "customer_service")

    assert cs.post(f"/orders/{held.order_no}/lines/1/change/", {"quantity": "1", "sku": "TEE",
                                                                "unit_price": "10.00"}).status_code == 302
    assert held.lines.get().quantity == 1
    allocated = take(("TEE", 1))
    cs.post(f"/orders/{allocated.order_no}/lines/1/change/", {"quantity": "3"})
    assert allocated.lines.get().quantity == 1
