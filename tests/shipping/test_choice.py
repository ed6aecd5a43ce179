"""Carrier choice by preset rules: pure, no database."""

from decimal import Decimal

from oms.shipping import choice
from oms.shipping.choice import Parcel, Rule, best, choose
from oms.shipping.rates import Card, Zone, insurance_fee

EAST = frozenset({"浙江省", "上海市", "江苏省"})


def card(carrier, first, days, *, cod=False, permille="0", min_fee="0", max_value="0", provinces=EAST,
         served=True):
    zone = Zone(name="华东", provinces=frozenset(provinces), served=served, first_weight_g=1000,
                first_price=Decimal(first), step_weight_g=1000, step_price=Decimal("2.00"), promise_days=days)
    return Card(carrier=carrier, warehouse_id=1, divisor=8000, cod=cod, zones=(zone,),
                insurance_permille=Decimal(permille), insurance_min_fee=Decimal(min_fee),
                insurance_max_value=Decimal(max_value))


CARDS = [card("zto", "5.00", 2), card("yto", "6.00", 3), card("sf", "12.00", 1, cod=True)]


def parcel(**kw):
    return Parcel(**{"warehouse_id": 1, "province": "上海市", "weight_g": 800, **kw})


def reasons(result):
    return {o.carrier: (o.reason, o.rule) for o in result.options}


def test_without_rules_the_cheapest_carrier_wins_whatever_its_promise():
    result = choose(CARDS, parcel(), insure_above=None)
    assert result.quote.carrier == "zto"
    assert [o.carrier for o in result.options] == ["zto", "yto", "sf"]
    assert all(o.reason == "" for o in result.options)


def test_a_rush_rule_drops_the_carriers_too_slow_for_its_promise():
    rush = Rule(name="加急", remark_keywords=("加急",), max_promise_days=1)
    result = choose(CARDS, parcel(remark="麻烦加急，周五前要"), rules=[rush], insure_above=None)
    assert result.quote.carrier == "sf"
    assert reasons(result)["zto"] == (choice.TOO_SLOW, "加急")
    assert result.as_data()["max_days"] == 1
    assert result.as_data()["rules"] == ["加急"]


def test_a_rule_whose_keyword_is_not_in_the_remark_does_not_apply():
    rush = Rule(name="加急", remark_keywords=("加急",), max_promise_days=1)
    assert choose(CARDS, parcel(remark="周末送货"), rules=[rush], insure_above=None).quote.carrier == "zto"


def test_cash_on_delivery_drops_carriers_that_do_not_collect_it():
    result = choose(CARDS, parcel(cod=True), insure_above=None)
    assert result.quote.carrier == "sf"
    assert reasons(result)["zto"] == (choice.NO_COD, "")


def test_an_unserved_destination_is_named_as_the_reason():
    cards = [card("zto", "5.00", 2, served=False), card("sf", "12.00", 1)]
    result = choose(cards, parcel(), insure_above=None)
    assert result.quote.carrier == "sf"
    assert reasons(result)["zto"] == (choice.NOT_SERVED, "")


def test_never_these_carriers_names_the_rule_that_excluded_them():
    rule = Rule(name="不用中通", excluded_carriers=frozenset({"zto"}))
    result = choose(CARDS, parcel(), rules=[rule], insure_above=None)
    assert result.quote.carrier == "yto"
    assert reasons(result)["zto"] == (choice.EXCLUDED, "不用中通")


def test_only_these_carriers_lists_of_several_rules_narrow_each_other_in_position_order():
    first = Rule(name="大件", position=1, min_weight_g=500, carriers=frozenset({"sf", "yto"}))
    second = Rule(name="上海", position=2, provinces=frozenset({"上海市"}), carriers=frozenset({"sf"}))
    result = choose(CARDS, parcel(), rules=[second, first], insure_above=None)
    assert result.quote.carrier == "sf"
    assert reasons(result)["zto"] == (choice.NOT_IN_RULE, "大件")
    assert reasons(result)["yto"] == (choice.NOT_IN_RULE, "上海")
    assert result.limits.rules == ("大件", "上海")


def test_a_weight_condition_only_applies_inside_its_range():
    heavy = Rule(name="重货", min_weight_g=5000, excluded_carriers=frozenset({"zto"}))
    assert choose(CARDS, parcel(weight_g=800), rules=[heavy], insure_above=None).quote.carrier == "zto"
    assert choose(CARDS, parcel(weight_g=6000), rules=[heavy], insure_above=None).quote.carrier == "yto"


def test_order_amount_and_cod_only_conditions():
    big = Rule(name="大额", min_order_amount=Decimal("1000.00"), carriers=frozenset({"sf"}))
    cod = Rule(name="到付", cod_only=True, carriers=frozenset({"sf"}))
    assert choose(CARDS, parcel(order_amount=Decimal("999.99")), rules=[big, cod],
                  insure_above=None).quote.carrier == "zto"
    assert choose(CARDS, parcel(order_amount=Decimal("1000.00")), rules=[big],
                  insure_above=None).quote.carrier == "sf"


def test_insurance_fee_is_the_rate_per_thousand_of_the_declared_value_but_at_least_the_minimum():
    c = card("sf", "12.00", 1, permille="5", min_fee="2.00", max_value="20000.00")
    assert insurance_fee(c, Decimal("1000.00")) == Decimal("5.00")
    assert insurance_fee(c, Decimal("300.00")) == Decimal("2.00")
    assert insurance_fee(c, Decimal("20000.01")) is None
    assert insurance_fee(card("zto", "5.00", 2), Decimal("100.00")) is None  # max value 0: does not insure


def test_an_insured_parcel_pays_the_fee_and_drops_carriers_that_cannot_insure_it():
    cards = [card("zto", "5.00", 2), card("yto", "6.00", 3, permille="3", min_fee="1.00", max_value="800.00"),
             card("sf", "12.00", 1, permille="5", min_fee="1.00", max_value="20000.00")]
    result = choose(cards, parcel(declared_value=Decimal("1000.00")), insure_above=Decimal("500.00"))
    assert result.insured
    assert result.quote.carrier == "sf"
    assert result.quote.price == Decimal("17.00") and result.quote.insurance == Decimal("5.00")
    assert reasons(result)["zto"] == (choice.NOT_INSURED, "")
    assert reasons(result)["yto"] == (choice.OVER_INSURABLE, "")


def test_a_parcel_no_eligible_carrier_insures_still_ships_with_the_cheapest_and_says_it_is_uninsured():
    cards = [card("zto", "5.00", 2), card("yto", "6.00", 3, permille="3", min_fee="1.00", max_value="800.00")]
    result = choose(cards, parcel(declared_value=Decimal("1000.00")), insure_above=Decimal("500.00"))
    assert result.quote.carrier == "zto" and result.quote.insurance == 0
    assert not result.insured and result.uninsured and result.as_data()["uninsured"] is True
    assert best(cards, province="上海市", weight_g=800, declared_value=Decimal("1000.00"),
                insure_above=Decimal("500.00")).carrier == "zto"


def test_a_parcel_at_or_below_the_threshold_is_not_insured_and_pays_no_fee():
    cards = [card("sf", "12.00", 1, permille="5", min_fee="1.00", max_value="20000.00")]
    result = choose(cards, parcel(declared_value=Decimal("500.00")), insure_above=Decimal("500.00"))
    assert not result.insured
    assert result.quote.price == Decimal("12.00") and result.quote.insurance == 0


def test_ties_go_to_the_faster_promise_then_the_carrier_code():
    cards = [card("yto", "5.00", 3), card("zto", "5.00", 2), card("sto", "5.00", 2)]
    assert choose(cards, parcel(), insure_above=None).quote.carrier == "sto"
    assert best(cards, province="上海市", weight_g=800).carrier == "sto"


def test_when_every_carrier_is_dropped_there_is_no_choice_but_every_reason_is_kept():
    rule = Rule(name="当日达", max_promise_days=0)
    result = choose(CARDS, parcel(), rules=[rule], insure_above=None)
    assert result.quote is None
    assert {o["dropped"] for o in result.as_data()["options"]} == {choice.TOO_SLOW}


def test_the_fast_path_agrees_with_the_explained_choice():
    rules = [Rule(name="加急", remark_keywords=("加急",), max_promise_days=2),
             Rule(name="不用圆通", excluded_carriers=frozenset({"yto"}))]
    cards = [*CARDS, card("ems", "4.00", 4, cod=True, permille="4", min_fee="1.00", max_value="5000.00")]
    for weight in (300, 1200, 7000):
        for value in (Decimal("100.00"), Decimal("900.00")):
            for remark in ("", "加急"):
                p = parcel(weight_g=weight, declared_value=value, remark=remark)
                explained = choose(cards, p, rules=rules, insure_above=Decimal("500.00"))
                matched = choice.order_rules(rules, province=p.province, cod=False, remark=remark,
                                             order_amount=Decimal(0))
                fast = best(cards, province=p.province, weight_g=weight, declared_value=value,
                            limits=choice.limits(matched, weight_g=weight), insure_above=Decimal("500.00"))
                assert fast == explained.quote
