"""The actor passed to every write action: who, in which role(s)."""

from __future__ import annotations

from dataclasses import dataclass

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


def warehouse_scope(actor: Actor) -> frozenset[int] | None:
    """The warehouses the actor may work in; None for everywhere (the system, or no assignment)."""
    if actor.user is None or not hasattr(actor.user, "warehouse_scope"):
        return None
    return actor.user.warehouse_scope()


def require_warehouse(actor: Actor, warehouse_id: int) -> None:
    """Raise OutOfScope unless the actor may work in the warehouse."""
    scope = warehouse_scope(actor)
    if scope is not None and warehouse_id not in scope:
        raise OutOfScope(details={"warehouse_id": warehouse_id})
