"""Reading a person's notices: their own and their team's (the team is User.team, else their roles)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from oms.inbox.models import Notice, NoticeRead


def teams_of(user) -> set[str]:
    teams = set(user.role_codes()) if hasattr(user, "role_codes") else set()
    if getattr(user, "team", ""):
        teams.add(user.team)
    return teams


def notices_for(user) -> QuerySet[Notice]:
    """The person's own notices and their teams'; a team notice about an order outside the person's
    warehouse or channel scope is not theirs (it would name another warehouse's order)."""
    from oms.accounts.actor import Actor, channel_scope, warehouse_scope
    from oms.orders.models import Order
    from oms.orders.selectors import scoped_orders

    qs = Notice.objects.filter(Q(recipient=user) | Q(team__in=teams_of(user), team__gt=""))
    actor = Actor.of(user)
    if channel_scope(actor) is None and warehouse_scope(actor) is None:
        return qs
    return qs.filter(Q(recipient=user) | Q(order__isnull=True) | Q(order__in=scoped_orders(actor, Order.objects.all())))


def with_read_flag(user, qs: QuerySet[Notice]) -> QuerySet[Notice]:
    return qs.annotate(is_read=Exists(NoticeRead.objects.filter(notice=OuterRef("pk"), user=user)))


def unread_count(user) -> int:
    return notices_for(user).exclude(reads__user=user).count()
