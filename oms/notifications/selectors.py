"""Reads of buyer messaging: filtered message lists, templates, channel languages."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from oms.channels.models import Channel
from oms.core.errors import ValidationFailed
from oms.notifications.errors import MessageNotFound, MessageTemplateNotFound
from oms.notifications.models import (
    ChannelMessageLanguage,
    Medium,
    Message,
    MessageEvent,
    MessageLanguage,
    MessageStatus,
    MessageTemplate,
)

MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class MessageFilters:
    status: str = ""
    medium: str = ""
    event: str = ""
    order_no: str = ""

    @classmethod
    def parse(cls, params) -> MessageFilters:
        """From query parameters; an unknown status, medium or event is refused naming the field."""
        values = {name: str(params.get(name, "") or "").strip() for name in ("status", "medium", "event", "order_no")}
        errors = {}
        for name, choices in (("status", MessageStatus), ("medium", Medium), ("event", MessageEvent)):
            if values[name] and values[name] not in choices.values:
                errors[name] = [_("Unknown value; use one of %(values)s.") % {"values": ", ".join(choices.values)}]
        if len(values["order_no"]) > 20:
            errors["order_no"] = [_("At most %(n)d characters.") % {"n": 20}]
        elif not values["order_no"].isprintable():  # PostgreSQL refuses NUL in a query
            errors["order_no"] = [_("Contains control characters.")]
        if errors:
            raise ValidationFailed(_("The request has invalid fields."), details=errors)
        return cls(**values)


def message_list(filters: MessageFilters, actor=None) -> QuerySet[Message]:
    qs = Message.objects.select_related("order", "created_by").order_by("-created_at", "-id")
    if actor is not None:  # messages about orders of the actor's channels (and those about no order)
        from oms.accounts.actor import channel_scope

        channels = channel_scope(actor)
        if channels is not None:
            qs = qs.filter(Q(order__isnull=True) | Q(order__channel_id__in=channels))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.medium:
        qs = qs.filter(medium=filters.medium)
    if filters.event:
        qs = qs.filter(event=filters.event)
    if filters.order_no:
        qs = qs.filter(order__order_no__startswith=filters.order_no)
    return qs


def message_detail(message_id: int) -> Message:
    message = None
    if 0 < message_id <= MAX_ID:
        message = Message.objects.select_related("order", "created_by").filter(pk=message_id).first()
    if message is None:
        raise MessageNotFound(details={"id": message_id})
    return message


def template_list() -> QuerySet[MessageTemplate]:
    return MessageTemplate.objects.select_related("updated_by").order_by("event", "medium", "language")


def template_detail(template_id: int) -> MessageTemplate:
    template = None
    if 0 < template_id <= MAX_ID:
        template = MessageTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise MessageTemplateNotFound(details={"id": template_id})
    return template


def channel_languages() -> list[dict]:
    """Every channel with the language its buyers get messages in."""
    chosen = dict(ChannelMessageLanguage.objects.values_list("channel_id", "language"))
    return [
        {"code": code, "name": name, "language": chosen.get(pk, MessageLanguage.ZH_HANS)}
        for pk, code, name in Channel.objects.order_by("id").values_list("id", "code", "name")
    ]
