"""parse_one_line: addresses that channels and buyers send as a single line."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import oms.geo.index as index_module
from oms.geo.divisions import ParsedAddress, check_address, parse_one_line

LINES = [
    (
        "张三 13812345678 浙江省杭州市西湖区文三路90号 310012",
        ParsedAddress("浙江省", "杭州市", "西湖区", "文三路90号", "张三", "13812345678", "310012"),
    ),
    ("上海市浦东新区张江路100弄5号", ParsedAddress("上海市", "上海市", "浦东新区", "张江路100弄5号")),
    ("广东东莞市长安镇xx路1号", ParsedAddress("广东省", "东莞市", "", "长安镇xx路1号")),
    (
        "李四，138-1234-5678，北京市 北京市 朝阳区 建国路88号SOHO现代城2号楼1203",
        ParsedAddress("北京市", "北京市", "朝阳区", "建国路88号SOHO现代城2号楼1203", "李四", "13812345678"),
    ),
    (
        "收货人：王五 手机：13900001111 所在地区：广东省 深圳市 南山区 详细地址：科技园高新南一道8号 邮编：518057",
        ParsedAddress("广东省", "深圳市", "南山区", "科技园高新南一道8号", "王五", "13900001111", "518057"),
    ),
    (
        "天津市市辖区和平区南京路189号 赵六 15022223333",
        ParsedAddress("天津市", "天津市", "和平区", "南京路189号", "赵六", "15022223333"),
    ),
    (
        "河南省济源市沁园路168号 孙八 13700001234",
        ParsedAddress("河南省", "济源市", "", "沁园路168号", "孙八", "13700001234"),
    ),
    ("湖北省 省直辖县级行政区划 仙桃市 仙桃大道中段1号", ParsedAddress("湖北省", "仙桃市", "", "仙桃大道中段1号")),
    (
        "新疆石河子市北四路100号 周九 13999998888",
        ParsedAddress("新疆维吾尔自治区", "石河子市", "", "北四路100号", "周九", "13999998888"),
    ),
    ("内蒙古呼和浩特市赛罕区大学东街235号", ParsedAddress("内蒙古自治区", "呼和浩特市", "赛罕区", "大学东街235号")),
    (
        "广西南宁市青秀区民族大道100号 530000",
        ParsedAddress("广西壮族自治区", "南宁市", "青秀区", "民族大道100号", postcode="530000"),
    ),
    ("吉林市船营区北京路1号", ParsedAddress("吉林省", "吉林市", "船营区", "北京路1号")),
    ("恩施州恩施市舞阳大道1号", ParsedAddress("湖北省", "恩施土家族苗族自治州", "恩施市", "舞阳大道1号")),
    ("杭州西湖区文三路90号", ParsedAddress("浙江省", "杭州市", "西湖区", "文三路90号")),
    (
        "浦东新区世纪大道100号 钱十 +86 139 1234 5678",
        ParsedAddress("上海市", "上海市", "浦东新区", "世纪大道100号", "钱十", "13912345678"),
    ),
    ("海南省琼海市嘉积镇银海路1号", ParsedAddress("海南省", "琼海市", "", "嘉积镇银海路1号")),
    (
        "陈一 138****5678 江苏省苏州市姑苏区人民路1号",
        ParsedAddress("江苏省", "苏州市", "姑苏区", "人民路1号", "陈一", "138****5678"),
    ),
    (
        "王二 15812345678-1234 四川省成都市武侯区人民南路四段1号 610041",
        ParsedAddress("四川省", "成都市", "武侯区", "人民南路四段1号", "王二", "15812345678-1234", "610041"),
    ),
    ("浙江 杭州 西湖 文三路90号", ParsedAddress("浙江省", "杭州市", "西湖区", "文三路90号")),
    ("山东济南市中区经四路1号", ParsedAddress("山东省", "济南市", "市中区", "经四路1号")),
    ("河北省承德县下板城镇1号", ParsedAddress("河北省", "承德市", "承德县", "下板城镇1号")),
    (
        "重庆 重庆市 渝北区 金开大道99号 刘七 18623456789",
        ParsedAddress("重庆市", "重庆市", "两江新区", "金开大道99号", "刘七", "18623456789"),
    ),
    (
        "周先生 0571-88888888 浙江省杭州市上城区解放路1号",
        ParsedAddress("浙江省", "杭州市", "上城区", "解放路1号", "周先生", "0571-88888888"),
    ),
    (
        "浙江省杭州市上城区解放路1号 吴女士 (0571)88888888-123",
        ParsedAddress("浙江省", "杭州市", "上城区", "解放路1号", "吴女士", "0571-88888888-123"),
    ),
]


@pytest.mark.parametrize(("line", "expected"), LINES, ids=[line for line, _ in LINES])
def test_a_realistic_one_line_address_is_split_into_its_fields(line: str, expected: ParsedAddress) -> None:
    assert parse_one_line(line) == expected


def test_a_parsed_complete_line_passes_the_address_check() -> None:
    for line, _ in LINES:
        parsed = parse_one_line(line)
        problems = check_address(
            province=parsed.province,
            city=parsed.city,
            district=parsed.district,
            detail=parsed.detail,
            postcode=parsed.postcode,
        )
        assert problems == [], line


def test_a_district_name_inside_a_street_name_is_not_taken_for_the_district() -> None:
    # 朝阳门 is in 东城区; only a full 朝阳区, or 朝阳 standing alone, names the district.
    assert parse_one_line("北京市朝阳门内大街1号") == ParsedAddress("北京市", "北京市", "", "朝阳门内大街1号")


def test_a_name_containing_a_province_is_not_read_as_the_province() -> None:
    parsed = parse_one_line("张北京 13812345678 浙江省杭州市西湖区文三路90号")
    assert (parsed.name, parsed.province, parsed.city) == ("张北京", "浙江省", "杭州市")


def test_a_district_shared_by_several_cities_is_not_guessed() -> None:
    assert parse_one_line("朝阳区建国路88号") == ParsedAddress(detail="朝阳区建国路88号")


def test_a_line_without_any_division_keeps_the_text_as_detail() -> None:
    assert parse_one_line("文三路90号 3楼") == ParsedAddress(detail="文三路90号 3楼")
    assert parse_one_line("") == ParsedAddress()


def test_a_province_alone_leaves_city_and_district_empty_for_the_check_to_report() -> None:
    parsed = parse_one_line("浙江省文三路90号")
    assert (parsed.province, parsed.city, parsed.district, parsed.detail) == ("浙江省", "", "", "文三路90号")


def _official_triples() -> list[tuple[str, str, str]]:
    path = Path(index_module.__file__).with_name("data") / "divisions.csv"
    rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    by_code = {r["code"]: r for r in rows}
    triples = []
    for row in rows:
        if row["level"] == "district":
            city = by_code[row["parent_code"]]
            triples.append((by_code[city["parent_code"]]["name"], city["name"], row["name"]))
    return triples


@given(
    st.sampled_from(_official_triples()),
    st.sampled_from(["幸福路1号", "人民大道100号3栋", "建设街道xx小区"]),
    st.sampled_from(["", " ", "，"]),
)
def test_official_names_written_one_after_another_parse_back(
    triple: tuple[str, str, str], detail: str, sep: str
) -> None:
    province, city, district = triple
    parsed = parse_one_line(sep.join((province, city, district, detail)))
    assert (parsed.province, parsed.city, parsed.district, parsed.detail) == (province, city, district, detail)


def test_a_label_word_inside_the_address_is_kept() -> None:
    parsed = parse_one_line("广东省深圳市福田区华强北手机城3楼 张三 手机13812345678")
    assert (parsed.detail, parsed.name, parsed.phone) == ("华强北手机城3楼", "张三", "13812345678")
