"""Recording audit events: who, which role, when, what changed (old → new), why."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from oms.accounts.actor import Actor
from oms.audit.models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value differs, as {field: [old, new]}."""
    return {k: [_plain(old.get(k)), _plain(new[k])] for k in new if _plain(old.get(k)) != _plain(new[k])}


def build_event(
    *, order, action: str, actor: Actor, changes: dict | None = None, reason: str = "", note: str = "",
    data: dict | None = None, at=None,
) -> AuditEvent:
    return AuditEvent(
        order=order,
        action=action,
        actor_id=actor.user_id,
        actor_username=actor.username,
        actor_roles=actor.role_label,
        at=at or timezone.now(),
        changes={k: [_plain(v[0]), _plain(v[1])] for k, v in (changes or {}).items()},
        reason=reason,
        note=note,
        data=data or {},
    )


def record(order, action: str, *, actor: Actor, **kwargs) -> AuditEvent:
    """Record one audit event on an order."""
    event = build_event(order=order, action=action, actor=actor, **kwargs)
    event.save()
    return event
