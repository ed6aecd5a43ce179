"""Intake of a platform's own payload through the channel's adapter."""

from __future__ import annotations

from typing import Any

from oms.accounts.actor import Actor
from oms.channels.adapters import get_adapter
from oms.channels.models import Channel
from oms.channels.selectors import channel_lookup
from oms.core.errors import NotFound
from oms.orders.intake.services import IntakeResult, intake_order
from oms.orders.intake.validation import parse_intake
from oms.orders.status import OrderSource


def intake_channel_payload(
    *, channel_code: str, raw: Any, actor: Actor, idempotency_key: str | None = None, request_hash: str = ""
) -> IntakeResult:
    """Translate a platform payload with the channel's adapter, then take it in like any API order."""
    channel = Channel.objects.filter(code=channel_code).only("code", "adapter").first()
    if channel is None:
        raise NotFound(details={"channel": channel_code})
    payload = get_adapter(channel.adapter).to_intake_payload(raw, channel_code=channel.code)
    command = parse_intake(payload, channel_lookup=channel_lookup)
    return intake_order(
        command=command, actor=actor, source=OrderSource.API,
        idempotency_key=idempotency_key, request_hash=request_hash,
    )
