"""Carrier choice inside allocation, chosen again with the weighed weight, and set by hand."""
# ruff: noqa: F811  (fixtures imported from other test modules are parameters here)

from decimal import Decimal

import pytest

from oms.audit.models import AuditEvent
from oms.fulfillment.models import Package
from oms.fulfillment.services import allocate_order
from oms.notifications.outbox import deliver_pending
from oms.orders.models import Order
from oms.orders.review.corrections import acknowledge_remark
from oms.shipping import choice
from oms.shipping.errors import CarrierDoesNotServe, NoCarrierLeft
from oms.shipping.models import Carrier, CarrierRule, RateCard, RateZone
from oms.shipping.package_carriers import choose_carrier_again, set_package_carrier
from tests.fulfillment.conftest import EAST, network, push, receive  # noqa: F401  (fixtures)
from tests.shipping.test_handover import packed  # noqa: F401  (fixture)


@pytest.fixture
def sf(network):
    """SF from Hangzhou: dearer than ZTO (8.00) but next day; insures up to 20000 at 5 ‰ (min 2.00)."""
    carrier = Carrier.objects.create(code="sf", name="顺丰速运", supports_cod=True)
    card = RateCard.objects.create(carrier=carrier, warehouse=network["hz"], insurance_rate_permille=Decimal("5"),
                                   insurance_min_fee=Decimal("2.00"), insurance_max_value=Decimal("20000.00"))
    RateZone.objects.create(rate_card=card, name="华东", provinces=EAST, first_price=Decimal("12.00"),
                            step_price=Decimal("2.00"), promise_days=1)
    return carrier


def allocated_event(order):
    return AuditEvent.objects.filter(order=order, action="order_allocated").get()


def test_a_rush_order_gets_the_carrier_that_meets_the_rules_promise_and_the_timeline_says_why(
        push, actor, sf):
    CarrierRule.objects.create(name="加急", remark_keywords=["加急"], max_promise_days=1)
    receive(actor, "TEE", "hz", 5)
    order = push(("TEE", 1), buyer_remark="麻烦加急")
    assert order.status == "on_hold"  # review asks a person to read remarks like this one first
    acknowledge_remark(order_no=order.order_no, actor=actor("customer_service"), note="顺丰次日达")
    while deliver_pending():
        pass
    package = order.packages.get()
    assert package.carrier.code == "sf" and package.freight == Decimal("12.00")
    data = allocated_event(order).data["packages"][0]
    assert data["rules"] == ["加急"] and data["max_days"] == 1
    options = {o["carrier"]: o for o in data["options"]}
    assert options["sf"].get("dropped") is None
    assert options["zto"]["dropped"] == choice.TOO_SLOW and options["zto"]["rule"] == "加急"


def test_without_a_matching_rule_the_cheapest_carrier_is_kept(push, actor, sf):
    CarrierRule.objects.create(name="加急", remark_keywords=["加急"], max_promise_days=1)
    receive(actor, "TEE", "hz", 5)
    order = push(("TEE", 1), buyer_remark="周末送货")
    assert order.packages.get().carrier.code == "zto"


def test_a_valuable_parcel_is_insured_with_a_carrier_that_insures_it_and_pays_the_fee(push, actor, sf):
    receive(actor, "TEE", "hz", 100)
    order = push(("TEE", 60))  # 60 × 10.00 = 600.00 declared, above the 500.00 threshold
    package = order.packages.get()
    assert package.carrier.code == "sf"
    data = allocated_event(order).data["packages"][0]
    assert data["insured"] is True
    zto = next(o for o in data["options"] if o["carrier"] == "zto")
    assert zto["dropped"] == choice.NOT_INSURED
    sf_option = next(o for o in data["options"] if o["carrier"] == "sf")
    assert sf_option["insurance"] == "3.00" and Decimal(sf_option["price"]) == package.freight


def test_an_order_no_carrier_can_take_fails_allocation_with_the_reasons(push, actor, sf):
    CarrierRule.objects.create(name="当日达", max_promise_days=0)
    receive(actor, "TEE", "hz", 5)
    order = push(("TEE", 1))
    assert not order.packages.exists()
    failed = AuditEvent.objects.filter(order=order, action="allocation_failed").get()
    assert failed.data["problem"] == "no_carrier_left"
    hz = next(c for c in failed.data["carriers"] if c["warehouse"] == "hz")
    assert {o["dropped"] for o in hz["options"]} == {choice.TOO_SLOW}
    assert allocate_order(order_no=order.order_no, actor=actor("operations")).problem == "no_carrier_left"


def test_choosing_again_uses_the_weighed_weight_and_is_audited(packed, actor, sf):
    CarrierRule.objects.create(name="重货走顺丰", min_weight_g=300, carriers=["sf"])
    order, number = packed(("TEE", 1))  # expected 200 g → zto; weighed 350 g
    assert Package.objects.get(number=number).carrier.code == "zto"
    package = choose_carrier_again(package_number=number, actor=actor("logistics"))
    # the 3号 box (350 × 250 × 150 mm ÷ 8000) weighs 1641 g by volume: first kilogram + one step
    assert package.carrier.code == "sf" and package.freight == Decimal("14.00")
    event = AuditEvent.objects.filter(order=order, action="carrier_chosen_again").get()
    assert event.changes["carrier"] == ["zto", "sf"] and event.data["weight_g"] == 350
    assert {o["carrier"]: o.get("dropped") for o in event.data["options"]}["zto"] == choice.NOT_IN_RULE


def test_choosing_again_when_every_carrier_is_dropped_changes_nothing(packed, actor, sf):
    order, number = packed(("TEE", 1))
    CarrierRule.objects.create(name="当日达", max_promise_days=0)
    with pytest.raises(NoCarrierLeft) as caught:
        choose_carrier_again(package_number=number, actor=actor("logistics"))
    assert caught.value.http_status == 422 and caught.value.details["options"]
    assert Package.objects.get(number=number).carrier.code == "zto"


def test_setting_a_carrier_by_hand_is_refused_when_it_does_not_serve_the_destination(push, actor, network):
    west = Carrier.objects.create(code="yunda", name="韵达")
    card = RateCard.objects.create(carrier=west, warehouse=network["hz"])
    RateZone.objects.create(rate_card=card, name="西部", provinces=["四川省"], first_price=Decimal("4.00"))
    receive(actor, "TEE", "hz", 5)
    order = push(("TEE", 1))
    number = order.packages.get().number
    with pytest.raises(CarrierDoesNotServe):
        set_package_carrier(package_number=number, carrier_code="yunda", actor=actor("logistics"), reason="便宜")
    assert Package.objects.get(number=number).carrier.code == "zto"
    assert not AuditEvent.objects.filter(order=order, action="package_carrier_set").exists()


def test_setting_a_carrier_by_hand_records_the_reason(push, actor, sf):
    CarrierRule.objects.create(name="不用顺丰", excluded_carriers=["sf"])
    receive(actor, "TEE", "hz", 5)
    order = push(("TEE", 1))
    number = order.packages.get().number
    package = set_package_carrier(package_number=number, carrier_code="sf", actor=actor("logistics"),
                                  reason="客户电话要求顺丰")
    assert package.carrier.code == "sf" and package.freight == Decimal("12.00")
    event = AuditEvent.objects.filter(order=Order.objects.get(pk=order.pk), action="package_carrier_set").get()
    assert event.reason == "客户电话要求顺丰" and event.changes["carrier"] == ["zto", "sf"]
