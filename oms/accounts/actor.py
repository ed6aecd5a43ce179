"""The actor passed to every write action: who, in which role(s)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oms.core.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    user: object | None  # accounts.User; None for the system (periodic jobs)
    roles: tuple[str, ...]

    @classmethod
    def of(cls, user) -> Actor:
        return cls(user=user, roles=user.role_codes())

    @classmethod
    def system(cls) -> Actor:
        return cls(user=None, roles=("system",))

    @property
    def user_id(self) -> int | None:
        return getattr(self.user, "pk", None)

    @property
    def username(self) -> str:
        return getattr(self.user, "username", "system")

    @property
    def role_label(self) -> str:
        return ",".join(self.roles)

    def has(self, permission: str) -> bool:
        if self.user is None:
            return True
        return self.user.has_perm(permission)


def require(actor: Actor, permission: str) -> None:
    """Raise PermissionDenied unless the actor holds the permission."""
    if not actor.has(permission):
        raise PermissionDenied(details={"permission": permission})


class OutOfScope(PermissionDenied):
    code = "out_of_scope"
    default_message = _("You do not work in this warehouse.")


def _load_scopes(user) -> None:
    """Read the account's channels and warehouses in one query and cache both on the user object."""
    if hasattr(user, "_scope_channel_ids"):
        return
    from django.contrib.auth import get_user_model

    rows = list(get_user_model().objects.filter(pk=user.pk).values_list("channels", "warehouses"))
    user._scope_channel_ids = frozenset(c for c, _w in rows if c is not None)
    if not hasattr(user, "_warehouse_scope"):  # the cache of User.warehouse_scope()
        user._warehouse_scope = frozenset(w for _c, w in rows if w is not None) or None


def warehouse_scope(actor: Actor) -> frozenset[int] | None:
    """The warehouses the actor may work in; None for everywhere (the system, or no assignment)."""
    if actor.user is None or not hasattr(actor.user, "warehouse_scope"):
        return None
    if getattr(actor.user, "pk", None) is not None and hasattr(actor.user, "channels"):
        _load_scopes(actor.user)
    return actor.user.warehouse_scope()


def require_warehouse(actor: Actor, warehouse_id: int) -> None:
    """Raise OutOfScope unless the actor may work in the warehouse."""
    scope = warehouse_scope(actor)
    if scope is not None and warehouse_id not in scope:
        raise OutOfScope(details={"warehouse_id": warehouse_id})


def channel_scope(actor: Actor) -> frozenset[int] | None:
    """The channels whose orders the actor may see and act on; None for every channel.

    Staff: the channels listed on the account, none listed meaning all. Integration clients keep
    their own rule: only the listed channels (none listed: none) unless `all_channels` is set.
    """
    user = actor.user
    if user is None or not hasattr(user, "channels"):
        return None
    if not hasattr(user, "_channel_scope"):
        # Cached on the user object with the warehouses: one query per request, not per row.
        _load_scopes(user)
        ids = user._scope_channel_ids
        if "integration" in actor.roles:
            user._channel_scope = None if user.all_channels else ids
        else:
            user._channel_scope = ids or None
    return user._channel_scope


class OutOfChannelScope(OutOfScope):
    default_message = _("You do not work for this channel.")


def require_channel(actor: Actor, channel_id: int) -> None:
    """Raise OutOfScope unless the actor may work on orders of the channel."""
    scope = channel_scope(actor)
    if scope is not None and channel_id not in scope:
        raise OutOfChannelScope(details={"channel_id": channel_id})


def scope_q(actor: Actor, *, channel: str | None = None, warehouse: str | None = None) -> Q:
    """A filter keeping rows within the actor's scopes; `channel` / `warehouse` name the rows' id fields.

    Both scopes are cached on the user, so a list costs the same queries whatever its length.
    """
    q = Q()
    channels = channel_scope(actor) if channel else None
    if channels is not None:
        q &= Q(**{f"{channel}__in": channels})
    warehouses = warehouse_scope(actor) if warehouse else None
    if warehouses is not None:
        q &= Q(**{f"{warehouse}__in": warehouses})
    return q
