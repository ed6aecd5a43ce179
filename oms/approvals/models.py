"""Change requests (申请审批): a sensitive correction asked for with a reason, applied only on approval.

`current` holds the target's values when the request was made; approval compares them with the live
values and refuses when they differ (the requester asks again on fresh data). `conflict_key` names
the data a request covers; at most one pending request per key (a partial unique index).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oms.approvals.fields import PersonalValuesJSONField
from oms.approvals.status import ChangeKind, ChangeStatus
from oms.core.models import TimeStampedModel
from oms.core.no_delete import NoDeleteMixin


class ChangeRequest(NoDeleteMixin, TimeStampedModel):
    number = models.CharField(_("request number"), max_length=24, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=ChangeKind.choices)
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="change_requests")
    sku = models.ForeignKey("inventory.Sku", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey("inventory.Warehouse", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    # Personal values (a customer-data request's phone, name, street) are encrypted at rest (fields.py).
    proposed = PersonalValuesJSONField(_("proposed values"), default=dict)
    current = PersonalValuesJSONField(_("values when requested"), default=dict)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=16, choices=ChangeStatus.choices,
                              default=ChangeStatus.PENDING, db_index=True)
    conflict_key = models.CharField(max_length=80)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    applied_event = models.ForeignKey("audit.AuditEvent", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+")

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        permissions = [
            ("request_change", _("Ask for a sensitive correction (change request) with a reason")),
            ("approve_change", _("Approve or reject others' change requests")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["conflict_key"], condition=Q(status="pending"),
                                    name="one_pending_change_request_per_conflict_key"),
        ]

    def __str__(self) -> str:
        return self.number
