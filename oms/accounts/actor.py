"""The actor passed to every write action: who, in which role(s)."""

from __future__ import annotations

from dataclasses import dataclass

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
