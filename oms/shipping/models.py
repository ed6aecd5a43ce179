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
from django.utils.translation import pgettext_lazy

from oms.core.models import TimeStampedModel
from oms.core.money import MoneyField


class ServiceLevel(models.TextChoices):
    ECONOMY = "economy", _("Economy")
    STANDARD = "standard", _("Standard express")
    EXPRESS = "express", _("Time-definite express")


class CarrierAdapter(models.TextChoices):
    """How waybill numbers and tracking reach us for a carrier (oms.shipping.adapters)."""

    MANUAL = "manual", _("Manual (tracking number typed or scanned)")
    KUAIDI100 = "kuaidi100", _("Kuaidi100 aggregator (e-waybill and pushed tracking)")


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
    adapter = models.CharField(_("adapter"), max_length=16, choices=CarrierAdapter.choices,
                               default=CarrierAdapter.MANUAL,
                               help_text=_("How waybill numbers and tracking updates reach the system."))
    adapter_code = models.CharField(_("code at the aggregator"), max_length=32, blank=True,
                                    help_text=_("The carrier's company code at the aggregator (for example shunfeng)."))
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
    insurance_rate_permille = models.DecimalField(
        _("insurance rate (‰ of declared value)"), max_digits=6, decimal_places=2, default=0)
    insurance_min_fee = MoneyField(_("minimum insurance fee"), default=0)
    insurance_max_value = MoneyField(_("highest insurable value"), default=0,
                                     help_text=_("0 means the carrier does not insure parcels."))
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
    no_update_hours = models.PositiveIntegerField(
        _("hours without update before an exception"), default=48,
        help_text=_("A shipped parcel to this zone with no tracking news for this long gets an exception ticket."))

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


class CarrierRule(TimeStampedModel):
    """A preset rule of carrier choice (§2.4.1): when a package matches, it limits the carriers.

    Conditions left empty match everything; rules apply in `position` order and all matching
    rules apply together. Without any rule the choice is the cheapest carrier that serves the
    destination (and keeps the promise, when a rule sets one).
    """

    name = models.CharField(_("name"), max_length=64)
    position = models.PositiveIntegerField(_("position"), default=100)
    active = models.BooleanField(_("active"), default=True)
    min_weight_g = models.PositiveIntegerField(_("from weight (g)"), null=True, blank=True)
    max_weight_g = models.PositiveIntegerField(_("up to weight (g)"), null=True, blank=True)
    provinces = models.JSONField(_("destination provinces"), default=list, blank=True)
    cod_only = models.BooleanField(_("cash-on-delivery orders only"), default=False)
    remark_keywords = models.JSONField(_("remark keywords"), default=list, blank=True,
                                       help_text=_("Matches when the buyer remark contains one of them (加急…)."))
    min_order_amount = MoneyField(_("from order amount"), null=True, blank=True)
    max_promise_days = models.PositiveSmallIntegerField(_("delivery promise at most (days)"), null=True, blank=True)
    carriers = models.JSONField(_("only these carriers"), default=list, blank=True)
    excluded_carriers = models.JSONField(_("never these carriers"), default=list, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("carrier rule")
        verbose_name_plural = _("carrier rules")

    def __str__(self) -> str:
        return self.name


class HandoverStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("hand-over list", "Open")
    HANDED_OVER = "handed_over", _("Handed over")


class HandoverList(TimeStampedModel):
    """A carrier hand-over list (交接单): the parcels one courier takes from one warehouse."""

    number = models.CharField(_("hand-over list number"), max_length=40, unique=True)
    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="handover_lists")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.PROTECT, related_name="handover_lists")
    status = models.CharField(_("status"), max_length=16, choices=HandoverStatus.choices,
                              default=HandoverStatus.OPEN)
    courier_name = models.CharField(_("courier"), max_length=64, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    handed_over_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("hand-over list")
        verbose_name_plural = _("hand-over lists")
        permissions = [("hand_over", _("Hand packages over to carriers")),
                       ("manage_carriers", _("Manage carriers, rate cards and carrier rules")),
                       ("handle_logistics_exceptions", _("Handle logistics exceptions"))]

    def __str__(self) -> str:
        return self.number


class TrackingStatus(models.TextChoices):
    """The normalised tracking vocabulary every adapter maps its carrier's codes to."""

    ACCEPTED = "accepted", _("Accepted by carrier")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    DELIVERY_FAILED = "delivery_failed", _("Delivery failed")
    RETURNED_TO_SENDER = "returned_to_sender", _("Returned to sender")
    EXCEPTION = "exception", _("Exception")


class TrackingEvent(models.Model):
    """One scan or status report of a parcel, as the carrier told it, normalised.

    A replayed event (same package, time, status and text) is stored once (`dedup_key`);
    events arrive in any order and are read in `occurred_at` order.
    """

    package = models.ForeignKey("fulfillment.Package", on_delete=models.PROTECT, related_name="tracking_events")
    status = models.CharField(_("status"), max_length=24, choices=TrackingStatus.choices)
    carrier_status = models.CharField(_("carrier's status"), max_length=64, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    location = models.CharField(_("location"), max_length=100, blank=True)
    occurred_at = models.DateTimeField(_("time"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    source = models.CharField(_("source"), max_length=16)  # push, poll, manual
    dedup_key = models.CharField(max_length=64)

    class Meta:
        ordering = ["package", "occurred_at", "id"]
        constraints = [models.UniqueConstraint(fields=["package", "dedup_key"], name="uniq_tracking_event")]
        indexes = [models.Index(fields=["package", "occurred_at"])]
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")


class ExceptionReason(models.TextChoices):
    NO_UPDATE = "no_update", _("No tracking update")
    ADDRESS_PROBLEM = "address_problem", _("Address problem")
    DELIVERY_FAILED = "delivery_failed", _("Delivery failed")
    RETURNED_TO_SENDER = "returned_to_sender", _("Returned to sender")
    STUCK = "stuck", _("Stuck in one place")
    LOST = "lost", _("Lost")


class ExceptionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("exception", "Open")
    CLOSED = "closed", pgettext_lazy("exception", "Closed")


class LogisticsException(TimeStampedModel):
    """A logistics exception ticket (物流异常): a parcel that needs a person, with its owner."""

    number = models.CharField(_("ticket number"), max_length=40, unique=True)
    package = models.ForeignKey("fulfillment.Package", on_delete=models.PROTECT, related_name="exceptions")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="logistics_exceptions")
    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="exceptions")
    reason = models.CharField(_("reason"), max_length=24, choices=ExceptionReason.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ExceptionStatus.choices,
                              default=ExceptionStatus.OPEN)
    owner = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    opened_at = models.DateTimeField(_("opened at"))
    last_action_at = models.DateTimeField(_("last action at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=32, blank=True)
    outcome_note = models.CharField(_("outcome note"), max_length=500, blank=True)

    class Meta:
        ordering = ["opened_at", "id"]
        constraints = [models.UniqueConstraint(fields=["package", "reason"], condition=Q(status="open"),
                                               name="one_open_exception_per_package_and_reason")]
        indexes = [models.Index(fields=["status", "opened_at"])]
        verbose_name = _("logistics exception")
        verbose_name_plural = _("logistics exceptions")

    def __str__(self) -> str:
        return self.number
