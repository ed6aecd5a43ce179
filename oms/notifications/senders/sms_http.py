"""SMS through a generic HTTP gateway (signed JSON, see docs/messages.md).

Settings: OMS_SMS_URL (empty = not configured), OMS_SMS_SECRET, OMS_SMS_SIGN_NAME, OMS_SMS_TIMEOUT.
"""

from __future__ import annotations

from django.conf import settings

from oms.notifications.models import Medium
from oms.notifications.senders.base import Delivered, Outgoing
from oms.notifications.senders.signing import post_signed


class HttpSmsSender:
    medium = Medium.SMS

    def configured(self) -> bool:
        return bool(settings.OMS_SMS_URL)

    def payload(self, outgoing: Outgoing) -> dict:
        payload = {
            "phone": outgoing.recipient,
            "content": outgoing.body,
            "sign_name": settings.OMS_SMS_SIGN_NAME,
            "request_id": outgoing.request_id,
        }
        if outgoing.provider_template_code:
            payload["template_code"] = outgoing.provider_template_code
        return payload

    def send(self, outgoing: Outgoing) -> Delivered:
        return post_signed(
            url=settings.OMS_SMS_URL, secret=settings.OMS_SMS_SECRET, payload=self.payload(outgoing),
            timeout=settings.OMS_SMS_TIMEOUT,
        )
