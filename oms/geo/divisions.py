"""Check and normalise mainland-China shipping addresses against the administrative division list.

The list is data/divisions.csv (see data/README.md for its source and date). Callers turn the
stable problem codes into messages; nothing here is translated. parse_one_line (oms.geo.oneline)
is re-exported for channels that send the whole address as one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from oms.geo.index import FUNCTIONAL_ZONES, PROVINCE_DIRECT_LABELS, Division, DivisionIndex, load_divisions
from oms.geo.names import clean
from oms.geo.oneline import ParsedAddress, parse_one_line

__all__ = [
    "AddressProblem",
    "NormalizedAddress",
    "ParsedAddress",
    "ProblemCode",
    "check_address",
    "load_divisions",
    "normalize",
    "parse_one_line",
]

# Shorter than this a detail cannot hold a road and a number ("1号" or "xx" are typos or fillers).
MIN_DETAIL_LENGTH = 4
_POSTCODE = re.compile(r"[0-9]{6}")

Field = Literal["province", "city", "district", "detail", "postcode"]
Kind = Literal["incomplete", "invalid"]


class ProblemCode(StrEnum):
    PROVINCE_MISSING = "province_missing"
    CITY_MISSING = "city_missing"
    DISTRICT_MISSING = "district_missing"
    DETAIL_MISSING = "detail_missing"
    DETAIL_TOO_SHORT = "detail_too_short"
    PROVINCE_UNKNOWN = "province_unknown"
    CITY_NOT_IN_PROVINCE = "city_not_in_province"
    DISTRICT_NOT_IN_CITY = "district_not_in_city"
    POSTCODE_INVALID = "postcode_invalid"


# A buyer can fix an incomplete address by adding to it; an invalid one contradicts the list.
_INCOMPLETE = frozenset(
    {
        ProblemCode.PROVINCE_MISSING,
        ProblemCode.CITY_MISSING,
        ProblemCode.DISTRICT_MISSING,
        ProblemCode.DETAIL_MISSING,
        ProblemCode.DETAIL_TOO_SHORT,
    }
)


@dataclass(frozen=True, slots=True)
class AddressProblem:
    code: ProblemCode
    field: Field

    @property
    def kind(self) -> Kind:
        return "incomplete" if self.code in _INCOMPLETE else "invalid"


@dataclass(frozen=True, slots=True)
class NormalizedAddress:
    province: str
    province_code: str
    city: str
    city_code: str
    # None where the city has no districts (东莞, 中山, 儋州, 嘉峪关, 省直辖县级 units): whatever
    # the order said there (a town, the city again) is not a division and should stay in detail.
    district: str | None
    district_code: str | None


# Problems are immutable, so one instance of each serves every call.
_P = {
    code: AddressProblem(code, field)
    for code, field in (
        (ProblemCode.PROVINCE_MISSING, "province"),
        (ProblemCode.PROVINCE_UNKNOWN, "province"),
        (ProblemCode.CITY_MISSING, "city"),
        (ProblemCode.CITY_NOT_IN_PROVINCE, "city"),
        (ProblemCode.DISTRICT_MISSING, "district"),
        (ProblemCode.DISTRICT_NOT_IN_CITY, "district"),
        (ProblemCode.DETAIL_MISSING, "detail"),
        (ProblemCode.DETAIL_TOO_SHORT, "detail"),
        (ProblemCode.POSTCODE_INVALID, "postcode"),
    )
}

_Resolved = tuple[Division | None, Division | None, Division | None]


def _resolve(idx: DivisionIndex, province: str, city: str, district: str, problems: list[AddressProblem]) -> _Resolved:
    prov = idx.provinces.get(province) if province else None
    if not province:
        problems.append(_P[ProblemCode.PROVINCE_MISSING])
    elif prov is None:
        problems.append(_P[ProblemCode.PROVINCE_UNKNOWN])

    municipal = idx.municipal_city.get(prov.code) if prov is not None else None
    if not city:
        found = municipal  # a municipality's city level is implied by its name
        if found is None:
            problems.append(_P[ProblemCode.CITY_MISSING])
    elif prov is None:
        found = None
    elif city in PROVINCE_DIRECT_LABELS:
        return _province_direct(idx, prov, district, problems)
    else:
        found = idx.cities[prov.code].get(city)
        if found is None and municipal is not None:
            # Some platforms (京东) put a municipality's district in the city field.
            as_district = idx.districts[municipal.code].get(city)
            if as_district is not None:
                return prov, municipal, as_district
        if found is None:
            problems.append(_P[ProblemCode.CITY_NOT_IN_PROVINCE])

    if found is not None and found.code not in idx.with_districts:
        return prov, found, None  # any district text (a town, the city again) is accepted
    if not district:
        # When the city is unknown we cannot tell it lacks districts; most cities have them.
        problems.append(_P[ProblemCode.DISTRICT_MISSING])
        return prov, found, None
    if found is None:
        return prov, None, None
    dist = idx.districts[found.code].get(district)
    if dist is None and district in FUNCTIONAL_ZONES.get(found.name, ()):
        return prov, found, None  # deliverable, though not a division of its own
    if dist is None:
        problems.append(_P[ProblemCode.DISTRICT_NOT_IN_CITY])
    return prov, found, dist


def _province_direct(idx: DivisionIndex, prov: Division, unit: str, problems: list[AddressProblem]) -> _Resolved:
    if not unit:
        problems.append(_P[ProblemCode.DISTRICT_MISSING])
        return prov, None, None
    found = idx.cities[prov.code].get(unit)
    if found is None or found.code in idx.with_districts:
        problems.append(_P[ProblemCode.DISTRICT_NOT_IN_CITY])
        return prov, None, None
    return prov, found, None


def normalize(province: str, city: str, district: str) -> NormalizedAddress | None:
    """Canonical names and codes, or None unless province, city and (where it has any) district resolve."""
    problems: list[AddressProblem] = []
    prov, found, dist = _resolve(load_divisions(), clean(province), clean(city), clean(district), problems)
    if problems or prov is None or found is None:
        return None
    return NormalizedAddress(
        province=prov.name,
        province_code=prov.code,
        city=found.name,
        city_code=found.code,
        district=dist.name if dist is not None else None,
        district_code=dist.code if dist is not None else None,
    )


def check_address(*, province: str, city: str, district: str, detail: str, postcode: str) -> list[AddressProblem]:
    """Every problem of the address, in field order; an empty list means it can ship."""
    problems: list[AddressProblem] = []
    _resolve(load_divisions(), clean(province), clean(city), clean(district), problems)
    text = (detail or "").strip()
    if not text:
        problems.append(_P[ProblemCode.DETAIL_MISSING])
    elif len(clean(text)) < MIN_DETAIL_LENGTH:
        problems.append(_P[ProblemCode.DETAIL_TOO_SHORT])
    code = clean(postcode)
    if code and not _POSTCODE.fullmatch(code):
        problems.append(_P[ProblemCode.POSTCODE_INVALID])
    return problems


def province_name(text: str) -> str | None:
    """The official name of a province written any usual way ("广东", "广东省"), or None."""
    found = load_divisions().provinces.get(clean(text)) if text else None
    return found.name if found else None
