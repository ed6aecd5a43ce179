"""Every back-office view declares the permission it needs; undeclared means denied.

`required_permission` is a permission name ("orders.view_order"), PUBLIC, AUTHENTICATED,
or a dict of those per HTTP method (HEAD and OPTIONS fall back to GET).
Anonymous users are sent to the login page; signed-in users without the permission
get the friendly 403 page.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

PUBLIC = "public"
AUTHENTICATED = "authenticated"


def declared_permission(view, method: str) -> str | None:
    perm = getattr(view, "required_permission", None)
    if perm is None or isinstance(perm, str):
        return perm
    method = method.upper()
    if method in perm:
        return perm[method]
    if method in ("HEAD", "OPTIONS"):
        return perm.get("GET")
    return None


def forbidden(request, *, reason: str = ""):
    return render(request, "web/403.html", {"reason": reason}, status=403)


class PermissionRequiredMixin:
    """Check the declared permission before the view runs."""

    required_permission: str | dict[str, str] | None = None

    def dispatch(self, request, *args, **kwargs):
        perm = declared_permission(self, request.method)
        if perm == PUBLIC:
            return super().dispatch(request, *args, **kwargs)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.method.lower() not in self.http_method_names or not hasattr(self, request.method.lower()):
            return self.http_method_not_allowed(request, *args, **kwargs)
        if perm is None:
            return forbidden(request)
        if perm != AUTHENTICATED and not request.user.has_perm(perm):
            return forbidden(request)
        refused = _out_of_scope(request, kwargs)
        if refused is not None:
            return refused
        return super().dispatch(request, *args, **kwargs)


def _out_of_scope(request, kwargs):
    """404 for reading, 403 for acting on, an object outside the user's warehouses or channels."""
    from django.http import Http404

    from oms.accounts.actor import Actor, OutOfScope
    from oms.accounts.object_scope import check_route
    from oms.core.errors import NotFound

    match = request.resolver_match
    try:
        check_route(Actor.of(request.user), route=match.route if match else "", kwargs=kwargs,
                    method=request.method)
    except NotFound as exc:
        # Out of scope must look exactly like unknown, so answer as the views do for an unknown object:
        # the warehouse pages (pick lists, packing, hand-over) raise Http404, the others render web/404.html.
        if {"pick_list", "packages", "handover_list"} & set(exc.details):
            raise Http404(exc.message) from exc
        return render(request, "web/404.html", {"order_no": exc.details.get("order_no", "")}, status=404)
    except OutOfScope as exc:
        return forbidden(request, reason=exc.message)
    return None
