"""The password policy (manual §3.1): validators, history of earlier passwords, forced changes.

The validators are listed in settings.AUTH_PASSWORD_VALIDATORS, so Django's forms use them too;
`set_password` below is the only way our services set a password, and it keeps the history.
"""

from __future__ import annotations

import secrets
import string
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.core.errors import ValidationFailed


class MinimumLengthValidator:
    """At least OMS_PASSWORD_MIN_LENGTH characters (read at check time, so tests and operators can change it)."""

    def validate(self, password, user=None):
        if len(password) < settings.OMS_PASSWORD_MIN_LENGTH:
            raise ValidationError(self.get_help_text(), code="password_too_short")

    def get_help_text(self):
        return _("Use at least %(n)d characters.") % {"n": settings.OMS_PASSWORD_MIN_LENGTH}


class LettersAndDigitsValidator:
    """Letters and digits both (the character rule)."""

    def validate(self, password, user=None):
        if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
            raise ValidationError(self.get_help_text(), code="password_needs_letters_and_digits")

    def get_help_text(self):
        return _("Use both letters and digits.")


def _letters_and_digits(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


class NotUsernameValidator:
    """Not the username itself (ignoring case and punctuation)."""

    def validate(self, password, user=None):
        username = getattr(user, "username", "") or ""
        if username and _letters_and_digits(password) == _letters_and_digits(username):
            raise ValidationError(self.get_help_text(), code="password_is_username")

    def get_help_text(self):
        return _("Do not use your username as the password.")


def reused(user, password: str) -> bool:
    """True if the password is the current one or one of the last OMS_PASSWORD_HISTORY (minus one) before it."""
    keep = settings.OMS_PASSWORD_HISTORY
    if keep <= 0 or user.pk is None:
        return False
    if user.has_usable_password() and user.check_password(password):
        return True
    # The current password counts as one of the last N.
    earlier = user.password_history.values_list("password", flat=True)[: max(0, keep - 1)]
    return any(check_password(password, encoded) for encoded in earlier)


def check_policy(user, password: str) -> None:
    """Raise ValidationFailed when the password breaks the policy or was used recently."""
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), details={"password": list(exc.messages)}) from None
    if reused(user, password):
        message = _("Choose a password you have not used for your last %(n)d passwords.") % {
            "n": settings.OMS_PASSWORD_HISTORY}
        raise ValidationFailed(message, details={"password": [message]})


def set_password(user, password: str, *, must_change: bool) -> None:
    """Check the policy, keep the old hash in the history, set the new one (the caller saves the user)."""
    from oms.accounts.models import PasswordHistory

    check_policy(user, password)
    if user.pk is not None and user.has_usable_password():
        PasswordHistory.objects.create(user=user, password=user.password)
        keep = max(settings.OMS_PASSWORD_HISTORY, 1)
        old_ids = list(user.password_history.values_list("pk", flat=True)[keep:])
        if old_ids:
            PasswordHistory.objects.filter(pk__in=old_ids).delete()
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.must_change_password = must_change


def change_due(user, *, now=None) -> bool:
    """True when the person must choose a new password before doing anything else."""
    if not user.has_usable_password():
        return False
    if user.must_change_password:
        return True
    days = settings.OMS_PASSWORD_MAX_AGE_DAYS
    if days <= 0 or user.password_changed_at is None:
        return False
    return (now or timezone.now()) - user.password_changed_at > timedelta(days=days)


def generate_password(length: int = 16) -> str:
    """A random password that meets the character rule (letters and digits)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(max(length, settings.OMS_PASSWORD_MIN_LENGTH)))
        if any(c.isalpha() for c in candidate) and any(c.isdigit() for c in candidate):
            return candidate
