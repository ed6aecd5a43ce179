"""Problem reports (问题上报), their comments, and the rules operations set for escalation and bursts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oms.core.models import TimeStampedModel
from oms.core.no_delete import NoDeleteMixin
from oms.problems.status import (
    BurstSource,
    Category,
    EscalationLevel,
    ProblemStatus,
    ProcessStep,
    RootCause,
    Severity,
)


class ProblemReport(NoDeleteMixin, TimeStampedModel):
    """One reported problem on an order or in the system; an incident when raised for a burst."""

    number = models.CharField(_("report number"), max_length=24, unique=True)
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="problem_reports", verbose_name=_("order"))
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    severity = models.CharField(_("severity"), max_length=12, choices=Severity.choices)
    description = models.TextField(_("description"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("raised by"))
    raised_at = models.DateTimeField(_("raised at"), db_index=True)
    # The owning team: a staff role code (accounts.roles); the category's default unless changed.
    team = models.CharField(_("team"), max_length=32, db_index=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("owner"))
    status = models.CharField(_("status"), max_length=16, choices=ProblemStatus.choices,
                              default=ProblemStatus.OPEN, db_index=True)
    # When the escalation clock started: raised, or reopened.
    open_since = models.DateTimeField(_("open since"))
    reopen_count = models.PositiveSmallIntegerField(default=0)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name=_("acknowledged by"))
    escalation_level = models.PositiveSmallIntegerField(_("escalation"), choices=EscalationLevel.choices,
                                                        default=EscalationLevel.NONE)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # "supervisor" (the team's supervisors were told) or "operations" (none, or level 2).
    escalated_to = models.CharField(_("escalated to"), max_length=16, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("resolved by"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, db_index=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("closed by"))
    root_cause = models.CharField(_("root cause"), max_length=24, choices=RootCause.choices, blank=True)
    step = models.CharField(_("process step"), max_length=16, choices=ProcessStep.choices, blank=True)
    # Incidents: raised by the burst sweep for many orders with the same problem.
    is_incident = models.BooleanField(_("incident"), default=False, db_index=True)
    burst_source = models.CharField(_("burst source"), max_length=24, choices=BurstSource.choices, blank=True)
    burst_reason = models.CharField(_("burst reason"), max_length=32, blank=True)
    burst_count = models.PositiveIntegerField(_("count in the window"), default=0)
    orders = models.ManyToManyField("orders.Order", blank=True, related_name="incidents",
                                    verbose_name=_("orders affected"))

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("problem report")
        verbose_name_plural = _("problem reports")
        permissions = [
            ("raise_problem", _("Report a problem on an order or the system")),
            ("handle_problem", _("Acknowledge, comment, assign and close problem reports")),
            ("manage_problem_rules", _("Set escalation times and burst thresholds")),
            ("view_problem_review", _("See the root-cause review")),
        ]
        indexes = [models.Index(fields=["status", "escalation_level", "open_since"]),
                   models.Index(fields=["team", "status"])]
        constraints = [
            # One live incident per burst: two sweeps at once cannot both raise it.
            models.UniqueConstraint(fields=["burst_source", "burst_reason"],
                                    condition=Q(is_incident=True, status__in=["open", "acknowledged"]),
                                    name="one_live_incident_per_burst"),
            models.CheckConstraint(condition=~Q(status="closed") | (~Q(root_cause="") & ~Q(step="")),
                                   name="closed_problem_has_root_cause_and_step"),
        ]

    def __str__(self) -> str:
        return self.number


class ProblemComment(NoDeleteMixin, models.Model):
    report = models.ForeignKey(ProblemReport, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    author_username = models.CharField(_("user"), max_length=150)
    body = models.TextField(_("comment"))
    at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")


class EscalationRule(models.Model):
    """Minutes without acknowledgement before escalation, for one severity (a default applies without a row)."""

    severity = models.CharField(_("severity"), max_length=12, choices=Severity.choices, primary_key=True)
    supervisor_minutes = models.PositiveIntegerField(_("to the supervisor after (minutes)"))
    operations_minutes = models.PositiveIntegerField(_("to operations after (minutes)"))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        constraints = [models.CheckConstraint(condition=Q(operations_minutes__gt=models.F("supervisor_minutes")),
                                              name="escalation_operations_after_supervisor")]


class BurstRule(models.Model):
    """How many of the same problem within how many minutes make an incident; reason blank = each reason."""

    source = models.CharField(_("source"), max_length=24, choices=BurstSource.choices)
    reason = models.CharField(_("reason"), max_length=32, blank=True)
    threshold = models.PositiveIntegerField(_("threshold"))
    window_minutes = models.PositiveIntegerField(_("window (minutes)"))
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["source", "reason"]
        verbose_name = _("burst rule")
        verbose_name_plural = _("burst rules")
        constraints = [
            models.UniqueConstraint(fields=["source", "reason"], name="one_burst_rule_per_source_and_reason"),
            models.CheckConstraint(condition=Q(threshold__gte=2) & Q(window_minutes__gte=1),
                                   name="burst_rule_sensible"),
        ]
