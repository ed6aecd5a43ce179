"""Every API view declares the permission it needs, per HTTP method; undeclared means denied."""

from __future__ import annotations

from rest_framework.permissions import BasePermission


def declared_permission(view, method: str) -> str | None:
    perms = getattr(view, "required_permissions", None)
    if perms is None:
        return None
    if isinstance(perms, str):
        return perms
    return perms.get(method.upper()) or (perms.get("HEAD") if method.upper() == "HEAD" else None) or (
        perms.get("GET") if method.upper() in ("HEAD", "OPTIONS") else None
    )


class HasDeclaredPermission(BasePermission):
    def has_permission(self, request, view) -> bool:
        if not hasattr(view, request.method.lower()):
            return True  # let the view answer 405 Method Not Allowed
        perm = declared_permission(view, request.method)
        if perm == "public":
            return True
        if not request.user or not request.user.is_authenticated:
            return False
        if perm is None:
            return False
        if perm != "authenticated" and not request.user.has_perm(perm):
            return False
        # An object outside the caller's warehouses or channels: NotFound (read) or OutOfScope (action),
        # raised here so that the error handler gives the usual error shape.
        from oms.accounts.actor import Actor
        from oms.accounts.object_scope import check_route

        match = request.resolver_match
        check_route(Actor.of(request.user), route=match.route if match else "", kwargs=view.kwargs,
                    method=request.method)
        return True
