"""No sender configured for a medium: write the message to the log and mark it "logged"."""

from __future__ import annotations

import logging

from oms.notifications.senders.base import Delivered, Outgoing
from oms.orders.personal_data import mask_email, mask_phone

log = logging.getLogger("oms.notifications.messages")


def masked_recipient(recipient: str) -> str:
    return mask_email(recipient) if "@" in (recipient or "") else mask_phone(recipient or "")


class LoggingSender:
    def __init__(self, medium: str) -> None:
        self.medium = medium

    def configured(self) -> bool:
        return True

    def send(self, outgoing: Outgoing) -> Delivered:
        # The message itself stays on its row (Messages page); the log names it without personal data.
        log.info(
            "message not sent (no %s sender configured): request_id=%s to=%s subject=%r body=%d characters",
            outgoing.medium, outgoing.request_id, masked_recipient(outgoing.recipient), outgoing.subject,
            len(outgoing.body or ""),
        )
        return Delivered(logged=True)
