import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oms.core.models import TimeStampedModel


class OutboxMessage(models.Model):
    """A side effect written in the same transaction as the change that caused it."""

    topic = models.CharField(max_length=64, db_index=True)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]


# --- messages to buyers -------------------------------------------------------------------


class MessageEvent(models.TextChoices):
    """What a message to the buyer is about; each event has its own templates."""

    ORDER_CONFIRMED = "order_confirmed", _("Order confirmed")
    ORDER_SHIPPED = "order_shipped", _("Order shipped")
    REFUND_ISSUED = "refund_issued", _("Refund issued")
    ORDER_CANCELLED = "order_cancelled", _("Order cancelled")
    RETURN_APPROVED = "return_approved", _("After-sales request approved")
    AFTER_SALES_REJECTED = "after_sales_rejected", _("After-sales request rejected")


class Medium(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    PUSH = "push", _("App push")


class MessageLanguage(models.TextChoices):
    # Each language is named in itself, like the language switch of the back office.
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    LOGGED = "logged", _("Logged (no sender configured)")


class MessageTemplate(TimeStampedModel):
    """The editable text of one event in one medium and language (Django template syntax)."""

    event = models.CharField(_("event"), max_length=32, choices=MessageEvent.choices)
    medium = models.CharField(_("medium"), max_length=8, choices=Medium.choices)
    language = models.CharField(_("language"), max_length=8, choices=MessageLanguage.choices)
    subject = models.CharField(
        _("subject"), max_length=200, blank=True,
        help_text=_("Email subject or push title; SMS has none."),
    )
    body = models.TextField(_("body"))
    provider_template_code = models.CharField(
        _("provider template code"), max_length=64, blank=True,
        help_text=_("SMS only: the template code registered with the SMS provider, if it requires one."),
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive templates send nothing for this event and medium."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        ordering = ["event", "medium", "language"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(fields=["event", "medium", "language"], name="uniq_message_template"),
        ]

    def __str__(self) -> str:
        return f"{self.event}/{self.medium}/{self.language}"


class ChannelMessageLanguage(models.Model):
    """The language of buyer messages for orders of one channel (zh-hans when not set)."""

    channel = models.OneToOneField(
        "channels.Channel", primary_key=True, on_delete=models.CASCADE, related_name="message_language",
    )
    language = models.CharField(_("language"), max_length=8, choices=MessageLanguage.choices)

    class Meta:
        verbose_name = _("message language of a channel")
        verbose_name_plural = _("message languages of channels")


class Message(models.Model):
    """One message to a buyer in one medium; subject and body are rendered when it is created,
    so what was sent is what is shown."""

    order = models.ForeignKey(
        "orders.Order", null=True, blank=True, on_delete=models.PROTECT, related_name="buyer_messages",
    )
    event = models.CharField(_("event"), max_length=32, choices=MessageEvent.choices)
    medium = models.CharField(_("medium"), max_length=8, choices=Medium.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    language = models.CharField(_("language"), max_length=8, choices=MessageLanguage.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    provider_template_code = models.CharField(max_length=64, blank=True)

    status = models.CharField(
        _("status"), max_length=8, choices=MessageStatus.choices, default=MessageStatus.QUEUED,
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # When the next attempt is due (queued), or when a claimed attempt is given up as lost (sending);
    # empty once the message is finished.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=128, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    # Sent to providers as request_id: the same on every attempt, so a provider can drop repeats.
    request_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Set by automatic triggers so that a repeated trigger does not message the buyer twice.
    dedup_key = models.CharField(max_length=100, blank=True)
    resend_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="resends",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        permissions = [("resend_message", _("Resend a message to a buyer"))]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["dedup_key", "medium"], condition=~Q(dedup_key=""), name="uniq_message_dedup_key_medium",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.medium} {self.event} → {self.recipient}"

    @property
    def finished(self) -> bool:
        return self.status in (MessageStatus.SENT, MessageStatus.FAILED, MessageStatus.LOGGED)
