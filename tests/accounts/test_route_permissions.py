"""Every route declares the permission it needs, and every role gets exactly what its permissions allow.

Walks all URL patterns × every role (and anonymous): a signed-in user without the
right gets 403; anonymous callers get 401 from the API and a redirect to the login
page from the back office.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from oms.accounts.permissions import declared_permission
from oms.accounts.roles import (
    ADMIN,
    CUSTOMER_SERVICE,
    FINANCE,
    INTEGRATION,
    LOGISTICS,
    OPERATIONS,
    ROLE_ORDER,
    ROLE_PERMISSIONS,
    WAREHOUSE,
)
from oms.accounts.services import token_for

SKIPPED_PREFIXES = ("admin/",)  # Django's admin site guards itself (staff only); checked separately below.
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def walk(patterns=None, prefix=""):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def view_class(callback):
    return getattr(callback, "view_class", None) or getattr(callback, "cls", None)


def declared(cls, method):
    if getattr(cls, "required_permissions", None) is not None:
        return declared_permission(cls, method)
    perm = getattr(cls, "required_permission", None)
    if isinstance(perm, dict):
        return perm.get(method)
    if perm is not None and hasattr(cls, method.lower()):
        return perm
    return None


def routes():
    out = []
    for pattern, callback in walk():
        if pattern.startswith(SKIPPED_PREFIXES):
            continue
        cls = view_class(callback)
        methods = [m for m in HTTP_METHODS if cls is not None and hasattr(cls, m.lower())]
        out.append((pattern, cls, methods))
    return out


def test_every_route_declares_a_permission_for_each_method_it_serves():
    undeclared = [
        f"{pattern} {method}"
        for pattern, cls, methods in routes()
        for method in (methods or ["GET"])
        if cls is None or declared(cls, method) is None
    ]
    assert undeclared == []


def concrete_path(pattern: str, order_no: str) -> str:
    """The pattern with every URL parameter filled in, so that the walk reaches every route.

    Ids need not exist: a role with the right gets 404 (allowed), one without gets 403 first. A few
    names get values that exist or parse; any other parameter is filled by its converter, so routes
    other engineers add resolve without touching this test: <int:…> → "1", anything else → "x".
    """
    values = {"order_no": order_no, "code": "taobao", "fmt": "csv", "format": "csv"}

    def fill(match):
        converter, _sep, name = match.group(1).rpartition(":")
        if name in values:
            return values[name]
        return "1" if converter == "int" else "x"

    path = re.sub(r"<([^>]+)>", fill, pattern)
    path = path.replace("^", "").replace("$", "").replace("\\Z", "")
    return "/" + path


@pytest.fixture
def draft_order_no(make_user, order_payload):
    from django.utils import timezone

    from oms.accounts.actor import Actor
    from oms.channels.selectors import channel_lookup
    from oms.orders.entry import enter_order
    from oms.orders.intake.validation import parse_intake

    clerk = make_user("clerk", CUSTOMER_SERVICE)
    command = parse_intake(order_payload(channel="offline", external_id=None), channel_lookup=channel_lookup,
                           require_external_id=False, default_placed_at=timezone.now())
    return enter_order(command=command, actor=Actor.of(clerk)).order_no


def client_for(role, users):
    if role is None:
        return Client(), APIClient()
    web = Client()
    web.force_login(users[role])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(username=users[role].username)}")
    return web, api


@pytest.mark.parametrize("role", [None, *ROLE_ORDER])
def test_each_role_is_allowed_exactly_what_its_permissions_grant(role, users, draft_order_no, settings):
    settings.AXES_ENABLED = False
    web, api = client_for(role, users)
    granted = ROLE_PERMISSIONS.get(role, set())
    problems = []
    for pattern, cls, methods in routes():
        path = concrete_path(pattern, draft_order_no)
        is_api = pattern.startswith("api/")
        for method in methods:
            perm = declared(cls, method)
            client = api if is_api else web
            if role is not None and not is_api:
                web.force_login(users[role])  # the walk passes the logout route too
            response = getattr(client, method.lower())(path, {}, **({"format": "json"} if is_api else {}))
            code = response.status_code
            if perm == "public":
                ok = code not in (401, 403)
                expected = "public"
            elif role is None:
                ok = code == 401 if is_api else (code == 302 and "/login" in response["Location"])
                expected = "401" if is_api else "redirect to login"
            elif perm == "authenticated" or perm in granted:
                ok = code not in (401, 403)
                expected = "allowed"
            else:
                ok = code == 403
                expected = "403"
            if not ok:
                problems.append(f"{role} {method} {path} ({perm}): expected {expected}, got {code}")
    assert problems == []


# The matrix in words, for the routes that matter most, so a change to the role table is a visible decision.
EXPECTED = {
    ("GET", "/api/v1/orders"): {CUSTOMER_SERVICE, WAREHOUSE, LOGISTICS, FINANCE, OPERATIONS},
    ("POST", "/api/v1/orders"): {INTEGRATION},
    ("POST", "/api/v1/orders/drafts"): {CUSTOMER_SERVICE},
    ("POST", "/api/v1/orders/drafts/{order_no}/confirm"): {CUSTOMER_SERVICE, OPERATIONS},
    ("GET", "/api/v1/messages"): {CUSTOMER_SERVICE, OPERATIONS},
    ("POST", "/api/v1/messages/1/resend"): {CUSTOMER_SERVICE, OPERATIONS},
    ("GET", "/api/v1/message-templates"): {ADMIN},
    ("PATCH", "/api/v1/message-templates/1"): {ADMIN},
    ("PUT", "/api/v1/message-languages/web"): {ADMIN},
}


@pytest.mark.parametrize(("route", "allowed"), EXPECTED.items(), ids=lambda v: str(v))
def test_the_main_routes_follow_least_privilege(route, allowed, users, draft_order_no):
    method, path = route
    path = path.format(order_no=draft_order_no)
    for role in ROLE_ORDER:
        _web, api = client_for(role, users)
        code = getattr(api, method.lower())(path, {}, format="json").status_code
        assert (code != 403) == (role in allowed), f"{role} {method} {path}: {code}"


def test_only_administrators_reach_the_admin_site(users, settings):
    settings.AXES_ENABLED = False
    for role in ROLE_ORDER:
        web, _api = client_for(role, users)
        code = web.get("/admin/").status_code
        assert (code == 200) == (role == ADMIN), f"{role}: {code}"


# Routes whose `number` is not an order's object, or objects that are nobody's scope (see docs/permissions.md).
NUMBER_ROUTES_WITHOUT_SCOPE: set[str] = set()


def test_every_route_naming_an_object_by_number_has_its_scope_checked():
    # A new route family with <number> must say which object it names (accounts/object_scope.NUMBER_KINDS),
    # or the scope check would silently skip it.
    from oms.accounts.object_scope import objects_named

    unscoped = [
        pattern for pattern, _cls, _methods in routes()
        if re.search(r"<(\w+:)?number>", pattern) and not objects_named(pattern, {"number": "x"})
        and pattern not in NUMBER_ROUTES_WITHOUT_SCOPE
    ]
    assert unscoped == []
