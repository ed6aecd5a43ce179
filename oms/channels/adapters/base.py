from __future__ import annotations

from typing import Any, Protocol

from django.utils.translation import gettext_lazy as _

from oms.core.errors import ValidationFailed


class ChannelAdapter(Protocol):
    name: str

    def to_intake_payload(self, raw: Any, *, channel_code: str) -> dict:
        """Map a platform's order payload to the standard intake payload."""
        ...


class StandardAdapter:
    """Channels that already speak our intake format (own web shop, app, mini-program)."""

    name = "standard"

    def to_intake_payload(self, raw: Any, *, channel_code: str) -> dict:
        if not isinstance(raw, dict):
            raise ValidationFailed(_("The order must be a JSON object."))
        return {**raw, "channel": channel_code}


class UnknownAdapter(ValidationFailed):
    code = "unknown_adapter"


_registry: dict[str, ChannelAdapter] = {}


def register(adapter: ChannelAdapter) -> ChannelAdapter:
    _registry[adapter.name] = adapter
    return adapter


def get_adapter(name: str) -> ChannelAdapter:
    try:
        return _registry[name]
    except KeyError:
        raise UnknownAdapter(details={"adapter": [name]}) from None


register(StandardAdapter())
