"""Platform SKU codes → our SKUs. Fixing a mapping re-reviews the orders held for that code."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor, require
from oms.accounts.roles import MANAGE_CATALOGUE
from oms.audit.services import record
from oms.channels.models import Channel, ChannelSkuMapping
from oms.core.errors import NotFound, ValidationFailed
from oms.inventory.models import Sku
from oms.notifications.outbox import enqueue


class InvalidMapping(ValidationFailed):
    code = "invalid_mapping"
    default_message = _("A platform SKU code is required.")


@transaction.atomic
def map_platform_sku(*, channel_code: str, platform_sku: str, sku_code: str, actor: Actor) -> ChannelSkuMapping:
    """Point a channel's SKU code at one of our SKUs (creating or changing the mapping)."""
    require(actor, MANAGE_CATALOGUE)
    platform_sku = platform_sku.strip()
    if not platform_sku or len(platform_sku) > 64:
        raise InvalidMapping(details={"platform_sku": platform_sku})
    channel = Channel.objects.filter(code=channel_code).first()
    if channel is None:
        raise NotFound(_("No channel has this code."), details={"channel": channel_code})
    sku = Sku.objects.filter(code=sku_code).first()
    if sku is None:
        raise NotFound(_("No SKU has this code."), details={"sku": sku_code})
    mapping, _created = ChannelSkuMapping.objects.select_for_update().update_or_create(
        channel=channel, platform_sku=platform_sku, defaults={"sku": sku}
    )
    record(None, "sku_mapping_changed", actor=actor,
           data={"channel": channel.code, "platform_sku": platform_sku, "sku": sku.code})
    enqueue("sku_mapping.changed", {"channel_id": channel.pk, "platform_sku": platform_sku})
    return mapping
