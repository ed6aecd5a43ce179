"""The committed division list: its shape, known recent changes, and how it is loaded."""

from __future__ import annotations

import csv
import importlib.util
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

import oms.geo.index as index_module
from oms.geo.divisions import check_address, load_divisions, normalize, parse_one_line

DATA_DIR = Path(index_module.__file__).with_name("data")
ROWS = list(csv.DictReader((DATA_DIR / "divisions.csv").read_text(encoding="utf-8").splitlines()))
BY_CODE = {row["code"]: row for row in ROWS}
CHILDREN = Counter(row["parent_code"] for row in ROWS)
MUNICIPAL_CITIES = {"110100", "120100", "310100", "500100"}


def _of_level(level: str) -> list[dict[str, str]]:
    return [row for row in ROWS if row["level"] == level]


def test_the_file_has_the_31_mainland_provinces_and_not_hong_kong_macao_or_taiwan() -> None:
    names = {row["name"] for row in _of_level("province")}
    assert len(names) == 31
    assert {"北京市", "广西壮族自治区", "新疆维吾尔自治区", "海南省"} <= names
    assert not {"香港特别行政区", "澳门特别行政区", "台湾省"} & names


def test_the_row_counts_are_those_documented_in_the_readme() -> None:
    counts = Counter(row["level"] for row in ROWS)
    assert counts == {"province": 31, "city": 369, "district": 2813}
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert "| province | 31 |" in readme and "| city | 369 |" in readme and "| district | 2813 |" in readme


def test_the_prefecture_level_has_the_333_units_the_ministry_publishes() -> None:
    prefectures = [r for r in _of_level("city") if r["code"].endswith("00") and r["code"] not in MUNICIPAL_CITIES]
    assert len(prefectures) == 333


def test_every_code_is_six_digits_unique_and_sits_under_a_parent_one_level_up() -> None:
    assert len(BY_CODE) == len(ROWS)
    above = {"city": "province", "district": "city"}
    for row in ROWS:
        assert len(row["code"]) == 6 and row["code"].isdigit()
        if row["level"] == "province":
            assert row["parent_code"] == ""
        else:
            assert BY_CODE[row["parent_code"]]["level"] == above[row["level"]]


@pytest.mark.parametrize(
    ("code", "name", "parent"),
    [
        ("500157", "两江新区", "500100"),  # 2025-11: replaced 江北区 and 渝北区
        ("659012", "白杨市", "650000"),
        ("659011", "新星市", "650000"),
        ("513402", "会理市", "513400"),
        ("350604", "龙海区", "350600"),
        ("350605", "长泰区", "350600"),
        ("350405", "沙县区", "350400"),
        ("410307", "偃师区", "410300"),
        ("610305", "凤翔区", "610300"),
        ("654203", "沙湾市", "654200"),
        ("370116", "莱芜区", "370100"),
        ("460302", "西沙区", "460300"),
        ("460303", "南沙区", "460300"),
    ],
)
def test_divisions_created_or_renamed_in_recent_years_are_present(code: str, name: str, parent: str) -> None:
    assert BY_CODE[code]["name"] == name
    assert BY_CODE[code]["parent_code"] == parent


@pytest.mark.parametrize("code", ["500105", "500112", "371200", "350681", "410381", "610322"])
def test_abolished_divisions_are_gone(code: str) -> None:
    # 江北区, 渝北区 (重庆 2025); 莱芜市 (2019); 龙海市, 偃师市, 凤翔县 (2021)
    assert code not in BY_CODE


def test_chongqing_has_25_districts_8_counties_and_4_autonomous_counties() -> None:
    names = [row["name"] for row in ROWS if row["parent_code"] == "500100"]
    assert sum(n.endswith("自治县") for n in names) == 4
    assert sum(n.endswith("县") and not n.endswith("自治县") for n in names) == 8
    assert sum(n.endswith("区") for n in names) == 25


def test_only_province_direct_units_and_four_prefectures_have_no_districts() -> None:
    without = {row["name"] for row in _of_level("city") if CHILDREN[row["code"]] == 0}
    assert {"东莞市", "中山市", "儋州市", "嘉峪关市", "济源市", "仙桃市", "神农架林区", "琼海市", "石河子市"} <= without
    prefectures = {
        row["name"] for row in _of_level("city") if CHILDREN[row["code"]] == 0 and row["code"].endswith("00")
    }
    assert prefectures == {"东莞市", "中山市", "儋州市", "嘉峪关市"}
    assert len(without) == 36


def _build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_divisions", DATA_DIR / "build_divisions.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_build_script_pads_codes_adds_municipal_cities_and_drops_hong_kong_and_taiwan() -> None:
    source = """AREAS: list[dict] = [
        {"code": "11", "name": "北京市", "type": "直辖市", "children": [
            {"code": "110105", "name": "朝阳区", "type": "市辖区"}]},
        {"code": "41", "name": "河南省", "type": "省", "children": [
            {"code": "4101", "name": "郑州市", "type": "地级市", "children": [
                {"code": "410102", "name": "中原区", "type": "市辖区"}]},
            {"code": "419001", "name": "济源市", "type": "县级市"}]},
        {"code": "81", "name": "香港特别行政区", "type": "特别行政区", "children": []},
        {"code": "资料暂缺", "name": "台湾省", "type": "省", "children": []},
    ]"""
    script = _build_script()
    assert script.to_rows(script.parse_areas(source)) == [
        ("110000", "北京市", "", "province"),
        ("110100", "北京市", "110000", "city"),
        ("110105", "朝阳区", "110100", "district"),
        ("410000", "河南省", "", "province"),
        ("410100", "郑州市", "410000", "city"),
        ("410102", "中原区", "410100", "district"),
        ("419001", "济源市", "410000", "city"),
    ]


def test_the_division_list_is_loaded_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[Path] = []
    real_read_rows = index_module.read_rows

    def counting_read_rows(path: Path = index_module.CSV_PATH) -> list[index_module.Division]:
        reads.append(path)
        return real_read_rows(path)

    monkeypatch.setattr(index_module, "read_rows", counting_read_rows)
    load_divisions.cache_clear()
    try:
        for _ in range(50):
            check_address(province="浙江", city="杭州", district="西湖区", detail="文三路90号", postcode="")
            normalize("北京", "北京市", "朝阳区")
            parse_one_line("广东东莞市长安镇xx路1号")
        assert load_divisions() is load_divisions()
        assert len(reads) == 1
    finally:
        load_divisions.cache_clear()
