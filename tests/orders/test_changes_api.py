"""Changes before shipment through the API: address, redirection, line edits and the top-up, with the error format."""
# ruff: noqa: F811  (`take` and its fixtures come from tests/orders/changes_fixtures.py)

from django.utils import timezone

from oms.fulfillment.models import PackageStatus
from oms.orders.models import Order
from oms.orders.status import OrderStatus
from oms.shipping.models import LogisticsException
from tests.orders.changes_fixtures import network, shop, take  # noqa: F401  (fixtures)


def url(order, tail=""):
    return f"/api/v1/orders/{order.order_no}/{tail}"


def test_an_address_change_answers_with_the_changed_order(take, api):
    order = take(("TEE", 1))

    response = api("customer_service").patch(url(order, "address"), {"detail": "文三路300号", "note": "phone call"},
                                             format="json")

    assert response.status_code == 200, response.content
    assert Order.objects.get(pk=order.pk).ship_detail == "文三路300号"


def test_an_invalid_address_answers_400_naming_the_fields_and_stores_nothing(take, api):
    order = take(("TEE", 1))

    response = api("customer_service").post(url(order, "address"), {"district": "天河区", "phone": "1"}, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_address_change" and set(error["details"]) == {"district", "phone"}
    assert not order.events.filter(action="address_changed").exists()


def test_after_shipment_the_address_answers_409_and_a_redirection_opens_a_ticket(take, api):
    order = take(("TEE", 1))
    order.packages.update(status=PackageStatus.SHIPPED, tracking_no="ZT9", shipped_at=timezone.now())
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.SHIPPED)
    new = {"province": "广东省", "city": "深圳市", "district": "南山区", "detail": "科技园路1号"}

    refused = api("customer_service").post(url(order, "address"), new, format="json")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "already_shipped"

    response = api("customer_service").post(url(order, "redirection"), new, format="json")
    assert response.status_code == 201
    assert response.json()["tickets"] == [LogisticsException.objects.get().number]


def test_line_edits_through_the_api_add_change_and_remove(take, api):
    order = take(("TEE", 2), worker=False, buyer_remark="请加急")
    cs = api("customer_service")

    added = cs.post(url(order, "lines"), {"sku": "MUG", "quantity": 1, "unit_price": "10.00"}, format="json")
    assert added.status_code == 201, added.content
    changed = cs.patch(url(order, "lines/1"), {"quantity": 1}, format="json")
    assert changed.status_code == 200
    removed = cs.delete(url(order, "lines/2"))
    assert removed.status_code == 200
    order.refresh_from_db()
    assert order.payable_amount.to_eng_string() == "10.00"
    assert order.refunds.get().amount.to_eng_string() == "10.00"


def test_a_line_edit_with_bad_input_or_after_allocation_is_refused_in_the_error_format(take, api):
    held = take(("TEE", 1), worker=False, buyer_remark="请加急")
    bad = api("customer_service").post(url(held, "lines"), {"sku": "NOPE", "quantity": "x", "unit_price": 1.5},
                                       format="json")
    assert bad.status_code == 400 and set(bad.json()["error"]["details"]) == {"sku", "quantity", "unit_price"}

    allocated = take(("TEE", 1))
    late = api("customer_service").patch(url(allocated, "lines/1"), {"quantity": 2}, format="json")
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "lines_not_editable"


def test_the_warehouse_may_not_change_an_order(take, api):
    order = take(("TEE", 1))
    assert api("warehouse").post(url(order, "address"), {"detail": "文三路1号"}, format="json").status_code == 403


def test_a_top_up_through_the_api_releases_the_hold(take, api):
    order = take(("TEE", 1), worker=False)
    api("customer_service").post(url(order, "lines"), {"sku": "MUG", "quantity": 1, "unit_price": "5.00"},
                                 format="json")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.ON_HOLD

    response = api("finance").post(url(order, "top-up"), {"method": "alipay", "amount": "5.00"}, format="json")

    assert response.status_code == 200, response.content
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_SHIPMENT


def test_odd_bodies_are_refused_in_the_error_format_never_with_a_server_error(take, api):
    order = take(("TEE", 1), worker=False, buyer_remark="请加急")
    cs = api("customer_service")
    calls = [("post", "address", []), ("post", "address", {"name": 5}), ("patch", "address", {"note": 1}),
             ("post", "lines", {"sku": ["x"], "quantity": None, "unit_price": {}}),
             ("patch", "lines/1", {"quantity": True}), ("patch", "lines/1", {}),
             ("post", "redirection", "text"), ("post", "top-up", {"method": "alipay", "amount": 1.5})]

    codes = [getattr(cs, method)(url(order, tail), body, format="json").status_code for method, tail, body in calls]
    codes.append(cs.post(url(order, "lines"), '{"sku": "\\ud800", "quantity": 1, "unit_price": "1.00"}',
                         content_type="application/json").status_code)  # a lone surrogate

    assert all(code in (400, 409, 422) for code in codes), codes
