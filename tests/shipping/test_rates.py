"""Parcel prices from rate cards: first weight, started steps, volumetric weight, zones not served."""

from decimal import Decimal

from oms.shipping.rates import Card, Zone, canonical_provinces, chargeable_weight_g, cheapest, quote

NEAR = Zone(name="江浙沪", provinces=canonical_provinces(["浙江", "江苏省", "上海"]), served=True,
            first_weight_g=1000, first_price=Decimal("6.00"), step_weight_g=1000, step_price=Decimal("2.00"),
            promise_days=1)
FAR = Zone(name="偏远", provinces=canonical_provinces(["新疆维吾尔自治区", "西藏自治区"]), served=False,
           first_weight_g=1000, first_price=Decimal("20.00"), step_weight_g=1000, step_price=Decimal("15.00"),
           promise_days=7)
ZTO = Card(carrier="zto", warehouse_id=1, divisor=8000, cod=False, zones=(NEAR, FAR))
SF = Card(carrier="sf", warehouse_id=1, divisor=6000, cod=True, zones=(
    Zone(name="省内", provinces=canonical_provinces(["浙江省"]), served=True, first_weight_g=1000,
         first_price=Decimal("12.00"), step_weight_g=500, step_price=Decimal("1.00"), promise_days=1),))


def test_a_parcel_within_the_first_weight_costs_the_first_price():
    assert quote(ZTO, province="浙江省", weight_g=800).price == Decimal("6.00")


def test_every_started_step_beyond_the_first_weight_is_charged():
    assert quote(ZTO, province="浙江省", weight_g=1001).price == Decimal("8.00")
    assert quote(ZTO, province="浙江省", weight_g=3000).price == Decimal("10.00")
    assert quote(SF, province="浙江省", weight_g=2100).price == Decimal("15.00")  # 3 started 500 g steps


def test_a_light_bulky_parcel_pays_its_volumetric_weight():
    # 40 × 30 × 30 cm = 36,000 cm³ ÷ 8000 = 4.5 kg, more than the 1.2 kg it weighs.
    assert chargeable_weight_g(1200, 36_000, 8000) == 4500
    assert quote(ZTO, province="浙江省", weight_g=1200, volume_cm3=36_000).price == Decimal("14.00")


def test_provinces_match_by_their_canonical_name():
    assert quote(ZTO, province="江苏省", weight_g=500).zone == "江浙沪"
    assert quote(ZTO, province="上海市", weight_g=500) is not None


def test_a_zone_not_served_or_a_province_without_a_zone_has_no_price():
    assert quote(ZTO, province="新疆维吾尔自治区", weight_g=500) is None
    assert quote(ZTO, province="广东省", weight_g=500) is None


def test_cash_on_delivery_needs_a_carrier_that_collects_it():
    assert quote(ZTO, province="浙江省", weight_g=500, cod=True) is None
    assert cheapest([ZTO, SF], province="浙江省", weight_g=500, cod=True).carrier == "sf"


def test_the_cheapest_quote_wins_and_a_delivery_promise_can_rule_some_out():
    assert cheapest([ZTO, SF], province="浙江省", weight_g=500).carrier == "zto"
    slow = Card(carrier="yunda", warehouse_id=1, divisor=8000, cod=False, zones=(
        Zone(name="全国", provinces=canonical_provinces(["浙江省"]), served=True, first_weight_g=1000,
             first_price=Decimal("4.00"), step_weight_g=1000, step_price=Decimal("1.00"), promise_days=3),))
    assert cheapest([ZTO, SF, slow], province="浙江省", weight_g=500).carrier == "yunda"
    assert cheapest([ZTO, SF, slow], province="浙江省", weight_g=500, max_days=1).carrier == "zto"
    assert cheapest([ZTO], province="广东省", weight_g=500) is None
