"""Notices to staff: to a whole team (at-risk orders, incidents) or to one person (escalations)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    """One message in the back office's inbox; read per person, never edited otherwise."""

    # A staff role code (accounts.roles) when the notice goes to the whole team, else blank.
    team = models.CharField(_("team"), max_length=32, blank=True, db_index=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="notices", verbose_name=_("recipient"))
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    order = models.ForeignKey("orders.Order", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="notices")
    link = models.CharField(_("link"), max_length=300, blank=True)
    # The same notice is sent once: an order becoming at risk, a report escalating to a level.
    dedupe_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(fields=["dedupe_key"], condition=~models.Q(dedupe_key=""),
                                    name="notice_dedupe_key_unique"),
            models.CheckConstraint(condition=~models.Q(team="") | models.Q(recipient__isnull=False),
                                   name="notice_has_addressee"),
        ]

    def __str__(self) -> str:
        return self.title


class NoticeRead(models.Model):
    """Who has read a notice (a team notice is read by each member on their own)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="notice_read_once")]
