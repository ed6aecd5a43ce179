"""No sender configured for a medium: write the message to the log and mark it "logged"."""

from __future__ import annotations

import logging

from oms.notifications.senders.base import Delivered, Outgoing

log = logging.getLogger("oms.notifications.messages")


class LoggingSender:
    def __init__(self, medium: str) -> None:
        self.medium = medium

    def configured(self) -> bool:
        return True

    def send(self, outgoing: Outgoing) -> Delivered:
        log.info(
            "message not sent (no %s sender configured): request_id=%s to=%s subject=%r body=%r",
            outgoing.medium, outgoing.request_id, outgoing.recipient, outgoing.subject, outgoing.body,
        )
        return Delivered(logged=True)
