"""Deadlines per channel, the working calendar, and one tracked deadline per step of an order."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oms.timeliness.deadlines import ShipmentRule, Step


class DeadlinePolicy(models.Model):
    """A channel's deadlines; the row with is_default applies to channels without their own."""

    channel = models.OneToOneField("channels.Channel", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="deadline_policy", verbose_name=_("channel"))
    is_default = models.BooleanField(_("default for other channels"), default=False)
    review_minutes = models.PositiveIntegerField(_("review within (minutes)"), default=120,
                                                 validators=[MinValueValidator(1)])
    shipment_rule = models.CharField(_("shipment rule"), max_length=16, choices=ShipmentRule.choices,
                                     default=ShipmentRule.HOURS)
    shipment_hours = models.PositiveIntegerField(_("ship within (hours)"), default=48,
                                                 validators=[MinValueValidator(1)])
    cutoff_time = models.TimeField(_("cut-off time"), default=time(16, 0))
    refund_days = models.PositiveIntegerField(_("refund within (days of approval)"), default=3,
                                              validators=[MinValueValidator(1)])
    exception_response_hours = models.PositiveIntegerField(_("first response to an exception within (hours)"),
                                                           default=24, validators=[MinValueValidator(1)])
    at_risk_fraction = models.DecimalField(
        _("at risk after this share of the time"), max_digits=3, decimal_places=2, default=Decimal("0.75"),
        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal("0.99"))])
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-is_default", "channel__code"]
        permissions = [("manage_deadlines", _("Set deadlines per channel and the working calendar"))]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                    name="one_default_deadline_policy"),
            models.CheckConstraint(condition=Q(is_default=True, channel__isnull=True)
                                   | Q(is_default=False, channel__isnull=False),
                                   name="deadline_policy_default_xor_channel"),
        ]
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")

    def __str__(self) -> str:
        return str(self.channel) if self.channel_id else str(_("Default"))


class WorkingWeek(models.Model):
    """Which weekdays are working days (one row; Monday to Friday until operations changes it)."""

    weekdays = models.CharField(_("working weekdays"), max_length=7, default="01234",
                                help_text=_("Monday is 0, Sunday is 6."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("working week")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday (day off)")
    WORKDAY = "workday", _("Make-up working day (调休)")


class CalendarDay(models.Model):
    """A date that differs from the working week: a holiday, or a weekend day that is worked."""

    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.day} {self.kind}"


class Deadline(models.Model):
    """One step of one order (or refund, or exception ticket) against its deadline; kept by the sweep."""

    step = models.CharField(_("step"), max_length=24, choices=Step.choices)
    # The order's id for review and shipment, the refund's for refunds, the ticket's for exceptions:
    # unique with the step, so two sweeps at once cannot open the same deadline twice.
    subject_id = models.BigIntegerField()
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="deadlines")
    channel = models.ForeignKey("channels.Channel", on_delete=models.PROTECT, related_name="+")
    refund = models.ForeignKey("payments.Refund", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    exception = models.ForeignKey("shipping.LogisticsException", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"))
    at_risk_at = models.DateTimeField(_("at risk from"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    at_risk_notified_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["step", "subject_id"], name="one_deadline_per_step_subject")]
        indexes = [
            models.Index(fields=["step", "at_risk_at"], condition=Q(done_at__isnull=True), name="deadline_open_risk"),
            models.Index(fields=["step", "due_at"], condition=Q(done_at__isnull=True), name="deadline_open_due"),
        ]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")

    def __str__(self) -> str:
        return f"{self.step} {self.subject_id}"
