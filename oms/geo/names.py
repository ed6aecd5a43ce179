"""The short forms buyers and shop platforms write instead of official division names.

"广东" for 广东省, "广西" for 广西壮族自治区, "恩施州" for 恩施土家族苗族自治州, "杭州" for 杭州市:
derived by rule from the official name, so a data refresh needs no hand-kept alias list.
"""

from __future__ import annotations

import re
import unicodedata

# Only peoples that occur in autonomous-unit names; "族" is optional after the multi-syllable
# names because the official names drop it there (博尔塔拉蒙古自治州, 伊犁哈萨克自治州).
_PEOPLES = (
    "满|蒙古|回|达斡尔|鄂伦春|鄂温克|朝鲜|畲|土家|苗|瑶|侗|壮|各|仫佬|毛南|黎|羌|彝|藏|仡佬|布依|水|纳西|"
    "哈尼|傣|拉祜|佤|布朗|白|景颇|傈僳|独龙|怒|普米|裕固|哈萨克|东乡|保安|撒拉|土|维吾尔|柯尔克孜|塔吉克|锡伯"
)
_TRAILING_PEOPLE = re.compile(rf"(?:(?:{_PEOPLES})族|蒙古|哈萨克|柯尔克孜|锡伯|塔吉克|维吾尔|鄂伦春)$")
_AUTONOMOUS = re.compile(r"自治([区州县旗])$")
# Longest first: "新区" before "区" keeps 浦东新区 -> 浦东 rather than 浦东新.
_SUFFIXES = ("特别行政区", "地区", "林区", "特区", "新区", "省", "市", "区", "县", "旗", "盟")
_SPACE = re.compile(r"\s+")


def clean(text: str) -> str:
    """Full-width forms folded (NFKC) and all whitespace removed: "浙江 省" is "浙江省"."""
    if not text:
        return ""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def place_name(name: str) -> str:
    """The place part of an autonomous unit's name: 延边朝鲜族自治州 -> 延边."""
    match = _AUTONOMOUS.search(name)
    if match is None:
        return name
    place = name[: match.start()]
    while (people := _TRAILING_PEOPLE.search(place)) and people.start() >= 2:
        place = place[: people.start()]
    # 鄂温克族自治旗, 东乡族自治县: the people is the place, written without 族.
    return place[:-1] if place.endswith("族") and len(place) >= 3 else place


def short_forms(name: str) -> tuple[str, ...]:
    """Other spellings of an official name, never the name itself; at least 2 characters each."""
    forms: list[str] = []
    auto = _AUTONOMOUS.search(name)
    if auto is not None:
        place = place_name(name)
        forms.append(place)
        if auto.group(1) != "区":
            forms.append(place + auto.group(1))  # 恩施州, 石柱县, 鄂温克旗
    else:
        for suffix in _SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                forms.append(name[: -len(suffix)])
                break
    return tuple(f for f in dict.fromkeys(forms) if len(f) >= 2 and f != name)
