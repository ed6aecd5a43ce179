"""The TOTP second factor: enrolment with a QR code and one code, the two-step sign-in, wrong codes
counted as failures, mandatory per role, and the administrator's reset."""

import time

import pyotp
import pytest
from django.test import Client
from django.urls import reverse

from oms.accounts import totp
from oms.accounts.actor import Actor
from oms.accounts.administration import reset_two_factor, set_role_policy
from oms.accounts.models import User
from oms.audit.models import AuditEvent
from oms.web.views.accounts import ENROL_SECRET
from tests.conftest import PASSWORD

TWO_FACTOR = "/account/two-factor/"


@pytest.fixture(autouse=True)
def _english_and_axes(settings):
    settings.LANGUAGE_CODE = "en"
    settings.AXES_ENABLED = True


def sign_in(client, username, password=PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def enrol(client) -> str:
    """Enrol the signed-in person; returns the secret their app would hold."""
    page = client.get(TWO_FACTOR)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'src="data:image/svg+xml' in body
    secret = client.session[ENROL_SECRET]
    assert secret in body
    done = client.post(TWO_FACTOR, {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302
    return secret


def next_code(secret: str) -> str:
    # The enrolment used this step's code; one code is never accepted twice, so sign in with the next one.
    return pyotp.TOTP(secret).at(time.time() + totp.STEP)


def test_enrolment_stores_the_secret_encrypted_and_is_audited(users):
    client = Client()
    sign_in(client, "finance")
    secret = enrol(client)
    user = User.objects.get(username="finance")
    assert user.has_two_factor
    assert secret not in user.totp_secret and totp.decrypt(user.totp_secret) == secret
    assert AuditEvent.objects.filter(order=None, action="two_factor_enrolled", data__username="finance").exists()


def test_a_wrong_code_does_not_enrol(users):
    client = Client()
    sign_in(client, "finance")
    client.get(TWO_FACTOR)
    response = client.post(TWO_FACTOR, {"code": "000000"})
    assert response.status_code == 400
    assert not User.objects.get(username="finance").has_two_factor


def test_sign_in_asks_for_the_code_after_the_password_and_signs_in_only_with_it(users):
    enrolling = Client()
    sign_in(enrolling, "finance")
    secret = enrol(enrolling)

    client = Client()
    step_one = sign_in(client, "finance")
    assert step_one.status_code == 302 and step_one["Location"] == reverse("web:login_code")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("web:order_list")).status_code == 302  # still signed out

    wrong = client.post(reverse("web:login_code"), {"code": "123456"})
    assert wrong.status_code == 400 and "That code is not right." in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(order=None, action="sign_in_failed", data__username="finance").count() == 1

    right = client.post(reverse("web:login_code"), {"code": next_code(secret)})
    assert right.status_code == 302 and right["Location"] == reverse("web:order_list")
    assert client.get(reverse("web:order_list")).status_code == 200

    replay = Client()
    sign_in(replay, "finance")
    assert replay.post(reverse("web:login_code"), {"code": next_code(secret)}).status_code == 400


def test_wrong_codes_lock_the_account_like_wrong_passwords(users):
    enrolling = Client()
    sign_in(enrolling, "finance")
    enrol(enrolling)

    client = Client()
    sign_in(client, "finance")
    for _ in range(4):
        assert client.post(reverse("web:login_code"), {"code": "000000"}).status_code == 400
    assert client.post(reverse("web:login_code"), {"code": "000000"}).status_code == 429
    assert sign_in(Client(), "finance").status_code == 429


def test_a_role_can_require_a_second_factor_and_its_members_enrol_before_anything_else(users):
    set_role_policy(required_roles=["finance"], actor=Actor.of(users["admin"]))
    client = Client()
    sign_in(client, "finance")
    page = client.get(reverse("web:order_list"))
    assert page.status_code == 302 and page["Location"] == reverse("web:two_factor")
    assert client.get(TWO_FACTOR).status_code == 200

    secret = enrol(client)
    assert client.get(reverse("web:order_list")).status_code == 200
    # turning it off is refused while the role requires it
    client.post(TWO_FACTOR, {"action": "disable"})
    assert User.objects.get(username="finance").has_two_factor
    # and from now on sign-in asks for the code
    again = Client()
    assert sign_in(again, "finance")["Location"] == reverse("web:login_code")
    assert again.post(reverse("web:login_code"), {"code": next_code(secret)}).status_code == 302
    # other roles are not asked
    other = Client()
    sign_in(other, "warehouse")
    assert other.get(reverse("web:order_list")).status_code == 200
    assert AuditEvent.objects.get(order=None, action="role_policy_changed").changes == {
        "totp_required_roles": [[], ["finance"]]}


def test_an_administrator_resets_a_lost_second_factor_and_the_reset_is_audited(users):
    client = Client()
    sign_in(client, "finance")
    enrol(client)
    reset_two_factor(user_id=users["finance"].pk, actor=Actor.of(users["admin"]))
    user = User.objects.get(username="finance")
    assert not user.has_two_factor and user.totp_secret == ""
    assert sign_in(Client(), "finance")["Location"] == reverse("web:order_list")
    event = AuditEvent.objects.get(order=None, action="two_factor_reset")
    assert event.actor_username == "admin" and event.data == {"username": "finance"}


def test_a_person_may_turn_an_optional_second_factor_off_with_a_current_code(users):
    client = Client()
    sign_in(client, "finance")
    secret = enrol(client)
    # The open session alone is not enough (an unlocked screen): a code is needed.
    client.post(TWO_FACTOR, {"action": "disable"})
    client.post(TWO_FACTOR, {"action": "disable", "code": "000000"})
    assert User.objects.get(username="finance").has_two_factor
    client.post(TWO_FACTOR, {"action": "disable", "code": next_code(secret)})
    assert not User.objects.get(username="finance").has_two_factor
    assert AuditEvent.objects.filter(order=None, action="two_factor_disabled").count() == 1


def test_the_admin_site_login_cannot_skip_the_code(users):
    enrolling = Client()
    sign_in(enrolling, "admin")
    enrol(enrolling)

    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("web:account_list")).status_code == 302
    # Going to the admin site signed out ends on our sign-in page, which asks for the code.
    assert client.get("/admin/", follow=True).redirect_chain[-1][0].startswith(reverse("web:login"))


def test_the_admin_site_password_change_leads_to_ours_which_keeps_the_history(users):
    client = Client()
    client.force_login(users["admin"])
    response = client.post("/admin/password_change/", {
        "old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("web:password_change")
