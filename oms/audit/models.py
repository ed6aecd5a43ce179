from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oms.core.no_delete import DeletionRefused, NoDeleteMixin

GENESIS_HASH = "0" * 64  # the prev_hash of the first event in the chain


class ImmutableEvent(DeletionRefused):
    code = "immutable_event"


class AuditEvent(NoDeleteMixin, models.Model):
    """One row per write action; never edited or deleted (database triggers refuse it too).

    Rows are inserted unsealed; the sealer (oms/audit/chain.py) gives each its place in the hash chain
    (seq, prev_hash, hash) once, which is the only update the database allows.
    """

    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("action"), max_length=64)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_username = models.CharField(_("user"), max_length=150)
    actor_roles = models.CharField(_("role"), max_length=200)
    at = models.DateTimeField(_("time"), db_index=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    seq = models.BigIntegerField(_("chain position"), null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["order", "at"]),
            # The sealer's queue: only unsealed rows, so it stays tiny however long the log grows.
            models.Index(fields=["id"], condition=Q(seq__isnull=True), name="audit_event_unsealed"),
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableEvent(_("audit events are never edited"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableEvent(_("audit events are never deleted"))


class ChainHead(models.Model):
    """The one row that says where the audit chain ends; the sealer locks it, so seals never interleave."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
    sealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("audit chain head")
