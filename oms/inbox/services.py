"""Sending notices to a team or a person, and marking them read."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from oms.accounts.roles import ROLE_ORDER
from oms.core.errors import ValidationFailed
from oms.inbox.models import Notice, NoticeRead


def _create(*, dedupe_key: str, **fields) -> Notice | None:
    if dedupe_key and Notice.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():  # a savepoint: a concurrent sender with the same key loses quietly
            return Notice.objects.create(dedupe_key=dedupe_key, **fields)
    except IntegrityError:
        if dedupe_key:
            return None
        raise


def notify_team(*, team: str, kind: str, title: str, body: str = "", order=None, link: str = "",
                dedupe_key: str = "") -> Notice | None:
    """Send a notice to every member of a team; None when one with the same dedupe_key was sent already."""
    if team not in ROLE_ORDER:
        raise ValidationFailed(_("Unknown team %(team)r.") % {"team": team}, details={"team": [team]})
    return _create(team=team, kind=kind, title=title[:200], body=body, order=order, link=link,
                   dedupe_key=dedupe_key)


def notify_user(*, user, kind: str, title: str, body: str = "", order=None, link: str = "",
                dedupe_key: str = "") -> Notice | None:
    """Send a notice to one person; None when one with the same dedupe_key was sent already."""
    return _create(recipient=user, kind=kind, title=title[:200], body=body, order=order, link=link,
                   dedupe_key=dedupe_key)


def mark_read(*, user, notice_ids: list[int]) -> int:
    """Mark these of the user's notices read; returns how many were newly marked."""
    from oms.inbox.selectors import notices_for

    ids = list(notices_for(user).filter(pk__in=notice_ids).exclude(reads__user=user).values_list("pk", flat=True))
    NoticeRead.objects.bulk_create([NoticeRead(notice_id=i, user=user) for i in ids], ignore_conflicts=True)
    return len(ids)
