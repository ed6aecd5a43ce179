"""What review keeps: rule settings, hold reasons on orders, the coupon list and the block list."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oms.core.models import TimeStampedModel
from oms.core.money import MoneyField


class ReviewRuleSetting(models.Model):
    """Operations' choices for one named rule; a rule without a row runs with its defaults."""

    code = models.CharField(_("rule"), max_length=32, primary_key=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    params = models.JSONField(_("settings"), default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        app_label = "orders"
        verbose_name = _("review rule setting")
        verbose_name_plural = _("review rule settings")


class HoldResolution(models.TextChoices):
    PASSED = "passed", _("Passed a later review")
    OVERRIDDEN = "overridden", _("Approved anyway")
    CANCELLED = "cancelled", _("Order cancelled")
    REVIEWED = "reviewed", _("Replaced by a later review")
    ACKNOWLEDGED = "acknowledged", _("Read and accepted by a person")


class OrderHold(models.Model):
    """One reason an order is on hold, open until a later review passes or someone overrides it."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="holds")
    code = models.CharField(_("reason"), max_length=32, db_index=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("held at"), auto_now_add=True)
    cleared_at = models.DateTimeField(_("cleared at"), null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=16, choices=HoldResolution.choices, blank=True)

    class Meta:
        app_label = "orders"
        ordering = ["id"]
        indexes = [models.Index(fields=["code", "cleared_at"])]
        verbose_name = _("hold reason")
        verbose_name_plural = _("hold reasons")


class Coupon(TimeStampedModel):
    """A coupon we issue: valid between two dates, above a minimum spend, up to a number of uses."""

    code = models.CharField(_("coupon code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    channel = models.ForeignKey("channels.Channel", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", help_text=_("Empty: valid on every channel."))
    amount = MoneyField(_("face value"), default=0)
    min_spend = MoneyField(_("minimum spend"), default=0)
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    max_uses = models.PositiveIntegerField(_("use limit"), null=True, blank=True,
                                           help_text=_("Empty: no limit."))
    used_count = models.PositiveIntegerField(_("times used"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        app_label = "orders"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(max_uses__isnull=True) | Q(used_count__lte=F("max_uses")),
                                   name="coupon_used_within_limit"),
        ]
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")

    def __str__(self) -> str:
        return self.code


class BlockKind(models.TextChoices):
    PHONE = "phone", _("Phone number")
    ADDRESS = "address", _("Address")


class BlockListEntry(TimeStampedModel):
    """A phone number or address that risk control wants a person to look at."""

    kind = models.CharField(_("kind"), max_length=16, choices=BlockKind.choices)
    value = models.CharField(_("value"), max_length=255,
                             help_text=_("A phone number, or a piece of address (matched anywhere in the address)."))
    reason = models.CharField(_("reason"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        app_label = "orders"
        ordering = ["kind", "value"]
        indexes = [models.Index(fields=["kind", "value"])]
        verbose_name = _("block list entry")
        verbose_name_plural = _("block list entries")
