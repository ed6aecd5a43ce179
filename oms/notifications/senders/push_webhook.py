"""App push through the app's own push gateway: a signed webhook (same scheme as SMS, docs/messages.md).

Settings: OMS_PUSH_URL (empty = not configured), OMS_PUSH_SECRET, OMS_PUSH_TIMEOUT; the channels
whose buyers use the app: OMS_PUSH_CHANNELS (default "app,miniapp").
"""

from __future__ import annotations

from django.conf import settings

from oms.notifications.models import Medium
from oms.notifications.senders.base import Delivered, Outgoing
from oms.notifications.senders.signing import post_signed


class WebhookPushSender:
    medium = Medium.PUSH

    def configured(self) -> bool:
        return bool(settings.OMS_PUSH_URL)

    def payload(self, outgoing: Outgoing) -> dict:
        return {
            "request_id": outgoing.request_id,
            "event": outgoing.event,
            "user": {
                "channel": outgoing.channel_code,
                "recipient": outgoing.recipient,
                "phone": outgoing.customer_phone,
                "external_order_id": outgoing.external_order_id,
            },
            "order_no": outgoing.order_no,
            "title": outgoing.subject,
            "body": outgoing.body,
            "language": outgoing.language,
        }

    def send(self, outgoing: Outgoing) -> Delivered:
        return post_signed(
            url=settings.OMS_PUSH_URL, secret=settings.OMS_PUSH_SECRET, payload=self.payload(outgoing),
            timeout=settings.OMS_PUSH_TIMEOUT,
        )
