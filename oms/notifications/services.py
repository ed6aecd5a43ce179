"""Write actions of buyer messaging: queue messages for an order event, resend one, edit templates.

`notify_buyer` is what other areas call (review on approval through the `order.approved` topic,
later shipping and refunds); the messages it creates are sent by the worker after commit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.actor import Actor, require
from oms.accounts.roles import CHANGE_MESSAGE_TEMPLATES, RESEND_MESSAGES
from oms.audit.services import diff, record
from oms.channels.models import Channel
from oms.core.errors import NotFound, ValidationFailed
from oms.notifications.delivery import send_after_commit
from oms.notifications.errors import (
    InvalidMessageTemplate,
    MessageNotFound,
    MessageStillPending,
    MessageTemplateNotFound,
)
from oms.notifications.models import (
    ChannelMessageLanguage,
    Medium,
    Message,
    MessageEvent,
    MessageLanguage,
    MessageStatus,
    MessageTemplate,
)
from oms.notifications.recipients import reachable_media, recipient_for
from oms.notifications.rendering import (
    EVENT_VARIABLES,
    MAX_BODY,
    MAX_SUBJECT,
    TemplateProblem,
    check_template,
    order_context,
    render_text,
)

log = logging.getLogger(__name__)
DEFAULT_LANGUAGE = MessageLanguage.ZH_HANS
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # newlines and tabs are fine in a template


def channel_language(channel_id: int) -> str:
    """The language of buyer messages for a channel's orders (zh-hans unless set)."""
    language = ChannelMessageLanguage.objects.filter(channel_id=channel_id).values_list("language", flat=True).first()
    return language or DEFAULT_LANGUAGE


@transaction.atomic
def notify_buyer(
    *, order, event: str, extra: Mapping[str, Any] | None = None, dedup_key: str = "", actor: Actor | None = None,
) -> list[Message]:
    """Queue one message per medium the order's buyer can receive, rendered from the event's active
    templates in the channel's language; they are sent after the surrounding transaction commits.

    `extra` carries the event's own variables (rendering.EVENT_VARIABLES: carrier_name and
    tracking_no for order_shipped, refund_amount for refund_issued). With a `dedup_key`, a second
    call with the same key returns the first call's messages and sends nothing new.
    """
    if event not in MessageEvent.values:
        raise ValueError(f"unknown message event {event!r}")
    unknown = set(extra or {}) - set(EVENT_VARIABLES[event])
    if unknown:
        raise ValueError(f"variables {sorted(unknown)} are not documented for {event}")
    if dedup_key:
        existing = list(Message.objects.filter(dedup_key=dedup_key).order_by("id"))
        if existing:
            return existing
    media = reachable_media(order, push_channels=settings.OMS_PUSH_CHANNELS)
    if not media:
        return []
    language = channel_language(order.channel_id)
    templates = {
        (t.medium, t.language): t
        for t in MessageTemplate.objects.filter(
            event=event, medium__in=[m for m, _r in media], language__in={language, DEFAULT_LANGUAGE},
        )
    }
    contexts: dict[str, dict] = {}
    created = []
    for medium, recipient in media:
        template = templates.get((medium, language)) or templates.get((medium, DEFAULT_LANGUAGE))
        if template is None:
            log.warning("no %s template for %s in %s; nothing sent", medium, event, language)
            continue
        if not template.active:
            continue
        if template.language not in contexts:
            contexts[template.language] = order_context(order, language=template.language, extra=extra)
        fields = {"status": MessageStatus.QUEUED, "next_attempt_at": timezone.now()}
        try:
            rendered = render_text(subject=template.subject, body=template.body, context=contexts[template.language])
            fields.update(subject=rendered.subject, body=rendered.body)
        except Exception as exc:  # a template saved before a rule changed: keep it visible, send nothing
            fields.update(subject=template.subject[:MAX_SUBJECT], body=template.body, status=MessageStatus.FAILED,
                          next_attempt_at=None, last_error=f"template could not be rendered: {exc}"[:2000])
        created.append(Message.objects.create(
            order=order, event=event, medium=medium, recipient=recipient, language=template.language,
            provider_template_code=template.provider_template_code if medium == Medium.SMS else "",
            dedup_key=dedup_key, created_by=getattr(actor, "user", None), **fields,
        ))
    send_after_commit(m.pk for m in created if m.status == MessageStatus.QUEUED)
    return created


@transaction.atomic
def resend_message(*, message_id: int, actor: Actor) -> Message:
    """Send a finished message again as a new message (same text; the order's current address for
    that medium, else the old one). Recorded on the order's timeline."""
    require(actor, RESEND_MESSAGES)
    original = None
    if 0 < message_id < 2**63:
        original = (
            Message.objects.select_for_update(of=("self",)).select_related("order__channel").filter(pk=message_id).first()
        )
    if original is None:
        raise MessageNotFound(details={"id": message_id})
    if not original.finished:
        raise MessageStillPending(details={"id": original.pk, "status": original.status})
    recipient = original.recipient
    if original.order is not None:
        recipient = recipient_for(original.order, original.medium, push_channels=settings.OMS_PUSH_CHANNELS) \
            or recipient
    copy = Message.objects.create(
        order=original.order, event=original.event, medium=original.medium, recipient=recipient,
        language=original.language, subject=original.subject, body=original.body,
        provider_template_code=original.provider_template_code, resend_of=original, created_by=actor.user,
        status=MessageStatus.QUEUED, next_attempt_at=timezone.now(),
    )
    if original.order is not None:
        record(original.order, "message_resent", actor=actor, data={
            "message_id": copy.pk, "resend_of": original.pk, "event": copy.event, "medium": copy.medium,
            "recipient": copy.recipient, "previous_status": original.status,
        })
    send_after_commit([copy.pk])
    return copy


def _check_text(errors: dict, field: str, value: str, max_len: int) -> None:
    if _CONTROL.search(value):
        errors.setdefault(field, []).append(_("Contains control characters that cannot be stored."))
    elif len(value) > max_len:
        errors.setdefault(field, []).append(_("At most %(n)d characters.") % {"n": max_len})
    else:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            errors.setdefault(field, []).append(_("Contains broken Unicode."))


def validate_template_text(*, event: str, medium: str, subject: str, body: str, provider_template_code: str = "") \
        -> None:
    """Raise ValidationFailed (malformed) or InvalidMessageTemplate (does not render) naming the field."""
    errors: dict[str, list[str]] = {}
    _check_text(errors, "subject", subject, MAX_SUBJECT)
    _check_text(errors, "body", body, MAX_BODY)
    _check_text(errors, "provider_template_code", provider_template_code, 64)
    if not body.strip():
        errors.setdefault("body", []).append(_("This field is required."))
    if medium in (Medium.EMAIL, Medium.PUSH) and not subject.strip():
        errors.setdefault("subject", []).append(_("Email and push messages need a subject (the push title)."))
    if errors:
        raise ValidationFailed(_("The template has invalid fields."), details=errors)
    try:
        check_template(event=event, subject=subject, body=body)
    except TemplateProblem as problem:
        raise InvalidMessageTemplate(str(problem), details={problem.field: [str(problem)]}) from None


@transaction.atomic
def update_template(
    *, template_id: int, actor: Actor, subject: str | None = None, body: str | None = None,
    active: bool | None = None, provider_template_code: str | None = None,
) -> MessageTemplate:
    """Change a template's text or switch it on or off; refused if it does not render. Audited."""
    require(actor, CHANGE_MESSAGE_TEMPLATES)
    template = None
    if 0 < template_id < 2**63:
        template = MessageTemplate.objects.select_for_update().filter(pk=template_id).first()
    if template is None:
        raise MessageTemplateNotFound(details={"id": template_id})
    new = {
        "subject": template.subject if subject is None else subject.strip(),
        # Browsers send CRLF from a textarea; messages keep plain newlines.
        "body": template.body if body is None else body.replace("\r\n", "\n").strip("\n"),
        "active": template.active if active is None else active,
        "provider_template_code": template.provider_template_code if provider_template_code is None
        else provider_template_code.strip(),
    }
    validate_template_text(event=template.event, medium=template.medium, subject=new["subject"], body=new["body"],
                           provider_template_code=new["provider_template_code"])
    old = {name: getattr(template, name) for name in new}
    changes = diff(old, new)
    if not changes:
        return template
    for name, value in new.items():
        setattr(template, name, value)
    template.updated_by = actor.user
    template.save()
    record(None, "message_template_changed", actor=actor, changes=changes, data={
        "template_id": template.pk, "event": template.event, "medium": template.medium, "language": template.language,
    })
    return template


@transaction.atomic
def set_channel_language(*, channel_code: str, language: str, actor: Actor) -> None:
    """Choose the language of buyer messages for one channel's orders. Audited."""
    require(actor, CHANGE_MESSAGE_TEMPLATES)
    if language not in MessageLanguage.values:
        raise ValidationFailed(details={"language": [_("Choose one of %(values)s.")
                                                      % {"values": ", ".join(MessageLanguage.values)}]})
    channel = Channel.objects.filter(code=channel_code).first()
    if channel is None:
        raise NotFound(_("No such channel."), details={"channel": channel_code})
    old = channel_language(channel.pk)
    if old == language:
        return
    ChannelMessageLanguage.objects.update_or_create(channel=channel, defaults={"language": language})
    record(None, "message_language_changed", actor=actor, changes={"language": [old, language]},
           data={"channel": channel.code})
