from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.core.models import TimeStampedModel
from oms.core.money import MoneyField
from oms.fulfillment.strategy import AllocationStrategy


class ChannelKind(models.TextChoices):
    OWN = "own", _("Own shop")
    MARKETPLACE = "marketplace", _("Marketplace")
    OFFLINE = "offline", _("Offline")


class Channel(TimeStampedModel):
    """A sales channel orders come from (web shop, app, marketplace, offline)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=ChannelKind.choices)
    adapter = models.CharField(
        _("intake adapter"), max_length=32, default="standard",
        help_text=_("How this channel's payloads are mapped to an order."),
    )
    active = models.BooleanField(_("active"), default=True)
    # Review settings per channel (orders/review/rules.py reads them).
    cod_allowed = models.BooleanField(_("cash on delivery allowed"), default=False)
    cod_limit = MoneyField(
        _("cash-on-delivery limit"), default=0,
        help_text=_("Highest payable amount for cash on delivery; 0 means no limit."),
    )
    allocation_strategy = models.CharField(
        _("allocation strategy"), max_length=32, choices=AllocationStrategy.choices,
        default=AllocationStrategy.FEWEST_THEN_CHEAPEST,
        help_text=_("How the warehouses that ship this channel's orders are chosen."),
    )
    platform_funded_discounts = models.BooleanField(
        _("discounts are funded by the platform"), default=False,
        help_text=_("Coupons on this channel are the marketplace's own and are not checked against our coupon list."),
    )
    unpaid_timeout_minutes = models.PositiveIntegerField(
        _("unpaid orders expire after (minutes)"), default=30,
        help_text=_("Orders still unpaid this long after they were placed are cancelled and their stock released."),
    )
    return_window_days = models.PositiveSmallIntegerField(
        _("no-reason return window (days)"), default=7,
        help_text=_("Days after delivery in which buyers may return goods without a reason."),
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self) -> str:
        return self.name


class ChannelSkuMapping(TimeStampedModel):
    """A platform's SKU code for one of our SKUs."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="sku_mappings")
    platform_sku = models.CharField(_("platform SKU"), max_length=64)
    sku = models.ForeignKey("inventory.Sku", on_delete=models.PROTECT, related_name="channel_mappings")

    class Meta:
        verbose_name = _("channel SKU mapping")
        verbose_name_plural = _("channel SKU mappings")
        constraints = [
            models.UniqueConstraint(fields=["channel", "platform_sku"], name="uniq_channel_platform_sku")
        ]
