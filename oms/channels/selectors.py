"""Reads for channels and SKU resolution."""

from __future__ import annotations

from dataclasses import dataclass

from oms.channels.models import Channel, ChannelSkuMapping
from oms.inventory.models import Sku


def channel_lookup(code: str) -> tuple[int, bool] | None:
    """(id, active) of the channel with this code, or None."""
    return Channel.objects.filter(code=code).values_list("id", "active").first()


def channel_table() -> dict[str, tuple[int, bool]]:
    return {code: (pk, active) for pk, code, active in Channel.objects.values_list("id", "code", "active")}


@dataclass(frozen=True)
class ResolvedSku:
    sku_id: int | None
    code: str  # our SKU code when known, else the code the channel sent
    platform_sku: str  # the channel's code when it was mapped, else ""


def resolve_skus(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], ResolvedSku]:
    """Map (channel id, code sent) to our SKU: the channel's mapping first, then our own codes."""
    if not pairs:
        return {}
    codes = {code for _c, code in pairs}
    mapped = {
        (m.channel_id, m.platform_sku): m
        for m in ChannelSkuMapping.objects.filter(platform_sku__in=codes).select_related("sku")
        if (m.channel_id, m.platform_sku) in pairs
    }
    unmapped = {code for pair in pairs if pair not in mapped for code in [pair[1]]}
    own = dict(Sku.objects.filter(code__in=unmapped).values_list("code", "id")) if unmapped else {}
    result = {}
    for pair in pairs:
        if pair in mapped:
            m = mapped[pair]
            result[pair] = ResolvedSku(sku_id=m.sku_id, code=m.sku.code, platform_sku=pair[1])
        else:
            result[pair] = ResolvedSku(sku_id=own.get(pair[1]), code=pair[1], platform_sku="")
    return result
