"""Carriers and their contracts: one rate card per carrier and warehouse, priced by zone.

Chinese express contracts price a parcel by destination zone (a group of provinces): a first
weight (首重) at a fixed price, then each further weight step (续重) at a step price, on the
larger of the real weight and the volumetric weight (volume ÷ divisor). Some areas are not
served at all by a contract; a zone marks that.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oms.core.models import TimeStampedModel
from oms.core.money import MoneyField


class ServiceLevel(models.TextChoices):
    ECONOMY = "economy", _("Economy")
    STANDARD = "standard", _("Standard express")
    EXPRESS = "express", _("Time-definite express")


class Carrier(TimeStampedModel):
    """An express company (顺丰, 中通…) with its service level and what it supports."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=64)
    service_level = models.CharField(_("service level"), max_length=16, choices=ServiceLevel.choices,
                                     default=ServiceLevel.STANDARD)
    supports_cod = models.BooleanField(_("cash on delivery"), default=False)
    tracking_number_pattern = models.CharField(
        _("tracking number pattern"), max_length=200, blank=True,
        help_text=_("A regular expression every tracking number of this carrier matches."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")

    def __str__(self) -> str:
        return self.name


class RateCard(TimeStampedModel):
    """A carrier's prices for parcels sent from one warehouse."""

    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="rate_cards")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="rate_cards")
    volumetric_divisor = models.PositiveIntegerField(
        _("volumetric divisor"), default=8000,
        help_text=_("Cubic centimetres per kilogram of volumetric weight (often 6000 or 8000)."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["warehouse", "carrier"]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "warehouse"], name="one_rate_card_per_carrier_and_warehouse"),
            models.CheckConstraint(condition=Q(volumetric_divisor__gt=0), name="rate_card_divisor_positive"),
        ]
        verbose_name = _("rate card")
        verbose_name_plural = _("rate cards")

    def __str__(self) -> str:
        return f"{self.carrier} · {self.warehouse}"


class RateZone(models.Model):
    """Prices to a group of provinces; a zone that is not served lists where the carrier does not go."""

    rate_card = models.ForeignKey(RateCard, on_delete=models.CASCADE, related_name="zones")
    name = models.CharField(_("name"), max_length=64)
    provinces = models.JSONField(_("provinces"), default=list)
    served = models.BooleanField(_("served"), default=True)
    first_weight_g = models.PositiveIntegerField(_("first weight (g)"), default=1000)
    first_price = MoneyField(_("first weight price"), default=0)
    step_weight_g = models.PositiveIntegerField(_("additional weight step (g)"), default=1000)
    step_price = MoneyField(_("price per additional step"), default=0)
    promise_days = models.PositiveSmallIntegerField(_("delivery promise (days)"), default=3)

    class Meta:
        ordering = ["rate_card", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(first_weight_g__gt=0), name="rate_zone_first_weight_positive"),
            models.CheckConstraint(condition=Q(step_weight_g__gt=0), name="rate_zone_step_positive"),
        ]
        verbose_name = _("rate zone")
        verbose_name_plural = _("rate zones")

    def __str__(self) -> str:
        return self.name
