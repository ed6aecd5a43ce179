"""check_address and normalize: the fields an order carries, checked against the division list."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import oms.geo.index as index_module
from oms.geo.divisions import AddressProblem, ProblemCode, check_address, normalize
from oms.geo.names import short_forms

DETAIL = "文三路90号"


def codes(province: str, city: str, district: str, detail: str = DETAIL, postcode: str = "") -> list[str]:
    problems = check_address(province=province, city=city, district=district, detail=detail, postcode=postcode)
    return [p.code.value for p in problems]


@pytest.mark.parametrize(
    ("province", "city", "district"),
    [
        ("浙江省", "杭州市", "西湖区"),
        ("广东省", "深圳市", "南山区"),
        ("四川省", "成都市", "武侯区"),
        ("吉林省", "延边朝鲜族自治州", "延吉市"),
        ("内蒙古自治区", "锡林郭勒盟", "锡林浩特市"),
        ("新疆维吾尔自治区", "乌鲁木齐市", "天山区"),
        ("西藏自治区", "拉萨市", "城关区"),
        ("贵州省", "六盘水市", "六枝特区"),
        ("黑龙江省", "大兴安岭地区", "漠河市"),
    ],
)
def test_a_complete_address_in_its_official_names_has_no_problem(province: str, city: str, district: str) -> None:
    assert codes(province, city, district) == []


@pytest.mark.parametrize("province", ["北京", "北京市"])
@pytest.mark.parametrize("city", ["北京市", "市辖区", "北京", ""])
def test_a_municipality_is_accepted_in_its_usual_spellings(province: str, city: str) -> None:
    assert codes(province, city, "朝阳区") == []
    assert normalize(province, city, "朝阳区") == normalize("北京市", "北京市", "朝阳区")


@pytest.mark.parametrize(
    ("province", "city", "district"),
    [
        ("上海", "上海市", "浦东新区"),
        ("天津市", "市辖区", "滨海新区"),
        ("重庆", "县", "城口县"),
        ("重庆市", "重庆", "渝中区"),
    ],
)
def test_every_municipality_checks_clean(province: str, city: str, district: str) -> None:
    assert codes(province, city, district) == []


def test_a_municipal_district_sent_in_the_city_field_is_accepted() -> None:
    # 京东 sends 北京 / 朝阳区 / 三环到四环之间.
    assert codes("北京", "朝阳区", "三环到四环之间") == []
    assert normalize("北京", "朝阳区", "三环到四环之间") == normalize("北京市", "北京市", "朝阳区")


@pytest.mark.parametrize(
    ("province", "city", "district", "expected_city"),
    [
        ("广东", "东莞", "", "东莞市"),
        ("内蒙古", "呼和浩特", "赛罕区", "呼和浩特市"),
        ("内蒙", "兴安盟", "乌兰浩特市", "兴安盟"),
        ("广西", "南宁", "青秀区", "南宁市"),
        ("宁夏", "银川", "兴庆区", "银川市"),
        ("新疆", "乌鲁木齐", "天山区", "乌鲁木齐市"),
        ("西藏", "拉萨", "城关区", "拉萨市"),
        ("黑龙江", "哈尔滨", "南岗区", "哈尔滨市"),
        ("湖北", "恩施州", "恩施市", "恩施土家族苗族自治州"),
        ("吉林", "延边", "延吉市", "延边朝鲜族自治州"),
        ("新疆", "阿克苏", "库车市", "阿克苏地区"),
        ("浙江", "杭州", "西湖", "杭州市"),
    ],
)
def test_short_forms_of_provinces_and_cities_match(province: str, city: str, district: str, expected_city: str) -> None:
    assert codes(province, city, district) == []
    normalized = normalize(province, city, district)
    assert normalized is not None and normalized.city == expected_city


@pytest.mark.parametrize("district", ["", "长安镇", "东莞市", "南城街道"])
def test_a_city_without_districts_accepts_an_empty_district_or_a_town(district: str) -> None:
    assert codes("广东省", "东莞市", district) == []
    assert normalize("广东省", "东莞市", district) == normalize("广东", "东莞", "")


@pytest.mark.parametrize(("province", "city"), [("广东", "中山市"), ("海南", "儋州市"), ("甘肃", "嘉峪关市")])
def test_the_other_prefectures_without_districts_accept_a_town(province: str, city: str) -> None:
    assert codes(province, city, "") == []
    assert codes(province, city, "某某镇") == []


@pytest.mark.parametrize(
    ("province", "city"),
    [
        ("河南", "济源市"),
        ("湖北省", "仙桃市"),
        ("湖北", "神农架林区"),
        ("海南省", "琼海市"),
        ("新疆", "石河子市"),
        ("海南", "陵水"),
    ],
)
@pytest.mark.parametrize("same_district", [False, True])
def test_a_province_direct_unit_is_a_city_with_an_empty_or_same_district(
    province: str, city: str, same_district: bool
) -> None:
    assert codes(province, city, city if same_district else "") == []
    normalized = normalize(province, city, "")
    assert normalized is not None and normalized.district is None and normalized.district_code is None


def test_a_province_direct_unit_under_the_gb_t_2260_placeholder_city_is_accepted() -> None:
    assert codes("海南省", "省直辖县级行政区划", "琼海市") == []
    assert codes("新疆维吾尔自治区", "自治区直辖县级行政区划", "石河子市") == []
    normalized = normalize("海南省", "省直辖县级行政区划", "琼海市")
    assert normalized is not None and (normalized.city, normalized.city_code) == ("琼海市", "469002")
    assert codes("海南省", "省直辖县级行政区划", "海口市") == ["district_not_in_city"]
    assert codes("海南省", "省直辖县级行政区划", "") == ["district_missing"]


def test_an_empty_province_is_incomplete() -> None:
    assert codes("", "杭州市", "西湖区") == ["province_missing"]


@pytest.mark.parametrize("province", ["火星省", "香港特别行政区", "台湾"])
def test_a_province_outside_the_mainland_list_is_unknown(province: str) -> None:
    assert codes(province, "某市", "某区") == ["province_unknown"]


def test_an_empty_city_outside_a_municipality_is_incomplete() -> None:
    assert codes("浙江省", "", "西湖区") == ["city_missing"]


def test_a_city_of_another_province_is_invalid() -> None:
    assert codes("浙江省", "南京市", "玄武区") == ["city_not_in_province"]


def test_an_empty_district_is_incomplete_when_the_city_has_districts() -> None:
    assert codes("浙江省", "杭州市", "") == ["district_missing"]


def test_a_district_of_another_city_is_invalid() -> None:
    assert codes("浙江省", "杭州市", "玄武区") == ["district_not_in_city"]
    assert codes("北京", "北京市", "浦东新区") == ["district_not_in_city"]


def test_an_empty_detail_is_incomplete() -> None:
    assert codes("浙江省", "杭州市", "西湖区", detail="  ") == ["detail_missing"]


@pytest.mark.parametrize(
    ("detail", "too_short"), [("1号", True), ("文三路", True), ("x 1 号", True), ("文三路9", False)]
)
def test_a_detail_under_four_characters_is_too_short(detail: str, too_short: bool) -> None:
    assert codes("浙江省", "杭州市", "西湖区", detail=detail) == (["detail_too_short"] if too_short else [])


@pytest.mark.parametrize("postcode", ["", "310012", " 310012 ", "３１００１２", "310 012"])
def test_a_postcode_may_be_left_out_or_be_six_digits(postcode: str) -> None:
    assert codes("浙江省", "杭州市", "西湖区", postcode=postcode) == []


@pytest.mark.parametrize("postcode", ["31001", "3100120", "31001a", "邮编310012", "-31001"])
def test_a_postcode_that_is_not_six_digits_is_invalid(postcode: str) -> None:
    assert codes("浙江省", "杭州市", "西湖区", postcode=postcode) == ["postcode_invalid"]


def test_all_problems_are_reported_at_once_in_field_order() -> None:
    assert codes("", "", "", detail="", postcode="123") == [
        "province_missing",
        "city_missing",
        "district_missing",
        "detail_missing",
        "postcode_invalid",
    ]
    assert codes("浙江", "南京", "玄武区", detail="1号", postcode="abc") == [
        "city_not_in_province",
        "detail_too_short",
        "postcode_invalid",
    ]


def test_missing_parts_are_incomplete_and_contradictions_are_invalid() -> None:
    kinds = {code.value: AddressProblem(code, "province").kind for code in ProblemCode}
    assert kinds == {
        "province_missing": "incomplete",
        "city_missing": "incomplete",
        "district_missing": "incomplete",
        "detail_missing": "incomplete",
        "detail_too_short": "incomplete",
        "province_unknown": "invalid",
        "city_not_in_province": "invalid",
        "district_not_in_city": "invalid",
        "postcode_invalid": "invalid",
    }


def test_each_problem_names_its_field_and_cannot_be_changed() -> None:
    problems = check_address(province="", city="", district="", detail="", postcode="1")
    assert [p.field for p in problems] == ["province", "city", "district", "detail", "postcode"]
    assert problems[0].code == "province_missing"  # codes compare equal to their stable strings
    with pytest.raises(dataclasses.FrozenInstanceError):
        problems[0].code = ProblemCode.CITY_MISSING  # type: ignore[misc]


def test_normalize_gives_canonical_names_and_codes() -> None:
    normalized = normalize(" 浙江 ", "杭州", "西湖区")
    assert normalized is not None
    assert dataclasses.astuple(normalized) == ("浙江省", "330000", "杭州市", "330100", "西湖区", "330106")


@pytest.mark.parametrize(
    ("province", "city", "district"),
    [("火星", "杭州", "西湖区"), ("浙江", "杭州", ""), ("浙江", "南京", "玄武区"), ("浙江", "杭州", "玄武区")],
)
def test_normalize_gives_none_when_a_part_does_not_resolve(province: str, city: str, district: str) -> None:
    assert normalize(province, city, district) is None


@pytest.mark.parametrize("former", ["江北区", "渝北区"])
def test_a_chongqing_district_abolished_in_2025_is_read_as_its_successor(former: str) -> None:
    assert codes("重庆", "重庆市", former) == []
    normalized = normalize("重庆", "重庆市", former)
    assert normalized is not None and (normalized.district, normalized.district_code) == ("两江新区", "500157")


def _triples() -> list[tuple[str, str, str]]:
    path = Path(index_module.__file__).with_name("data") / "divisions.csv"
    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    by_code = {r["code"]: r for r in rows}
    has_districts = {r["parent_code"] for r in rows if r["level"] == "district"}
    triples = []
    for row in rows:
        if row["level"] == "district" or (row["level"] == "city" and row["code"] not in has_districts):
            city = by_code[row["parent_code"]] if row["level"] == "district" else row
            district = row["name"] if row["level"] == "district" else ""
            triples.append((by_code[city["parent_code"]]["name"], city["name"], district))
    return triples


TRIPLES = _triples()


@given(st.sampled_from(TRIPLES), st.booleans(), st.booleans())
def test_every_division_in_the_data_file_checks_clean_in_full_or_short_form(
    triple: tuple[str, str, str], short_province: bool, short_city: bool
) -> None:
    province, city, district = triple
    spelt_province = (short_forms(province) or (province,))[0] if short_province else province
    spelt_city = (short_forms(city) or (city,))[0] if short_city else city
    assert codes(spelt_province, spelt_city, district) == []
    normalized = normalize(spelt_province, spelt_city, district)
    assert normalized is not None
    assert (normalized.province, normalized.city, normalized.district or "") == triple


def test_every_division_in_the_data_file_checks_clean_exhaustively() -> None:
    assert len(TRIPLES) == 2813 + 36  # every district, and every city that has none
    assert [t for t in TRIPLES if codes(*t)] == []


def test_a_functional_zone_that_couriers_use_as_a_district_is_accepted_for_its_own_city():
    from oms.geo.divisions import check_address

    assert check_address(province="江苏省", city="苏州市", district="工业园区", detail="星湖街328号",
                         postcode="") == []
    assert [p.code for p in check_address(province="江苏省", city="南京市", district="工业园区",
                                          detail="中山北路30号", postcode="")] == ["district_not_in_city"]
