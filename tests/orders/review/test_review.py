from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from oms.channels.mapping import map_platform_sku
from oms.core.errors import PermissionDenied
from oms.inventory.models import Reservation, StockLevel
from oms.inventory.verification import verify_stock
from oms.notifications.models import OutboxMessage
from oms.notifications.outbox import deliver_pending
from oms.orders.review import corrections
from oms.orders.review.models import Coupon, ReviewRuleSetting
from oms.orders.review.services import CannotOverride, approve_anyway, review_order

from .conftest import holds

pytestmark = pytest.mark.usefixtures("catalogue")


def web_order(**changes):
    order = {"channel": "web", "external_id": "W-1", "lines": [
        {"sku": "TSHIRT-RED-M", "name": "纯棉T恤", "spec": "红色/M", "quantity": 2, "unit_price": "59.00"}]}
    order.update(changes)
    return order


def test_a_clean_paid_order_passes_with_its_stock_reserved(push):
    order = push(**web_order())

    assert order.status == "pending_shipment"
    level = StockLevel.objects.get(sku__code="TSHIRT-RED-M")
    assert (level.on_hand, level.reserved) == (10, 2)
    assert Reservation.objects.get(order=order).quantity == 2
    assert Coupon.objects.get(code="NEW10").used_count == 1
    passed = order.events.get(action="review_passed")
    assert passed.changes == {"status": ["pending_review", "pending_shipment"]}
    assert passed.data["trigger"] == "received" and "phone_invalid" in passed.data["rules"]
    assert OutboxMessage.objects.filter(topic="order.approved", payload__order_no=order.order_no).exists()
    assert verify_stock().ok


def test_an_order_with_four_problems_is_held_with_all_four_and_passes_once_each_is_fixed(push, actor):
    # Expired the day before the order was placed (the payload's placed_at is fixed).
    Coupon.objects.filter(code="NEW10").update(valid_until=datetime(2026, 11, 25, tzinfo=UTC))
    address = {"name": "张三", "phone": "1380013", "province": "浙江省", "city": "杭州市", "district": "",
               "detail": "文三路", "postcode": "310012"}
    order = push(**web_order(shipping_address=address, lines=[
        {"sku": "WEB-TEE-RED-M", "name": "纯棉T恤", "spec": "红色/M", "quantity": 2, "unit_price": "59.00"}]))

    assert order.status == "on_hold"
    assert holds(order) == {"phone_invalid", "address_incomplete", "unknown_sku", "coupon_invalid"}
    assert StockLevel.objects.get(sku__code="TSHIRT-RED-M").reserved == 0

    cs = actor("customer_service")
    corrections.correct_order(order_no=order.order_no, actor=cs, note="电话核实",
                              changes={"ship_phone": "13800138000", "ship_district": "西湖区",
                                       "ship_detail": "文三路100号"})
    order.refresh_from_db()
    assert holds(order) == {"unknown_sku", "coupon_invalid"}

    map_platform_sku(channel_code="web", platform_sku="WEB-TEE-RED-M", sku_code="TSHIRT-RED-M",
                     actor=actor("operations"))
    deliver_pending()  # the worker re-reviews orders held for that code
    order.refresh_from_db()
    assert holds(order) == {"coupon_invalid"}
    assert order.lines.get().sku.code == "TSHIRT-RED-M"

    Coupon.objects.filter(code="NEW10").update(valid_until=timezone.now() + timedelta(days=1))
    outcome = review_order(order_no=order.order_no, actor=cs)

    assert outcome.passed and outcome.order.status == "pending_shipment"
    assert holds(order) == set()
    assert StockLevel.objects.get(sku__code="TSHIRT-RED-M").reserved == 2
    actions = list(order.events.values_list("action", flat=True))
    assert actions == ["order_received", "review_held", "order_corrected", "review_held", "review_held",
                       "review_passed"]


def test_an_unpaid_order_waits_for_payment_and_is_reviewed_when_the_payment_arrives(push):
    unpaid = web_order(payment={"method": "alipay", "status": "unpaid"}, paid_amount="0.00")
    order = push(**unpaid)
    assert order.status == "pending_payment"
    assert not order.events.filter(action__startswith="review").exists()

    order = push(**web_order())  # the shop pushes it again, now paid

    assert order.status == "pending_shipment"
    assert order.events.get(action="review_passed").data["trigger"] == "payment"


def test_a_payment_recorded_by_a_person_sends_the_order_through_review(push, actor):
    order = push(**web_order(payment={"method": "bank_transfer", "status": "unpaid"}, paid_amount="0.00"))
    from decimal import Decimal

    outcome = corrections.record_payment(order_no=order.order_no, actor=actor("finance"), method="bank_transfer",
                                         amount=Decimal("118.00"))

    assert outcome.passed
    assert order.events.get(action="payment_recorded").changes["status"] == ["pending_payment", "pending_review"]


def test_an_order_held_for_stock_is_approved_when_stock_arrives(push, actor):
    order = push(**web_order(lines=[{"sku": "MUG-WHITE", "name": "白色马克杯", "spec": "350ml", "quantity": 5,
                                     "unit_price": "23.60"}]))
    assert holds(order) == {"out_of_stock"}
    assert order.holds.get().details == {"skus": [{"sku": "MUG-WHITE", "wanted": 5, "available": 3}]}

    from oms.inventory import services as stock

    stock.receive_stock(sku_code="MUG-WHITE", warehouse_code="hz", quantity=2, actor=actor("warehouse"))
    deliver_pending()

    order.refresh_from_db()
    assert order.status == "pending_shipment"
    assert order.events.filter(action="review_passed", data__trigger="stock_available").exists()


def test_a_warehouse_that_does_not_serve_the_province_does_not_count_for_stock(push, actor):
    from oms.inventory import services as stock

    stock.receive_stock(sku_code="MUG-WHITE", warehouse_code="gz", quantity=50, actor=actor("warehouse"))

    order = push(**web_order(lines=[{"sku": "MUG-WHITE", "name": "白色马克杯", "spec": "350ml", "quantity": 5,
                                     "unit_price": "23.60"}]))

    assert holds(order) == {"out_of_stock"}  # Guangzhou serves only Guangdong and Guangxi; the order goes to Zhejiang


def test_a_switched_off_rule_lets_the_order_through(push):
    ReviewRuleSetting.objects.create(code="remark_attention", enabled=False)

    order = push(**web_order(buyer_remark="请加急"))

    assert order.status == "pending_shipment"


def test_approve_anyway_needs_its_own_permission_and_a_reason_and_is_recorded(push, actor):
    order = push(**web_order(buyer_remark="请加急", shipping_fee="0.00", paid_amount="108.00",
                             discounts=[{"kind": "coupon", "code": "NEW10", "amount": "10.00"}]))
    assert holds(order) == {"remark_attention"}

    with pytest.raises(PermissionDenied):
        approve_anyway(order_no=order.order_no, actor=actor("customer_service"), reason="已电话确认")

    approve_anyway(order_no=order.order_no, actor=actor("operations"), reason="已电话确认")

    order.refresh_from_db()
    assert order.status == "pending_shipment"
    event = order.events.get(action="review_overridden")
    assert event.reason == "已电话确认" and event.data["overridden"][0]["code"] == "remark_attention"
    assert order.holds.get().resolution == "overridden"


def test_missing_stock_cannot_be_approved_anyway(push, actor):
    order = push(**web_order(lines=[{"sku": "MUG-WHITE", "name": "白色马克杯", "spec": "350ml", "quantity": 9,
                                     "unit_price": "12.00"}], paid_amount="108.00"))

    with pytest.raises(CannotOverride):
        approve_anyway(order_no=order.order_no, actor=actor("operations"), reason="先发")


def test_a_remark_a_person_has_read_does_not_hold_the_order_again(push, actor):
    order = push(**web_order(buyer_remark="周末加急送货"))
    assert holds(order) == {"remark_attention"}

    outcome = corrections.acknowledge_remark(order_no=order.order_no, actor=actor("customer_service"),
                                             note="已安排加急")

    assert outcome.passed


def test_cancelling_an_approved_order_releases_its_stock_and_gives_back_the_coupon(push, actor):
    from oms.orders.cancellation import cancel_order

    order = push(**web_order())
    cancel_order(order_no=order.order_no, actor=actor("customer_service"), reason="buyer_request")

    assert StockLevel.objects.get(sku__code="TSHIRT-RED-M").reserved == 0
    assert Coupon.objects.get(code="NEW10").used_count == 0
    assert Reservation.objects.get(order=order).status == "released"
    assert verify_stock().ok


def test_a_channel_cancellation_of_an_approved_order_releases_its_stock(push):
    order = push(**web_order())

    push(**web_order(cancellation={"reason": "买家取消"}))

    order.refresh_from_db()
    assert order.status == "cancelled"
    assert StockLevel.objects.get(sku__code="TSHIRT-RED-M").reserved == 0


def test_an_address_sent_on_one_line_is_split_into_its_parts_and_passes_review(push):
    order = push(**web_order(shipping_address={"name": "张三", "phone": "13800138000",
                                               "full": "浙江省杭州市西湖区文三路100号华星大厦"}))

    assert (order.ship_province, order.ship_city, order.ship_district) == ("浙江省", "杭州市", "西湖区")
    assert order.ship_detail == "文三路100号华星大厦"
    assert order.status == "pending_shipment"


def test_a_one_line_address_the_parser_cannot_place_is_kept_and_held_as_incomplete(push):
    order = push(**web_order(shipping_address={"name": "张三", "phone": "13800138000", "full": "文三路100号"}))

    assert order.ship_detail == "文三路100号"
    assert holds(order) == {"address_incomplete"}


def test_approving_anyway_and_then_cancelling_leaves_the_coupon_count_where_it_was(push, actor):
    from oms.orders.cancellation import cancel_order

    Coupon.objects.filter(code="NEW10").update(used_count=5)
    order = push(**web_order(buyer_remark="请加急"))
    approve_anyway(order_no=order.order_no, actor=actor("operations"), reason="已确认")
    assert Coupon.objects.get(code="NEW10").used_count == 6

    cancel_order(order_no=order.order_no, actor=actor("customer_service"), reason="buyer_request")

    assert Coupon.objects.get(code="NEW10").used_count == 5


def test_a_mapping_fixed_on_one_channel_leaves_orders_of_other_channels_alone(push, actor):
    web = push(**web_order(external_id="W-9", lines=[{"sku": "SHARED-CODE", "name": "T恤", "quantity": 2,
                                                      "unit_price": "59.00"}]))
    app = push(**web_order(channel="app", external_id="A-9", lines=[{"sku": "SHARED-CODE", "name": "T恤",
                                                                     "quantity": 2, "unit_price": "59.00"}]))

    map_platform_sku(channel_code="web", platform_sku="SHARED-CODE", sku_code="TSHIRT-RED-M",
                     actor=actor("operations"))
    deliver_pending()

    web.refresh_from_db()
    app.refresh_from_db()
    assert web.status == "pending_shipment"
    assert app.status == "on_hold" and app.events.filter(action="review_held").count() == 1


def test_a_correction_longer_than_the_field_is_refused_and_nothing_changes(push, actor):
    order = push(**web_order(buyer_remark="加急"))

    with pytest.raises(corrections.InvalidCorrection):
        corrections.correct_order(order_no=order.order_no, actor=actor("customer_service"),
                                  changes={"ship_detail": "路" * 300})

    order.refresh_from_db()
    assert order.ship_detail == "文三路100号"
