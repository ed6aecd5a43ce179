"""The masking rules of personal data (pure, no database)."""

from __future__ import annotations

import pytest

from oms.orders.personal_data import (
    ANONYMISED,
    mask_address,
    mask_detail,
    mask_email,
    mask_name,
    mask_phone,
    mask_value_change,
    masked_changes,
    masked_fields,
)


@pytest.mark.parametrize(("phone", "masked"), [
    ("13800138000", "138****8000"),
    ("+8613800138000", "+86****8000"),
    ("0571-88886666", "057****6666"),
    ("1234567", "*****67"),
    ("12", "**"),
    ("", ""),
    (ANONYMISED, ANONYMISED),
])
def test_a_phone_keeps_its_first_three_and_last_four_digits(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(("name", "masked"), [
    ("张三", "张*"), ("张小明", "张*明"), ("欧阳小明", "欧**明"), ("张", "*"), ("", ""), ("Li Lei", "L****i"),
])
def test_a_name_keeps_its_first_and_last_character(name, masked):
    assert mask_name(name) == masked


def test_the_street_detail_shows_its_first_characters_and_hides_the_number():
    assert mask_detail("文三路100号") == "文三路****"
    assert mask_detail("余杭区仓前街道文一西路1号3幢") == "余杭区仓****"
    assert mask_detail("1号") == "1****"
    assert "100" not in mask_detail("文三路100号")


def test_an_address_shows_province_city_and_district_in_full():
    assert mask_address("浙江省", "杭州市", "西湖区", "文三路100号") == "浙江省杭州市西湖区文三路****"


def test_an_email_keeps_the_first_character_and_the_domain():
    assert mask_email("zs@example.cn") == "z***@example.cn"
    assert mask_email("") == ""


def test_audit_changes_of_personal_fields_are_masked_and_others_kept():
    assert mask_value_change("ship_phone", ["13800138000", "13900139000"]) == ["138****8000", "139****9000"]
    assert mask_value_change("status", ["on_hold", "pending_shipment"]) == ["on_hold", "pending_shipment"]
    assert masked_changes({"ship_name": ["张三", "李四"], "paid_amount": ["0.00", "59.00"]}) == {
        "ship_name": ["张*", "李*"], "paid_amount": ["0.00", "59.00"]}
    assert masked_fields({"name": "张三", "phone": "13800138000", "province": "浙江省"}) == {
        "name": "张*", "phone": "138****8000", "province": "浙江省"}


def test_a_block_list_finding_names_the_phone_masked_and_the_address_fragment_as_is():
    from oms.orders.review.messages import describe

    text = describe("blacklisted", {"hits": [{"kind": "phone", "value": "13800138000", "reason": "恶意退货"},
                                             {"kind": "address", "value": "某某村", "reason": "拒收"}]})

    assert "138****8000 (恶意退货)" in text and "某某村 (拒收)" in text and "13800138000" not in text
