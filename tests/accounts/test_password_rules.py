"""The password policy's rules: pure validators (no database), then history and forced changes."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from oms.accounts.models import PasswordHistory, User
from oms.accounts.passwords import (
    LettersAndDigitsValidator,
    MinimumLengthValidator,
    NotUsernameValidator,
    change_due,
    generate_password,
    set_password,
)
from oms.accounts.services import create_user
from oms.core.errors import ValidationFailed


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def refuses(validator, password, user=None) -> bool:
    try:
        validator.validate(password, user)
    except ValidationError:
        return True
    return False


def test_a_password_shorter_than_the_minimum_is_refused(settings):
    settings.OMS_PASSWORD_MIN_LENGTH = 10
    assert refuses(MinimumLengthValidator(), "abc123def")
    assert not refuses(MinimumLengthValidator(), "abc123defg")


def test_a_password_needs_both_letters_and_digits():
    assert refuses(LettersAndDigitsValidator(), "onlyletterssss")
    assert refuses(LettersAndDigitsValidator(), "12345678901")
    assert not refuses(LettersAndDigitsValidator(), "letters2026")


def test_the_username_itself_is_not_a_password():
    person = SimpleNamespace(username="Zhang.Wei2026")
    assert refuses(NotUsernameValidator(), "zhangwei2026", person)
    assert not refuses(NotUsernameValidator(), "zhangwei2026-tea", person)


def test_the_configured_validators_refuse_a_common_password():
    with pytest.raises(ValidationError):
        validate_password("password123")


def test_generated_passwords_meet_the_policy():
    for _ in range(50):
        validate_password(generate_password())


def test_the_last_five_passwords_cannot_be_used_again(db, settings):
    settings.OMS_PASSWORD_HISTORY = 5
    user = create_user(username="mei", role="finance", password="first-pass-01")
    passwords = [f"next-pass-{n:02d}" for n in range(2, 6)]
    for password in passwords:
        set_password(user, password, must_change=False)
        user.save()
    # current: next-pass-05; earlier: first-pass-01 … next-pass-04 — the last five include all of them
    for old in ["first-pass-01", *passwords]:
        with pytest.raises(ValidationFailed, match="not used for your last 5"):
            set_password(user, old, must_change=False)
    set_password(user, "brand-new-06", must_change=False)
    user.save()
    # first-pass-01 is now the sixth from the top: allowed again
    set_password(user, "first-pass-01", must_change=False)
    assert PasswordHistory.objects.filter(user=user).count() <= 5


def test_setting_a_password_records_when_and_clears_the_forced_change(db):
    user = create_user(username="lei", role="finance", password="first-pass-01")
    assert user.must_change_password is True
    before = user.password_changed_at
    set_password(user, "second-pass-02", must_change=False)
    user.save()
    user.refresh_from_db()
    assert user.must_change_password is False and user.password_changed_at >= before
    assert PasswordHistory.objects.filter(user=user).count() == 1


def test_a_change_is_due_at_first_sign_in_and_after_the_maximum_age(db, settings):
    settings.OMS_PASSWORD_MAX_AGE_DAYS = 90
    new = create_user(username="new", role="finance", password="first-pass-01")
    assert change_due(new)
    old = create_user(username="old", role="finance", password="first-pass-01", must_change_password=False)
    assert not change_due(old)
    assert change_due(old, now=timezone.now() + timedelta(days=91))
    settings.OMS_PASSWORD_MAX_AGE_DAYS = 0
    assert not change_due(old, now=timezone.now() + timedelta(days=1000))


def test_an_api_only_account_is_never_asked_to_change_a_password(db):
    shop = create_user(username="shop", role="integration")
    assert not shop.has_usable_password() and not change_due(shop)


def test_a_password_against_the_policy_is_refused_when_creating_an_account(db):
    with pytest.raises(ValidationFailed):
        create_user(username="short", role="finance", password="abc1")
    assert not User.objects.filter(username="short").exists()
