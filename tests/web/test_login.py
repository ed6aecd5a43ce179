"""Signing in and out, and what the page says after too many failures (django-axes)."""

from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD


def test_signing_in_goes_to_the_order_list(users):
    client = Client()
    response = client.post(reverse("web:login"), {"username": "customer_service", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:order_list")


def test_signing_in_follows_the_next_parameter(users):
    client = Client()
    response = client.post(
        reverse("web:login") + "?next=/orders/drafts/",
        {"username": "customer_service", "password": PASSWORD, "next": "/orders/drafts/"},
    )
    assert response["Location"] == "/orders/drafts/"


def test_admin_signing_in_lands_on_the_start_page_not_a_403(users):
    client = Client()
    response = client.post(reverse("web:login"), {"username": "admin", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert "Accounts, roles and scopes are managed on the accounts page" in response.content.decode()


def test_wrong_password_shows_an_error_on_the_login_page(users):
    response = Client().post(reverse("web:login"), {"username": "customer_service", "password": "nope-nope"})
    assert response.status_code == 200
    assert 'class="alert alert-error"' in response.content.decode()


def test_five_failures_lock_the_account_with_a_clear_message(users, settings):
    settings.AXES_ENABLED = True
    client = Client()
    for _ in range(4):
        client.post(reverse("web:login"), {"username": "customer_service", "password": "wrong-pass"})
    fifth = client.post(reverse("web:login"), {"username": "customer_service", "password": "wrong-pass"})
    assert fifth.status_code == 429
    assert "Too many failed sign-in attempts." in fifth.content.decode()
    assert "15 minutes" in fifth.content.decode()

    even_right = client.post(reverse("web:login"), {"username": "customer_service", "password": PASSWORD})
    assert even_right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_signing_out_needs_a_post_and_returns_to_the_login_page(client_for):
    client = client_for("finance")
    response = client.post(reverse("web:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:login")
    assert client.get(reverse("web:order_list")).status_code == 302
