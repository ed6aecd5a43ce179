"""Who may open which page: declared permissions, login redirects, friendly 403s."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from oms.web.access import AUTHENTICATED, PUBLIC


def _web_patterns(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _web_patterns(p.url_patterns, prefix)
        elif isinstance(p, URLPattern):
            yield p


def test_every_web_page_declares_the_permission_it_needs():
    resolver = get_resolver()
    web = next(r for r in resolver.url_patterns if isinstance(r, URLResolver) and r.namespace == "web")
    for pattern in _web_patterns(web.url_patterns):
        view = getattr(pattern.callback, "view_class", None)
        assert view is not None, f"{pattern.name} is not a class-based view"
        perm = view.required_permission
        values = perm.values() if isinstance(perm, dict) else [perm]
        for value in values:
            assert value in (PUBLIC, AUTHENTICATED) or "." in value, f"{pattern.name}: {value!r}"


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/orders/?status=draft")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))
    assert "next=/orders/%3Fstatus%3Ddraft" in response["Location"]


def test_login_page_is_public(client, db):
    response = client.get(reverse("web:login"))
    assert response.status_code == 200
    assert "OMS" in response.content.decode()


def test_warehouse_user_gets_a_friendly_403_on_manual_entry(client_for):
    response = client_for("warehouse").get(reverse("web:order_new"))
    assert response.status_code == 403
    assert "web/403.html" in [t.name for t in response.templates]


def test_root_is_a_dashboard_with_links_to_the_users_pages(client_for):
    response = client_for("finance").get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="{reverse("web:order_list")}"' in body and f'href="{reverse("web:refund_queue")}"' in body


def test_admin_sees_a_landing_page_pointing_to_the_accounts_page(client_for):
    response = client_for("admin").get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Accounts, roles and scopes are managed on the accounts page" in body
    assert f'href="{reverse("web:account_list")}"' in body


def test_navigation_shows_only_the_pages_the_role_allows(client_for):
    body = client_for("warehouse").get(reverse("web:order_list")).content.decode()
    assert reverse("web:order_list") in body
    assert reverse("web:order_new") not in body
    assert reverse("web:draft_list") not in body
    assert reverse("web:order_import") not in body


def test_customer_service_navigation_has_entry_check_and_import(client_for):
    body = client_for("customer_service").get(reverse("web:order_list")).content.decode()
    for name in ("order_new", "draft_list", "order_import"):
        assert reverse(f"web:{name}") in body


def test_top_bar_shows_user_role_and_language_switch(client_for):
    body = client_for("customer_service").get(reverse("web:order_list")).content.decode()
    assert "customer_service" in body  # the username
    assert reverse("web:set_language") in body
    assert 'value="en"' in body and 'value="zh-hans"' in body


def test_language_switch_turns_the_pages_english(client_for):
    client = client_for("customer_service")
    response = client.post(reverse("web:set_language"), {"language": "en", "next": "/orders/"})
    assert response.status_code == 302
    body = client.get("/orders/").content.decode()
    assert '<html lang="en">' in body
    assert "Customer service" in body


def test_pages_carry_no_inline_scripts_or_styles(client_for):
    body = client_for("customer_service").get(reverse("web:order_new")).content.decode()
    assert " style=" not in body
    assert "<style" not in body
    assert "<script>" not in body
    for tag in body.split("<script")[1:]:
        assert "src=" in tag.split(">")[0]
