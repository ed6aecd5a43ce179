"""Back-office account actions: edit, deactivate, passwords, unlock, second factor, role policies.

Each action takes an explicit actor, runs in one transaction with the account row locked, and
records one audit event (order None) with old → new values.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.accounts.actor import Actor, require
from oms.accounts.models import RolePolicy, User
from oms.accounts.roles import ADMIN, INTEGRATION, MANAGE_USERS, ROLE_ORDER
from oms.accounts.services import check_employee_no, check_roles
from oms.audit.services import record
from oms.core.errors import BusinessRuleViolation, NotFound, ValidationFailed


def _locked_user(user_id: int) -> User:
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("No such account."), details={"user_id": user_id})
    return user


def _codes(qs) -> list[str]:
    return sorted(qs.values_list("code", flat=True))


def _refuse_losing_the_last_administrator(user: User, *, actor: Actor) -> None:
    """Nobody takes away their own administrator role, and the last active administrator stays one:
    otherwise no one could manage accounts any more (short of the command line)."""
    if actor.user_id == user.pk:
        raise BusinessRuleViolation(_("You cannot take away your own administrator role."),
                                    details={"roles": [ADMIN]})
    others = User.objects.filter(is_active=True, groups__name=ADMIN).exclude(pk=user.pk)
    if not others.exists():
        raise BusinessRuleViolation(_("This is the last active administrator; make someone else one first."),
                                    details={"roles": [ADMIN]})


@transaction.atomic
def update_account(
    *, user_id: int, actor: Actor, full_name: str, employee_no: str, team: str, is_supervisor: bool, email: str,
    roles: list[str], warehouse_ids: list[int], channel_ids: list[int],
) -> dict:
    """Change a person's details, roles and scopes; returns the audited changes."""
    from oms.channels.models import Channel
    from oms.inventory.models import Warehouse

    require(actor, MANAGE_USERS)
    check_roles(roles)
    user = _locked_user(user_id)
    employee_no = (employee_no or "").strip()
    check_employee_no(employee_no, exclude_pk=user.pk)
    role_list = [r for r in ROLE_ORDER if r in roles]
    warehouses = list(Warehouse.objects.filter(pk__in=warehouse_ids))
    channels = list(Channel.objects.filter(pk__in=channel_ids))
    before = {
        "full_name": user.full_name, "employee_no": user.employee_no, "team": user.team,
        "is_supervisor": user.is_supervisor, "email": user.email,
        "roles": [r for r in ROLE_ORDER if r in set(user.groups.values_list("name", flat=True))],
        "warehouses": _codes(user.warehouses), "channels": _codes(user.channels), "all_channels": user.all_channels,
    }
    after = {
        "full_name": full_name.strip(), "employee_no": employee_no, "team": team, "is_supervisor": is_supervisor,
        "email": email.strip(), "roles": role_list,
        "warehouses": sorted(w.code for w in warehouses), "channels": sorted(c.code for c in channels),
        # Like create_user: an integration client acts for its listed channels only, or for all when none is
        # listed (the form's "none: every channel"), so saving the form never widens a limited client.
        "all_channels": INTEGRATION in role_list and not channels,
    }
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if not changes:
        return {}
    if ADMIN in before["roles"] and ADMIN not in role_list and user.is_active:
        _refuse_losing_the_last_administrator(user, actor=actor)
    for field in ("full_name", "employee_no", "team", "is_supervisor", "email", "all_channels"):
        setattr(user, field, after[field])
    user.is_staff = ADMIN in role_list
    user.save()
    user.groups.set(Group.objects.filter(name__in=role_list))
    user.warehouses.set(warehouses)
    user.channels.set(channels)
    record(None, "user_changed", actor=actor, changes=changes, data={"username": user.username})
    return changes


@transaction.atomic
def set_active(*, user_id: int, active: bool, actor: Actor) -> User:
    """Deactivate (never delete) or reactivate an account; a deactivated person can neither sign in nor use a token."""
    require(actor, MANAGE_USERS)
    user = _locked_user(user_id)
    if actor.user_id == user.pk and not active:
        raise BusinessRuleViolation(_("You cannot deactivate your own account."))
    if not active and user.is_active and user.groups.filter(name=ADMIN).exists():
        _refuse_losing_the_last_administrator(user, actor=actor)
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    record(None, "user_reactivated" if active else "user_deactivated", actor=actor,
           changes={"is_active": [not active, active]}, data={"username": user.username})
    return user


@transaction.atomic
def reset_password(*, user_id: int, password: str, actor: Actor) -> User:
    """Give a person a new initial password that they must change at their next sign-in."""
    from oms.accounts.passwords import set_password

    require(actor, MANAGE_USERS)
    user = _locked_user(user_id)
    set_password(user, password, must_change=True)
    user.save()
    record(None, "password_reset", actor=actor, data={"username": user.username})
    return user


@transaction.atomic
def change_own_password(*, user_id: int, old_password: str, new_password: str) -> User:
    """The signed-in person changes their own password (the old one is checked)."""
    from oms.accounts.passwords import set_password

    user = _locked_user(user_id)
    if not user.check_password(old_password):
        raise ValidationFailed(_("The current password is not right."),
                               details={"old_password": [_("The current password is not right.")]})
    set_password(user, new_password, must_change=False)
    user.save()
    record(None, "password_changed", actor=Actor.of(user), data={"username": user.username})
    return user


def lockout_window():
    return timezone.now() - timedelta(hours=float(settings.AXES_COOLOFF_TIME))


def locked_usernames(usernames=None) -> set[str]:
    """Usernames locked by too many failed sign-ins within the cool-off time."""
    from axes.models import AccessAttempt
    from django.db.models import Sum

    # Axes keeps one row per username, address and browser; a username's failures are their sum.
    qs = AccessAttempt.objects.filter(attempt_time__gte=lockout_window())
    if usernames is not None:
        qs = qs.filter(username__in=list(usernames))
    totals = qs.values("username").annotate(total=Sum("failures_since_start"))
    return {row["username"] for row in totals if row["total"] >= settings.AXES_FAILURE_LIMIT}


@transaction.atomic
def unlock(*, user_id: int, actor: Actor) -> int:
    """Clear a person's failed sign-ins (django-axes), so they may try again at once."""
    from axes.utils import reset

    require(actor, MANAGE_USERS)
    user = _locked_user(user_id)
    was_locked = bool(locked_usernames([user.username]))
    removed = reset(username=user.username)
    record(None, "user_unlocked", actor=actor, data={"username": user.username, "was_locked": was_locked,
                                                     "attempts_cleared": removed})
    return removed


def totp_required(user) -> bool:
    """True when one of the person's roles must use a second factor."""
    return RolePolicy.objects.filter(role__in=user.role_codes(), totp_required=True).exists()


@transaction.atomic
def reset_two_factor(*, user_id: int, actor: Actor) -> User:
    """Remove a person's second factor (a lost phone); a role that requires one makes them enrol again."""
    require(actor, MANAGE_USERS)
    user = _locked_user(user_id)
    had = user.has_two_factor
    user.totp_secret, user.totp_confirmed_at, user.totp_last_step = "", None, 0
    user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
    record(None, "two_factor_reset", actor=actor, changes={"two_factor": [had, False]},
           data={"username": user.username})
    return user


@transaction.atomic
def enrol_two_factor(*, user_id: int, secret: str, code: str) -> User:
    """Confirm enrolment with the first code from the person's app; the secret is stored encrypted."""
    from oms.accounts import totp

    user = _locked_user(user_id)
    step = totp.matching_step(secret, code)
    if step is None:
        raise ValidationFailed(_("That code is not right. Check the time on your phone and try again."),
                               details={"code": [_("Wrong code.")]})
    user.totp_secret = totp.encrypt(secret)
    user.totp_confirmed_at = timezone.now()
    user.totp_last_step = step
    user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
    record(None, "two_factor_enrolled", actor=Actor.of(user), data={"username": user.username})
    return user


@transaction.atomic
def disable_own_two_factor(*, user_id: int, code: str) -> User:
    """The person turns their second factor off with a current code, unless one of their roles requires it."""
    from oms.accounts import totp

    user = _locked_user(user_id)
    if totp_required(user):
        raise BusinessRuleViolation(_("Your role requires a second factor; it cannot be turned off."))
    # A code, not just the open session: someone at an unlocked screen must not be able to remove it.
    secret = totp.decrypt(user.totp_secret) if user.totp_secret else None
    if secret is None or totp.matching_step(secret, code, last_step=user.totp_last_step) is None:
        raise ValidationFailed(_("That code is not right."), details={"code": [_("Wrong code.")]})
    user.totp_secret, user.totp_confirmed_at, user.totp_last_step = "", None, 0
    user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
    record(None, "two_factor_disabled", actor=Actor.of(user), data={"username": user.username})
    return user


@transaction.atomic
def check_second_factor(*, user_id: int, code: str) -> bool:
    """True when the code is right and newer than the last one used; the step is remembered (no replay)."""
    from oms.accounts import totp

    user = _locked_user(user_id)
    secret = totp.decrypt(user.totp_secret) if user.totp_secret else None
    if secret is None:
        return False
    step = totp.matching_step(secret, code, last_step=user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    user.save(update_fields=["totp_last_step"])
    return True


@transaction.atomic
def set_role_policy(*, required_roles: list[str], actor: Actor) -> dict:
    """Set which roles must use a second factor; returns the audited changes."""
    require(actor, MANAGE_USERS)
    if any(r not in ROLE_ORDER for r in required_roles):
        check_roles(required_roles)
    before = sorted(RolePolicy.objects.select_for_update().filter(totp_required=True).values_list("role", flat=True))
    after = sorted(set(required_roles))
    if before == after:
        return {}
    for role in ROLE_ORDER:
        RolePolicy.objects.update_or_create(role=role, defaults={"totp_required": role in after})
    changes = {"totp_required_roles": [before, after]}
    record(None, "role_policy_changed", actor=actor, changes=changes)
    return changes
