"""The division list loaded from data/divisions.csv, indexed by every accepted spelling.

Loaded once per process on first use (load_divisions is cached) and never mutated, so worker
threads can share it. Every lookup a check needs afterwards is one dict access.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from oms.geo.names import short_forms

CSV_PATH = Path(__file__).with_name("data") / "divisions.csv"

Level = Literal["province", "city", "district"]

# Spellings of a municipality's city level besides its own name: GB/T 2260 calls it 市辖区 (and 县
# for the counties), and shop platforms copied that.
MUNICIPALITY_CITY_ALIASES = ("市辖区", "县")

# What GB/T 2260-based pickers put in the city field for 省直辖县级 units (济源, 仙桃, 琼海,
# 石河子...): the unit itself then arrives in the district field.
PROVINCE_DIRECT_LABELS = frozenset(
    {
        "省直辖县级行政区划",
        "自治区直辖县级行政区划",
        "省直辖县级行政单位",
        "自治区直辖县级行政单位",
        "省直辖县",
        "直辖县级",
    }
)

# Divisions abolished so recently that buyers' saved addresses and platform pickers still carry
# them; accepted and normalised to the successor. Not in the source data: kept here by hand.
# 2025-11 重庆: 江北区 and 渝北区 became 两江新区 (5 northern towns of 渝北 went to 北碚区).
FORMER_NAMES: dict[str, tuple[str, ...]] = {"500157": ("江北区", "渝北区")}

# Functional zones (功能区) that are not administrative divisions but that marketplaces' address
# pickers and couriers offer as a district; an order using one is deliverable. By city name.
FUNCTIONAL_ZONES: dict[str, frozenset[str]] = {
    "苏州市": frozenset({"苏州工业园区", "工业园区", "苏州高新区", "高新区"}),
    "郑州市": frozenset({"郑东新区", "高新区", "郑州高新技术产业开发区", "经济技术开发区", "郑州经济技术开发区",
                        "航空港区", "郑州航空港经济综合实验区"}),
    "保定市": frozenset({"雄安新区"}),
    "长春市": frozenset({"长春新区", "高新区", "经济技术开发区", "净月区", "净月高新技术产业开发区",
                        "汽车经济技术开发区", "汽车产业开发区"}),
    "合肥市": frozenset({"高新区", "经济技术开发区", "新站区", "新站高新技术产业开发区"}),
    "成都市": frozenset({"高新区", "天府新区", "成都高新技术产业开发区"}),
    "西安市": frozenset({"高新区", "曲江新区", "浐灞生态区", "经济技术开发区", "西咸新区"}),
    "南昌市": frozenset({"高新区", "经济技术开发区"}),
    "大连市": frozenset({"高新园区"}),
    "贵阳市": frozenset({"贵安新区"}),
}


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str
    level: Level
    parent_code: str  # "" for a province


@dataclass(frozen=True, slots=True)
class DivisionIndex:
    by_code: dict[str, Division]
    provinces: dict[str, Division]  # any spelling -> province
    cities: dict[str, dict[str, Division]]  # province code -> any spelling -> city
    districts: dict[str, dict[str, Division]]  # city code -> any spelling -> district
    district_full_names: dict[str, dict[str, Division]]  # city code -> official or former name
    cities_anywhere: dict[str, tuple[Division, ...]]  # any spelling -> cities, for lines with no province
    districts_anywhere: dict[str, tuple[Division, ...]]  # official name -> districts, idem
    municipal_city: dict[str, Division]  # province code of 北京/天津/上海/重庆 -> its one city
    with_districts: frozenset[str]  # city codes that have districts
    longest_name: int


def _spellings(children: Iterable[Division], extra: dict[str, tuple[str, ...]]) -> dict[str, Division]:
    """Official names win; a short form shared by two siblings (井陉矿区/井陉县) is dropped."""
    by_short: dict[str, list[Division]] = defaultdict(list)
    full: dict[str, Division] = {}
    for child in children:
        full[child.name] = child
        for form in short_forms(child.name) + extra.get(child.code, ()):
            by_short[form].append(child)
    unique = {form: found[0] for form, found in by_short.items() if len(found) == 1}
    return unique | full


def build_index(rows: Iterable[Division]) -> DivisionIndex:
    by_code = {row.code: row for row in rows}
    kids: dict[str, list[Division]] = defaultdict(list)
    for row in by_code.values():
        kids[row.parent_code].append(row)
    provinces = kids[""]
    province_names = _spellings(provinces, {})
    province_names.setdefault("内蒙", province_names["内蒙古"])  # common clipped form

    municipal_city: dict[str, Division] = {}
    cities: dict[str, dict[str, Division]] = {}
    for prov in provinces:
        own = kids[prov.code]
        extra: dict[str, tuple[str, ...]] = {}
        if len(own) == 1 and own[0].name == prov.name:
            municipal_city[prov.code] = own[0]
            extra[own[0].code] = MUNICIPALITY_CITY_ALIASES
        cities[prov.code] = _spellings(own, extra)

    districts: dict[str, dict[str, Division]] = {}
    district_full_names: dict[str, dict[str, Division]] = {}
    anywhere_city: dict[str, list[Division]] = defaultdict(list)
    anywhere_district: dict[str, list[Division]] = defaultdict(list)
    for prov_code, spellings in cities.items():
        for spelling, city in spellings.items():
            if spelling not in MUNICIPALITY_CITY_ALIASES:
                anywhere_city[spelling].append(city)
        for city in kids[prov_code]:
            own = kids[city.code]
            if not own:
                continue
            districts[city.code] = _spellings(own, FORMER_NAMES)
            district_full_names[city.code] = {d.name: d for d in own} | {
                former: by_code[code]
                for code, names in FORMER_NAMES.items()
                for former in names
                if by_code.get(code) in own
            }
            for d in own:
                anywhere_district[d.name].append(d)

    names = [*province_names, *anywhere_city, *(n for sp in districts.values() for n in sp)]
    return DivisionIndex(
        by_code=by_code,
        provinces=province_names,
        cities=cities,
        districts=districts,
        district_full_names=district_full_names,
        cities_anywhere={k: tuple(v) for k, v in anywhere_city.items()},
        districts_anywhere={k: tuple(v) for k, v in anywhere_district.items()},
        municipal_city=municipal_city,
        with_districts=frozenset(districts),
        longest_name=max(len(n) for n in names),
    )


def read_rows(path: Path = CSV_PATH) -> list[Division]:
    with path.open(encoding="utf-8", newline="") as f:
        return [Division(r["code"], r["name"], r["level"], r["parent_code"]) for r in csv.DictReader(f)]


@cache
def load_divisions() -> DivisionIndex:
    """The index for this process, built on first call (about 20 ms) and shared afterwards."""
    return build_index(read_rows())
