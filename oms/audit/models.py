from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImmutableEvent(Exception):
    pass


class AuditEvent(models.Model):
    """One row per write action; never edited or deleted (database triggers refuse it too)."""

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

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "at"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableEvent("audit events are never edited")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableEvent("audit events are never deleted")
