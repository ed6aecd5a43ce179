"""Exchanges: the replacement package after inspection, its stock, picking, and the price difference."""

from decimal import Decimal

import pytest

from oms.accounts.actor import Actor
from oms.aftersales import exchange, receiving
from oms.aftersales import requests as req
from oms.aftersales.errors import ExchangeOutOfStock, NoDifferenceToCollect
from oms.aftersales.status import RefundCause, RequestStatus
from oms.audit.models import AuditEvent
from oms.core.errors import PermissionDenied
from oms.fulfillment.models import PackageStatus
from oms.fulfillment.picking import WaveRules, create_pick_list
from oms.inventory.models import Reservation, StockLevel
from oms.inventory.services import adjust_stock, receive_stock
from oms.inventory.verification import verify_stock
from oms.payments.models import Refund
from tests.aftersales.returns_setup import delivered_order, network

pytestmark = pytest.mark.django_db


@pytest.fixture
def net(db):
    return network()


@pytest.fixture
def cs(users):
    return Actor.of(users["customer_service"])


@pytest.fixture
def keeper(users):
    return Actor.of(users["warehouse"])


def exchange_request(order, cs, *, sku="TEE-L", price=None, quantity=1):
    request = req.submit_request(order_no=order.order_no, kind="exchange", reason="not_as_described", actor=cs,
                                 lines=[req.LineInput(line_no=1, quantity=quantity, exchange_sku=sku,
                                                      exchange_unit_price=price)])
    req.approve_request(number=request.number, actor=cs)
    return request


def inspect(request, keeper, condition="resellable", quantity=1):
    receiving.receive_parcel(number=request.number, actor=keeper, inspections=[
        receiving.InspectionInput(line_no=1, condition=condition, quantity=quantity)])
    request.refresh_from_db()
    return request


def level(code):
    lv = StockLevel.objects.get(sku__code=code, warehouse__code="hz")
    return lv.on_hand, lv.reserved


def test_a_passed_exchange_creates_a_replacement_package_with_the_new_sku_reserved(net, cs, keeper):
    order = delivered_order()
    request = inspect(exchange_request(order, cs), keeper)
    assert request.status == RequestStatus.COMPLETED
    package = request.replacement_package
    assert package.status == PackageStatus.ALLOCATED and package.order_id == order.pk
    assert [(ln.sku.code, ln.quantity, ln.line.line_no) for ln in package.lines.all()] == [("TEE-L", 1, 1)]
    assert level("TEE-L") == (10, 1) and level("TEE") == (11, 0)  # the returned M is back on hand
    assert Reservation.objects.get(order=order, sku__code="TEE-L", status="active").quantity == 1
    assert AuditEvent.objects.get(order=order, action="after_sales_replacement_created").data["package"] == \
        package.number
    assert verify_stock().ok


def test_the_replacement_of_a_completed_order_can_be_picked_like_any_parcel(net, cs, keeper, users):
    order = delivered_order(status="completed")
    request = inspect(exchange_request(order, cs), keeper)
    pick_list = create_pick_list(warehouse_code="hz", actor=Actor.of(users["warehouse"]),
                                 rules=WaveRules(package_numbers=(request.replacement_package.number,)))
    assert [p.number for p in pick_list.packages.all()] == [request.replacement_package.number]


def test_a_like_for_like_exchange_defaults_to_the_same_sku_and_costs_nothing(net, cs, keeper):
    order = delivered_order()
    request = inspect(exchange_request(order, cs, sku=""), keeper)
    assert [ln.sku.code for ln in request.replacement_package.lines.all()] == ["TEE"]
    assert not Refund.objects.filter(request=request).exists() and request.difference_due == 0


def test_a_cheaper_exchange_refunds_the_difference(net, cs, keeper):
    request = inspect(exchange_request(delivered_order(), cs, price=Decimal("49.00")), keeper)
    refund = Refund.objects.get(request=request)
    assert (refund.cause, refund.amount, refund.shipping_amount) == (RefundCause.EXCHANGE_DIFFERENCE,
                                                                     Decimal("10.00"), Decimal("0.00"))
    assert request.status == RequestStatus.COMPLETED


def test_a_dearer_exchange_waits_for_the_difference_then_sends_the_replacement(net, cs, keeper, users):
    request = inspect(exchange_request(delivered_order(), cs, price=Decimal("69.00")), keeper)
    assert request.status == RequestStatus.RECEIVED and request.difference_due == Decimal("10.00")
    assert request.replacement_package_id is None
    with pytest.raises(PermissionDenied):
        exchange.collect_difference(number=request.number, actor=keeper, reference="ALI-DIFF-1")
    exchange.collect_difference(number=request.number, actor=Actor.of(users["finance"]), reference="ALI-DIFF-1")
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED and request.replacement_package_id
    assert request.difference_reference == "ALI-DIFF-1"
    with pytest.raises(NoDifferenceToCollect):
        exchange.collect_difference(number=request.number, actor=cs, reference="again")


def test_without_free_stock_the_exchange_waits_and_is_sent_once_stock_is_in(net, cs, keeper, users):
    order = delivered_order()
    adjust_stock(sku_code="TEE-L", warehouse_code="hz", delta=-10, reason="盘亏", actor=Actor.system())
    request = inspect(exchange_request(order, cs), keeper)
    assert request.status == RequestStatus.RECEIVED and request.replacement_package_id is None
    assert AuditEvent.objects.filter(order=order, action="after_sales_replacement_waiting").exists()
    with pytest.raises(ExchangeOutOfStock):
        exchange.send_replacement(number=request.number, actor=cs)
    receive_stock(sku_code="TEE-L", warehouse_code="hz", quantity=3, actor=Actor.system())
    package = exchange.send_replacement(number=request.number, actor=cs)
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED and request.replacement_package_id == package.pk
    assert verify_stock().ok


def test_nothing_is_sent_when_no_unit_passed_inspection(net, cs, keeper):
    request = inspect(exchange_request(delivered_order(), cs), keeper, condition="wrong_item")
    assert request.status == RequestStatus.COMPLETED and request.replacement_package_id is None
    assert level("TEE-L") == (10, 0)


def test_a_cheaper_exchange_refunds_at_most_what_the_units_were_paid_net_of_discounts(net, cs, keeper):
    # 2 × TEE @59 with its share of the 14.80 coupon is 106.20 net: one unit was paid 53.10, not 59.00.
    request = inspect(exchange_request(delivered_order(), cs, price=Decimal("0.00")), keeper)
    refund = Refund.objects.get(request=request)
    assert (refund.cause, refund.amount) == (RefundCause.EXCHANGE_DIFFERENCE, Decimal("53.10"))
    priced = AuditEvent.objects.get(order=request.order, action="after_sales_exchange_priced")
    assert priced.data["difference"] == "-53.10"


def test_receiving_an_exchange_locks_every_stock_level_in_sku_order(net, cs, keeper, monkeypatch):
    """Returned TEE-L for TEE (a lower id): TEE-L's level first, then TEE's would invert the fixed order."""
    import oms.aftersales.receiving as receiving_module
    import oms.fulfillment.extra_packages as extra_packages_module
    import oms.inventory.services as inventory_services

    acquired: list[list[int]] = []
    real_lock_levels, real_locked_level = inventory_services.lock_levels, inventory_services._locked_level

    def spy_lock_levels(sku_ids, warehouse_ids):
        sku_ids = list(sku_ids)
        acquired.append(sorted(set(sku_ids)))
        return real_lock_levels(sku_ids, warehouse_ids)

    def spy_locked_level(sku, warehouse):
        acquired.append([sku.pk])
        return real_locked_level(sku, warehouse)

    monkeypatch.setattr(extra_packages_module, "lock_levels", spy_lock_levels)
    monkeypatch.setattr(receiving_module, "lock_levels", spy_lock_levels, raising=False)
    monkeypatch.setattr(inventory_services, "_locked_level", spy_locked_level)
    order = delivered_order(lines=(("TEE-L", 1, "59.00"),))
    request = inspect(exchange_request(order, cs, sku="TEE"), keeper)
    assert request.status == RequestStatus.COMPLETED and request.replacement_package_id
    held: set[int] = set()
    for skus in acquired:
        new = set(skus) - held
        assert not held or not new or min(new) > max(held), acquired
        held |= new
    assert level("TEE") == (10, 1) and level("TEE-L") == (11, 0)
