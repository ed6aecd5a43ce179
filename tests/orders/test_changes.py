"""Address and phone changes before shipment, the re-print flag, re-allocation, and redirection after shipment."""
# ruff: noqa: F811  (`take` and its fixtures come from tests/orders/changes_fixtures.py)

import pytest
from django.utils import timezone

from oms.core.errors import PermissionDenied
from oms.fulfillment import packing
from oms.fulfillment.models import Package, PackageStatus
from oms.fulfillment.picking import WaveRules, create_pick_list
from oms.orders import changes
from oms.orders.models import Order
from oms.orders.status import OrderStatus
from oms.shipping.models import LogisticsException
from tests.orders.changes_fixtures import network, shop, take  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # assertions below read the English texts

SHENZHEN = {"province": "广东省", "city": "深圳市", "district": "南山区", "detail": "科技园路1号"}


def test_a_valid_change_is_stored_with_old_and_new_in_one_timeline_event(take, actor):
    order = take(("TEE", 1))
    assert order.status == OrderStatus.PENDING_SHIPMENT

    result = changes.change_address(order_no=order.order_no, actor=actor("customer_service"),
                                    address={"phone": "13900139000", "detail": "文三路200号"}, note="buyer called")

    order.refresh_from_db()
    assert (order.ship_phone, order.ship_detail) == ("13900139000", "文三路200号")
    event = order.events.get(action="address_changed")
    # The audit log keeps personal values masked, like every screen (docs/privacy.md).
    assert event.changes == {"ship_phone": ["138****8000", "139****9000"],
                             "ship_detail": ["文三路****", "文三路****"]}
    assert event.note == "buyer called"
    assert result.reprint == [] and not result.reallocated


@pytest.mark.parametrize(("address", "fields"), [
    ({"district": "天河区"}, {"district"}),  # not a district of Hangzhou
    ({"phone": "12345"}, {"phone"}),
    ({"province": "火星省"}, {"province"}),
    ({"detail": ""}, {"detail"}),
    ({"postcode": "31"}, {"postcode"}),
    ({"name": "x" * 101, "colour": "red"}, {"name", "colour"}),
])
def test_an_invalid_change_names_its_fields_and_stores_nothing(take, actor, address, fields):
    order = take(("TEE", 1))

    with pytest.raises(changes.InvalidAddressChange) as exc:
        changes.change_address(order_no=order.order_no, actor=actor("customer_service"), address=address)

    assert set(exc.value.details) == fields
    assert Order.objects.get(pk=order.pk).ship_district == "西湖区"
    assert not order.events.filter(action="address_changed").exists()


def test_only_customer_service_and_operations_may_change_an_address(take, actor):
    order = take(("TEE", 1))
    with pytest.raises(PermissionDenied):
        changes.change_address(order_no=order.order_no, actor=actor("warehouse"), address={"detail": "文三路9号"})


def test_an_order_on_hold_is_reviewed_again_after_the_change(take, actor):
    order = take(("TEE", 1), shipping_address={"name": "张三", "phone": "12345", "province": "浙江省",
                                               "city": "杭州市", "district": "西湖区", "detail": "文三路100号"})
    assert order.status == OrderStatus.ON_HOLD

    result = changes.change_address(order_no=order.order_no, actor=actor("customer_service"),
                                    address={"phone": "13800138000"})

    assert result.review is not None and result.review.passed
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_SHIPMENT


def test_a_package_not_yet_in_the_warehouse_is_not_flagged_for_reprint(take, actor):
    order = take(("TEE", 1))

    changes.change_address(order_no=order.order_no, actor=actor("customer_service"), address={"detail": "文三路8号"})

    assert order.packages.get().needs_reprint == ""


def test_a_package_on_a_printed_pick_list_is_flagged_and_a_new_label_clears_the_flag(take, actor):
    order = take(("TEE", 1))
    create_pick_list(warehouse_code="hz", actor=actor("warehouse"), rules=WaveRules())

    result = changes.change_address(order_no=order.order_no, actor=actor("customer_service"),
                                    address={"detail": "文三路8号"})

    package = order.packages.get()
    assert result.reprint == [package.number]
    assert package.needs_reprint == "address changed"
    assert order.events.get(action="address_changed").data["reprint"] == [package.number]

    packing.record_labels_printed(package_numbers=[package.number], actor=actor("warehouse"))

    assert Package.objects.get(pk=package.pk).needs_reprint == ""
    assert order.events.get(action="label_printed").data["reprinted"] == "address changed"


def test_a_package_with_a_label_is_flagged_for_a_phone_change(take, actor):
    order = take(("TEE", 1))
    order.packages.update(tracking_no="ZT0001", packed_at=timezone.now(), status=PackageStatus.PACKED)

    changes.change_address(order_no=order.order_no, actor=actor("customer_service"), address={"phone": "13900139000"})

    assert order.packages.get().needs_reprint == "phone changed"


def test_a_new_province_the_warehouse_does_not_serve_moves_an_untouched_order_to_another_warehouse(take, actor):
    order = take(("TEE", 1))
    assert order.packages.get().warehouse.code == "hz"

    result = changes.change_address(order_no=order.order_no, actor=actor("customer_service"),
                                    address={"province": "广西壮族自治区", "city": "南宁市", "district": "青秀区",
                                             "detail": "民族大道1号"})

    assert result.reallocated
    live = order.packages.exclude(status=PackageStatus.CANCELLED).get()
    assert live.warehouse.code == "gz"
    assert order.reservations.filter(status="active").get().warehouse.code == "gz"
    from oms.inventory.verification import verify_stock

    assert verify_stock().ok


def test_a_carrier_zone_change_on_a_picked_package_is_flagged_for_reallocation(take, actor):
    order = take(("TEE", 1))
    create_pick_list(warehouse_code="hz", actor=actor("warehouse"), rules=WaveRules())

    result = changes.change_address(order_no=order.order_no, actor=actor("customer_service"), address=SHENZHEN)

    package = order.packages.get()
    assert not result.reallocated
    assert "address changed" in package.needs_reprint and "华南" in package.needs_reprint
    assert package.number in order.events.get(action="address_changed").data["reallocation_needed"]


@pytest.fixture
def shipped(take):
    """An order whose one parcel is on its way with ZTO."""
    order = take(("TEE", 1))
    order.packages.update(status=PackageStatus.SHIPPED, tracking_no="ZT0002", shipped_at=timezone.now())
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.SHIPPED, shipped_at=timezone.now())
    return Order.objects.get(pk=order.pk)


def test_after_shipment_the_change_is_refused_with_a_clear_message(shipped, actor):
    with pytest.raises(changes.AlreadyShipped) as exc:
        changes.change_address(order_no=shipped.order_no, actor=actor("customer_service"), address=SHENZHEN)

    assert exc.value.http_status == 409
    assert "redirection" in exc.value.message
    assert Order.objects.get(pk=shipped.pk).ship_province == "浙江省"


def test_a_redirection_request_opens_an_address_ticket_for_logistics_with_the_new_address(shipped, actor):
    result = changes.request_redirection(order_no=shipped.order_no, actor=actor("customer_service"),
                                         address=SHENZHEN, note="buyer moved")

    ticket = LogisticsException.objects.get()
    assert result.tickets == [ticket.number]
    assert ticket.reason == "address_problem" and ticket.package.number == shipped.packages.get().number
    assert "深圳市" in ticket.detail and "科技园路1号" in ticket.detail
    event = shipped.events.get(action="redirection_requested")
    assert event.data["address"]["city"] == "深圳市" and event.data["tickets"] == [ticket.number]
    assert Order.objects.get(pk=shipped.pk).ship_city == "杭州市"  # the order keeps what the parcel says


def test_a_second_redirection_goes_onto_the_open_ticket(shipped, actor):
    first = changes.request_redirection(order_no=shipped.order_no, actor=actor("customer_service"), address=SHENZHEN)
    second = changes.request_redirection(order_no=shipped.order_no, actor=actor("customer_service"),
                                         address={**SHENZHEN, "detail": "科技园路2号"})

    assert first.tickets == second.tickets and LogisticsException.objects.count() == 1
    assert shipped.events.filter(action="redirection_requested").count() == 2


def test_a_redirection_needs_a_parcel_on_the_road_and_a_valid_address(take, shipped, actor):
    with pytest.raises(changes.InvalidAddressChange) as exc:
        changes.request_redirection(order_no=shipped.order_no, actor=actor("customer_service"),
                                    address={"district": "天河区"})
    assert set(exc.value.details) == {"district"}
    not_shipped = take(("TEE", 1))
    with pytest.raises(changes.NothingToRedirect):
        changes.request_redirection(order_no=not_shipped.order_no, actor=actor("customer_service"), address={})
    assert not LogisticsException.objects.exists()
