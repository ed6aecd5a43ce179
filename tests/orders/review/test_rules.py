from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from oms.inventory.planning import Plan, Shortage
from oms.orders.review.messages import describe
from oms.orders.review.rules import RULES, CouponFacts, run_rules

from .facts import GOOD, facts


def check(code: str, f, **params):
    rule = RULES[code]
    return rule.check(f, {**rule.defaults(), **params})


def test_a_clean_order_passes_every_rule():
    findings, ran = run_rules(GOOD, {})

    assert findings == []
    assert set(ran) == set(RULES)


def test_a_switched_off_rule_does_not_run():
    findings, ran = run_rules(facts(ship_phone="123"), {"phone_invalid": (False, {})})

    assert "phone_invalid" not in ran and findings == []


@pytest.mark.parametrize("phone", ["13800138000", "+86 138 0013 8000", "0571-88888888", "021-62345678"])
def test_mainland_mobiles_and_landlines_with_area_code_are_valid(phone):
    assert check("phone_invalid", facts(ship_phone=phone)) == []


@pytest.mark.parametrize(("phone", "problem"), [
    ("1380013800", "invalid"), ("12345678901", "invalid"), ("", "missing"), ("电话", "unparsable"),
    ("+1 650 253 0000", "foreign"),
])
def test_a_bad_phone_is_found_with_its_problem(phone, problem):
    [finding] = check("phone_invalid", facts(ship_phone=phone))

    assert finding.details["phones"][0]["problem"] == problem


def test_foreign_numbers_pass_when_the_setting_allows_them():
    assert check("phone_invalid", facts(ship_phone="+1 650 253 0000"), allow_foreign=True) == []


def test_lines_without_a_sku_are_unknown():
    line = replace(GOOD.lines[0], sku_id=None, sku_code="TB-999")
    [finding] = check("unknown_sku", facts(lines=[line]))

    assert finding.details == {"lines": [{"line": 1, "sku": "TB-999"}]}


def test_an_inactive_sku_is_found():
    assert check("sku_inactive", facts(lines=[replace(GOOD.lines[0], sku_active=False)]))


def test_a_specification_that_differs_from_the_catalogue_is_a_mismatch_but_spacing_is_not():
    assert check("quantity_mismatch", facts(lines=[replace(GOOD.lines[0], spec="蓝色/L")]))
    assert check("quantity_mismatch", facts(lines=[replace(GOOD.lines[0], spec="红色 / m")])) == []


def test_a_quantity_above_the_line_limit_is_a_mismatch():
    assert check("quantity_mismatch", facts(lines=[replace(GOOD.lines[0], quantity=201)]))
    assert check("quantity_mismatch", facts(lines=[replace(GOOD.lines[0], quantity=201)]), max_line_quantity=500) == []


def test_a_stock_shortage_names_the_sku():
    plan = Plan(takes=[], shortages=[Shortage(sku_id=10, wanted=2, available=1)])
    [finding] = check("out_of_stock", facts(stock_plan=plan))

    assert finding.details == {"skus": [{"sku": "TSHIRT-RED-M", "wanted": 2, "available": 1}]}


@pytest.mark.parametrize(("changes", "problem"), [
    ({"payment_status": "unpaid"}, "not_paid"),
    ({"transaction_id": ""}, "no_transaction_id"),
    ({"paid_amount": Decimal("100.00")}, "paid_short"),
    ({"payment_method": "cod", "payment_status": "unpaid", "channel_cod_allowed": False}, "cod_not_allowed"),
    ({"payment_method": "cod", "payment_status": "unpaid", "channel_cod_limit": Decimal("100")}, "cod_over_limit"),
])
def test_payment_problems_are_each_named(changes, problem):
    [finding] = check("unpaid", facts(**changes))

    assert finding.details["problem"] == problem


def test_cash_on_delivery_within_the_channel_limit_passes():
    assert check("unpaid", facts(payment_method="cod", payment_status="unpaid", paid_amount=Decimal(0))) == []


def test_cash_payments_need_no_transaction_id():
    assert check("unpaid", facts(payment_method="cash", transaction_id="")) == []


NOW = datetime(2026, 11, 26, 2, 15, tzinfo=UTC)
COUPON = CouponFacts(code="NEW10", active=True, channel_id=None, min_spend=Decimal("50"), valid_from=None,
                     valid_until=None, max_uses=None, used_count=0)


@pytest.mark.parametrize(("coupon", "problem"), [
    (None, "unknown"),
    (replace(COUPON, active=False), "inactive"),
    (replace(COUPON, channel_id=2), "other_channel"),
    (replace(COUPON, valid_until=datetime(2026, 11, 1, tzinfo=UTC)), "expired"),
    (replace(COUPON, valid_from=datetime(2026, 12, 1, tzinfo=UTC)), "not_yet_valid"),
    (replace(COUPON, min_spend=Decimal("200")), "below_min_spend"),
    (replace(COUPON, max_uses=3, used_count=3), "use_limit_reached"),
])
def test_coupon_problems_are_each_named(coupon, problem):
    coupons = {"NEW10": coupon} if coupon else {}
    [finding] = check("coupon_invalid", facts(coupon_codes=["NEW10"], coupons=coupons))

    assert finding.details == {"coupons": [{"coupon": "NEW10", "problem": problem}]}


def test_a_valid_coupon_passes_and_platform_funded_channels_skip_the_check():
    assert check("coupon_invalid", facts(coupon_codes=["NEW10"], coupons={"NEW10": COUPON})) == []
    assert check("coupon_invalid", facts(coupon_codes=["X"], channel_platform_funded_discounts=True)) == []


def test_a_remark_with_a_keyword_needs_a_person():
    [finding] = check("remark_attention", facts(buyer_remark="麻烦加急，谢谢"))

    assert finding.details == {"keywords": ["加急"]}
    assert check("remark_attention", facts(buyer_remark="麻烦加急"), keywords=["改地址"]) == []


def test_a_special_vat_invoice_needs_a_person():
    assert check("remark_attention", facts(invoice_type="vat_special", buyer_remark=""))


def test_an_amount_above_the_limit_is_held_for_risk_control():
    assert check("amount_over_limit", facts(payable_amount=Decimal("5000.01")))
    assert check("amount_over_limit", facts(payable_amount=Decimal("5000.00"))) == []
    assert check("amount_over_limit", facts(payable_amount=Decimal("9000")), limit="10000") == []


def test_a_blocked_phone_or_address_is_found_with_the_reason():
    [finding] = check("blacklisted", facts(blocked_phones={"13800138000": "恶意退货"},
                                           blocked_addresses={"文三路100号": "欺诈"}))

    assert {h["kind"] for h in finding.details["hits"]} == {"phone", "address"}


def test_every_finding_has_a_readable_message():
    shortage = Plan(takes=[], shortages=[Shortage(sku_id=10, wanted=2, available=1)])
    bad = facts(ship_phone="123", payment_status="unpaid", stock_plan=shortage, buyer_remark="加急",
                payable_amount=Decimal("9999"), coupon_codes=["X"], blocked_phones={"123": "x"},
                lines=[replace(GOOD.lines[0], spec="蓝色", sku_active=False)])
    findings, _ran = run_rules(bad, {})

    assert len({f.code for f in findings}) >= 8
    for f in findings:
        text = describe(f.code, f.details)
        assert text and "%(" not in text and "{" not in text
