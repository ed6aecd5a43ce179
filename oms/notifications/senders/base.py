"""What every sender takes and returns, and the choice of sender per medium."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Outgoing:
    """One attempt to deliver a message, detached from the database."""

    request_id: str  # the same on every attempt of one message
    medium: str
    event: str
    recipient: str
    language: str
    subject: str
    body: str
    order_no: str = ""
    channel_code: str = ""
    external_order_id: str = ""
    customer_phone: str = ""
    provider_template_code: str = ""


@dataclass(frozen=True)
class Delivered:
    provider_message_id: str = ""
    logged: bool = False  # not sent anywhere: no sender is configured for the medium


@dataclass
class SendFailed(Exception):
    """The provider refused or could not be reached; `reason` is stored as the message's last error."""

    reason: str
    details: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.reason


class Sender(Protocol):
    medium: str

    def configured(self) -> bool: ...

    def send(self, outgoing: Outgoing) -> Delivered: ...


def sender_for(medium: str) -> Sender:
    from oms.notifications.models import Medium
    from oms.notifications.senders.email_smtp import SmtpEmailSender
    from oms.notifications.senders.logged import LoggingSender
    from oms.notifications.senders.push_webhook import WebhookPushSender
    from oms.notifications.senders.sms_http import HttpSmsSender

    sender = {Medium.EMAIL: SmtpEmailSender, Medium.SMS: HttpSmsSender, Medium.PUSH: WebhookPushSender}[medium]()
    return sender if sender.configured() else LoggingSender(medium)
