"""Signing in under the policy, through the real login page: forced password changes, lockout after
five wrong passwords (per username, django-axes enabled), the idle timeout, deactivated accounts."""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from oms.accounts.actor import Actor
from oms.accounts.administration import locked_usernames, set_active, unlock
from oms.accounts.middleware import LAST_ACTIVITY
from oms.accounts.models import User
from oms.accounts.services import create_user, token_for
from oms.audit.models import AuditEvent
from tests.conftest import PASSWORD

LOGIN = "/login/"
FIRST = "first-pass-2026"


@pytest.fixture(autouse=True)
def _english_and_axes(settings):
    settings.LANGUAGE_CODE = "en"
    settings.AXES_ENABLED = True


@pytest.fixture
def new_person(users):
    """An account an administrator created: its first password must be changed."""
    return create_user(username="xiaoli", role="customer_service", password=FIRST, full_name="李小",
                       actor=Actor.of(users["admin"]))


def sign_in(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_a_new_account_must_change_its_password_before_any_other_page(new_person):
    client = Client()
    response = sign_in(client, "xiaoli", FIRST)
    assert response.status_code == 302
    for path in (reverse("web:order_list"), reverse("web:home"), reverse("web:inbox")):
        page = client.get(path)
        assert page.status_code == 302 and page["Location"] == reverse("web:password_change"), path
    form = client.get(reverse("web:password_change"))
    assert form.status_code == 200 and "Please choose a new password" in form.content.decode()

    same = client.post(reverse("web:password_change"), {
        "old_password": FIRST, "new_password": FIRST, "new_password_again": FIRST})
    assert same.status_code == 400  # the current password counts as used
    changed = client.post(reverse("web:password_change"), {
        "old_password": FIRST, "new_password": "my-own-pass-77", "new_password_again": "my-own-pass-77"})
    assert changed.status_code == 302 and changed["Location"] == reverse("web:order_list")
    assert client.get(reverse("web:order_list")).status_code == 200
    assert AuditEvent.objects.filter(order=None, action="password_changed", data__username="xiaoli").count() == 1


def test_a_password_older_than_the_maximum_age_must_be_changed(users, settings):
    settings.OMS_PASSWORD_MAX_AGE_DAYS = 90
    User.objects.filter(pk=users["finance"].pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    client = Client()
    sign_in(client, "finance", PASSWORD)
    response = client.get(reverse("web:order_list"))
    assert response["Location"] == reverse("web:password_change")


def test_a_forced_change_does_not_redirect_api_token_requests(new_person):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token_for(username='xiaoli')}")
    assert api.get("/api/v1/me").status_code == 200


def test_a_forced_change_refuses_api_calls_made_with_the_session(new_person):
    client = Client()
    sign_in(client, "xiaoli", FIRST)
    response = client.get("/api/v1/me")
    assert response.status_code == 403 and response.json()["error"]["code"] == "password_change_required"


def test_signing_out_and_switching_language_stay_possible_during_a_forced_change(new_person):
    client = Client()
    sign_in(client, "xiaoli", FIRST)
    assert client.post(reverse("web:set_language"), {"language": "en", "next": "/"}).status_code == 302
    response = client.post(reverse("web:logout"))
    assert response["Location"] == reverse("web:login")


def test_five_wrong_passwords_lock_the_account_even_from_different_addresses_and_browsers(users):
    client = Client()
    for n in range(4):
        response = sign_in(Client(), "warehouse", "wrong-pass-1", REMOTE_ADDR=f"10.0.0.{n + 1}",
                           HTTP_USER_AGENT=f"browser-{n}")
        assert response.status_code == 200
    fifth = sign_in(client, "warehouse", "wrong-pass-1", REMOTE_ADDR="10.0.0.99", HTTP_USER_AGENT="another")
    assert fifth.status_code == 429
    assert sign_in(Client(), "warehouse", PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 429
    assert locked_usernames(["warehouse"]) == {"warehouse"}
    # Another person behind the same address is not locked.
    assert sign_in(Client(), "finance", PASSWORD, REMOTE_ADDR="10.0.0.99").status_code == 302

    failed = AuditEvent.objects.filter(order=None, action="sign_in_failed", data__username="warehouse")
    assert failed.count() == 6  # the five wrong passwords and the refused attempt while locked
    assert all(PASSWORD not in str(e.data) and "wrong-pass-1" not in str(e.data) for e in failed)
    assert all(set(e.data) == {"username", "ip"} for e in failed)
    assert {e.data["ip"] for e in failed} == {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.99",
                                              "10.9.9.9"}
    assert AuditEvent.objects.filter(order=None, action="locked_out", data__username="warehouse").exists()


def test_an_administrator_unlocks_an_account_and_the_unlock_is_audited(users):
    for _ in range(5):
        sign_in(Client(), "logistics", "wrong-pass-1")
    assert sign_in(Client(), "logistics", PASSWORD).status_code == 429

    unlock(user_id=users["logistics"].pk, actor=Actor.of(users["admin"]))

    assert sign_in(Client(), "logistics", PASSWORD).status_code == 302
    event = AuditEvent.objects.get(order=None, action="user_unlocked")
    assert event.actor_username == "admin" and event.data["username"] == "logistics"
    assert event.data["was_locked"] is True


def test_unlocking_needs_the_right_to_manage_accounts(users):
    from oms.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        unlock(user_id=users["logistics"].pk, actor=Actor.of(users["operations"]))


def test_a_successful_sign_in_and_sign_out_are_audited(users):
    client = Client()
    sign_in(client, "finance", PASSWORD)
    client.post(reverse("web:logout"))
    actions = list(AuditEvent.objects.filter(order=None, actor_username="finance").values_list("action", flat=True))
    assert actions == ["signed_in", "signed_out"]


def test_an_idle_session_ends_after_the_timeout(users, settings):
    settings.OMS_IDLE_TIMEOUT_MINUTES = 30
    client = Client()
    sign_in(client, "finance", PASSWORD)
    assert client.get(reverse("web:order_list")).status_code == 200

    session = client.session
    session[LAST_ACTIVITY] = time.time() - 29 * 60
    session.save()
    assert client.get(reverse("web:order_list")).status_code == 200  # still active, and the clock restarts

    session = client.session
    session[LAST_ACTIVITY] = time.time() - 31 * 60
    session.save()
    response = client.get(reverse("web:order_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))
    login_page = client.get(response["Location"])
    assert "signed out after 30 minutes without activity" in login_page.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_deactivated_person_can_neither_sign_in_nor_use_a_token(users):
    token = token_for(username="customer_service")
    web = Client()
    sign_in(web, "customer_service", PASSWORD)
    set_active(user_id=users["customer_service"].pk, active=False, actor=Actor.of(users["admin"]))

    assert web.get(reverse("web:order_list")).status_code == 302  # the open session ends too
    assert sign_in(Client(), "customer_service", PASSWORD).status_code == 200  # the form refuses
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me").status_code == 401
    event = AuditEvent.objects.get(order=None, action="user_deactivated")
    assert event.changes == {"is_active": [True, False]} and event.data["username"] == "customer_service"


def test_accounts_are_never_deleted(users):
    from oms.core.no_delete import DeletionRefused

    with pytest.raises(DeletionRefused):
        users["finance"].delete()
    with pytest.raises(DeletionRefused):
        User.objects.filter(username="finance").delete()
    assert User.objects.filter(username="finance").exists()
