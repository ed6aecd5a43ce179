"""Split an address sent as one line into province, city, district, detail, name, phone, postcode.

Some channels (and buyers pasting into a chat) send "张三 13812345678 浙江省杭州市西湖区文三路90号
310012". Division names are found by longest match against the official names and their short
forms, so "广东东莞市长安镇" and "上海市浦东新区" both parse. Nothing is guessed beyond the list:
what is not a division stays in detail, for check_address and a person to judge.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from oms.geo.index import PROVINCE_DIRECT_LABELS, Division, DivisionIndex, load_divisions

T = TypeVar("T")
_Found = tuple[Division, Division | None, Division | None, int]  # province, city, district, end


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """Canonical division names ("" where not found), so the fields can go straight to check_address."""

    province: str = ""
    city: str = ""
    district: str = ""
    detail: str = ""
    name: str = ""
    phone: str = ""
    postcode: str = ""


_LABEL = re.compile(
    r"(?:收货人|收件人|联系人|姓名|所在地区|详细地址|收货地址|地址)\s*[:：]"
    # Without a colon only right before the number: "华强北手机城" is an address, not a label.
    r"|(?:手机号码|手机号|手机|联系电话|电话|邮政编码|邮编)\s*(?:[:：]|(?=[+(\d]))"
)
# Masked (138****5678) and with the extension of a platform's privacy number (13812345678-1234).
_MOBILE = re.compile(r"(?<![\d*])(?:\+?86[-\s]?)?(1[3-9]\d(?:[-\s]?[\d*]{4}){2})((?:[-转#]\d{1,4})?)(?![\d*])")
_LANDLINE = re.compile(r"(?<!\d)((?:\(0\d{2,3}\)|0\d{2,3}-)\d{7,8})((?:-\d{1,6})?)(?!\d)")
_SEPARATORS = " \t\r\n,，;；:：、|/-"
_POSTCODE = re.compile(r"(?<![^\s,，;；])\d{6}(?![^\s,，;；])")
_PERSON = re.compile(r"[\u4e00-\u9fff·]{2,5}")
_SPACES = re.compile(r"\s+")
_UNIT_SUFFIXES = "省市区县旗盟州"
_MIN_ANYWHERE_DISTRICT = 3  # "东区", "城区": too common inside other words to anchor a line


def _blank(match: re.Match[str]) -> str:
    # Same length, so positions found later still index the original line.
    return " " * len(match.group(0))


def _matches(spellings: Mapping[str, T], text: str, pos: int, longest: int) -> list[tuple[T, int]]:
    """Every spelling that starts at pos, longest first."""
    found = ((spellings.get(text[pos:end]), end) for end in range(min(len(text), pos + longest), pos + 1, -1))
    return [(value, end) for value, end in found if value is not None]


def _longest(spellings: Mapping[str, T], text: str, pos: int, longest: int) -> tuple[T, int] | None:
    return next(iter(_matches(spellings, text, pos, longest)), None)


def _city(
    idx: DivisionIndex, hits: list[tuple[Division, int]], text: str, pos: int
) -> tuple[Division, int, bool] | None:
    """The city spelling at pos, and whether a district follows it.

    The longest spelling, unless a shorter one lets a district follow (济南|市中区, not 济南市|中区);
    a short form running into a suffix is some other unit's name (朝阳区 is not 朝阳|区).
    """
    for city, end in hits:
        names = idx.district_full_names.get(city.code)
        if names is not None and _longest(names, text, _skip(text, end), idx.longest_name) is not None:
            return city, end, True
    for city, end in hits:
        if end == len(text) or text[end] not in _UNIT_SUFFIXES or text[pos:end] == city.name:
            return city, end, False
    return None


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _SEPARATORS:
        pos += 1
    return pos


def _unique(found: list[tuple[tuple[Division, ...], int]]) -> list[tuple[Division, int]]:
    return [(values[0], end) for values, end in found if len(values) == 1]


def _district_in_province(idx: DivisionIndex, prov: Division, text: str, pos: int) -> tuple[Division, int] | None:
    """A district named right after its province, the city left out ("广东省南山区")."""
    cities = {c.code for c in idx.cities[prov.code].values() if c.code in idx.with_districts}
    for end in range(min(len(text), pos + idx.longest_name), pos + 2, -1):
        hits = {d.code: d for c in cities if (d := idx.district_full_names[c].get(text[pos:end])) is not None}
        if len(hits) == 1:
            return next(iter(hits.values())), end
    return None


def _divisions_at(idx: DivisionIndex, text: str, pos: int, anywhere_districts: bool) -> _Found | None:
    n = idx.longest_name
    prov_hit = _longest(idx.provinces, text, pos, n)
    city_hit = _city(idx, _unique(_matches(idx.cities_anywhere, text, pos, n)), text, pos)
    dist_hits = _unique(_matches(idx.districts_anywhere, text, pos, n)) if anywhere_districts else []
    dist_hit = dist_hits[0] if dist_hits and dist_hits[0][1] - pos >= _MIN_ANYWHERE_DISTRICT else None
    # The longest reading wins: 吉林市 (city) over 吉林, 河南蒙古族自治县 (a district) over 河南. On a
    # tie the province, unless a district follows the city reading ("海南共和县" is in 青海).
    city_first = city_hit is not None and city_hit[2]
    hits = [hit[:2] for hit in (city_hit if city_first else None, prov_hit, city_hit, dist_hit) if hit is not None]
    best = max(hits, key=lambda hit: hit[1], default=None)
    if best is None:
        return None
    if best[0].level == "province":
        return _below_province(idx, text, best[0], _skip(text, best[1]))
    if best[0].level == "city":
        return _below_city(idx, text, idx.by_code[best[0].parent_code], best[0], best[1])
    city = idx.by_code[best[0].parent_code]
    return idx.by_code[city.parent_code], city, best[0], best[1]


def _below_province(idx: DivisionIndex, text: str, prov: Division, end: int) -> _Found:
    label = max((lb for lb in PROVINCE_DIRECT_LABELS if text.startswith(lb, end)), key=len, default=None)
    if label is not None:
        end = _skip(text, end + len(label))
    city_hit = _city(idx, _matches(idx.cities[prov.code], text, end, idx.longest_name), text, end)
    dist_hit = _district_in_province(idx, prov, text, end)
    # "河北省承德县": the county 承德县, not the city short form 承德 followed by "县".
    if dist_hit is not None and (city_hit is None or dist_hit[1] > city_hit[1]):
        return prov, idx.by_code[dist_hit[0].parent_code], dist_hit[0], dist_hit[1]
    if city_hit is not None:
        return _below_city(idx, text, prov, city_hit[0], city_hit[1])
    if prov.code in idx.municipal_city:
        return _below_city(idx, text, prov, idx.municipal_city[prov.code], end)
    return prov, None, None, end


def _below_city(idx: DivisionIndex, text: str, prov: Division, city: Division, end: int) -> _Found:
    if city.code not in idx.with_districts:
        return prov, city, None, end
    start = _skip(text, end)
    full = _longest(idx.district_full_names[city.code], text, start, idx.longest_name)
    if full is not None:
        return prov, city, full[0], full[1]
    short = _longest(idx.districts[city.code], text, start, idx.longest_name)
    # A short form only when it stands alone: "北京市朝阳门" is 东城区, not 朝阳区.
    if short is not None and (short[1] == len(text) or text[short[1]] in _SEPARATORS):
        return prov, city, short[0], short[1]
    return prov, city, None, end


def _find_divisions(idx: DivisionIndex, text: str) -> tuple[int, _Found] | None:
    starts = [i for i in range(len(text)) if text[i] not in _SEPARATORS]
    word_starts = [i for i in starts if i == 0 or text[i - 1] in _SEPARATORS]
    # Prefer a match that begins a word, so "张北京" (a name) does not read as 北京.
    for candidates, anywhere in ((word_starts, True), (starts, False)):
        for i in candidates:
            found = _divisions_at(idx, text, i, anywhere)
            if found is not None:
                return i, found
    return None


def _take_phone(text: str) -> tuple[str, str, int]:
    mobiles, landlines = list(_MOBILE.finditer(text)), list(_LANDLINE.finditer(text))
    first = (mobiles or landlines or [None])[0]
    if first is None:
        return text, "", -1
    if mobiles:
        phone = re.sub(r"[-\s]", "", first.group(1))
    else:  # area code kept apart, as couriers print it: (0571)88888888 -> 0571-88888888
        phone = re.sub(r"^\((0\d{2,3})\)", r"\1-", first.group(1))
    phone += first.group(2) or ""
    return _LANDLINE.sub(_blank, _MOBILE.sub(_blank, text)), phone, first.start()


def parse_one_line(text: str) -> ParsedAddress:
    line = _LABEL.sub(_blank, unicodedata.normalize("NFKC", text or ""))
    line, phone, phone_at = _take_phone(line)
    postcodes = list(_POSTCODE.finditer(line))
    postcode = postcodes[-1].group(0) if postcodes else ""
    line = _POSTCODE.sub(_blank, line)

    found = _find_divisions(load_divisions(), line)
    if found is None:
        return ParsedAddress(detail=_SPACES.sub(" ", line).strip(_SEPARATORS), phone=phone, postcode=postcode)
    start, (prov, city, dist, end) = found
    name = _SPACES.sub(" ", line[:start]).strip(_SEPARATORS)
    detail = _SPACES.sub(" ", line[end:]).strip(_SEPARATORS)
    if not name and phone_at > start and " " in detail:
        # "地址 姓名 电话": the word just before the phone is the name.
        rest, last = detail.rsplit(" ", 1)
        if _PERSON.fullmatch(last):
            name, detail = last, rest.strip(_SEPARATORS)
    return ParsedAddress(
        province=prov.name,
        city=city.name if city is not None else "",
        district=dist.name if dist is not None else "",
        detail=detail,
        name=name if len(name) <= 20 else "",
        phone=phone,
        postcode=postcode,
    )
