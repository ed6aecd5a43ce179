"""Permissions come from the role table in accounts.roles, not from per-user grants.

Roles are the only way rights are given in OMS (DESIGN.md): the groups hold exactly the
role's permissions after every migrate, so reading them from code answers the same and
saves the two permission queries ModelBackend makes on every request. The groups query
is shared with `User.role_codes()`, which the actor needs anyway.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from oms.accounts.roles import ROLE_PERMISSIONS


class RoleBackend(ModelBackend):
    def get_user_permissions(self, user_obj, obj=None) -> set[str]:
        return set()  # rights are given by role only

    def get_group_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        perms: set[str] = set()
        for role in user_obj.role_codes():
            perms |= ROLE_PERMISSIONS.get(role, set())
        return perms

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_oms_role_perm_cache"):
            user_obj._oms_role_perm_cache = self.get_group_permissions(user_obj)
        return user_obj._oms_role_perm_cache
