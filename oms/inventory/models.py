from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.core.models import TimeStampedModel


class Sku(TimeStampedModel):
    """A stock-keeping unit of our catalogue."""

    code = models.CharField(_("SKU code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    spec = models.CharField(_("specification"), max_length=200, blank=True)
    barcode = models.CharField(_("barcode"), max_length=64, blank=True)
    weight_g = models.PositiveIntegerField(_("unit weight (g)"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
