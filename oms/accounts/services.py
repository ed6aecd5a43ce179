"""Account actions: personal accounts with their roles, and API tokens (back office: accounts/administration.py)."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from oms.accounts.models import User
from oms.accounts.roles import ADMIN, INTEGRATION, ROLE_ORDER
from oms.core.errors import Conflict, ValidationFailed


def check_roles(roles: list[str]) -> None:
    if not roles:
        raise ValidationFailed(_("Choose at least one role."), details={"roles": [_("This field is required.")]})
    unknown = [r for r in roles if r not in ROLE_ORDER]
    if unknown:
        raise ValidationFailed(
            _("Unknown role %(role)r; choose one of %(roles)s.") % {"role": unknown[0], "roles": ", ".join(ROLE_ORDER)},
            details={"role": unknown},
        )


def check_employee_no(employee_no: str, *, exclude_pk: int | None = None) -> None:
    if employee_no and User.objects.filter(employee_no=employee_no).exclude(pk=exclude_pk).exists():
        raise Conflict(_("Employee number %(no)s belongs to another account.") % {"no": employee_no},
                       details={"employee_no": [employee_no]})


@transaction.atomic
def create_user(
    *, username: str, role: str = "", roles: tuple[str, ...] | list[str] = (), password: str | None = None,
    email: str = "", full_name: str = "", employee_no: str = "", team: str = "", is_supervisor: bool = False,
    must_change_password: bool = True, warehouse_ids: tuple[int, ...] | list[int] = (),
    channel_ids: tuple[int, ...] | list[int] = (), actor=None,
) -> User:
    """Create a personal account holding one or more roles; its first password must be changed at sign-in.

    With an actor (the back office, `oms createuser`) the creation is audited; the demo data and the
    test fixtures create accounts without one.
    """
    from oms.accounts.actor import require
    from oms.accounts.passwords import set_password
    from oms.accounts.roles import MANAGE_USERS

    if actor is not None:
        require(actor, MANAGE_USERS)
    username = (username or "").strip()
    if not username:
        raise ValidationFailed(_("A username is required."), details={"username": [_("This field is required.")]})
    requested = [r for r in (role, *roles) if r]
    check_roles(requested)
    role_list = [r for r in ROLE_ORDER if r in requested]
    if User.objects.filter(username=username).exists():
        raise Conflict(_("User %(name)r already exists.") % {"name": username}, details={"username": [username]})
    employee_no = (employee_no or "").strip()
    check_employee_no(employee_no)
    user = User(
        # An integration client with channels listed acts for those only; none listed: every channel.
        username=username, email=email, is_staff=(ADMIN in role_list),
        all_channels=(INTEGRATION in role_list and not channel_ids),
        full_name=full_name.strip(), employee_no=employee_no, team=team, is_supervisor=is_supervisor,
    )
    if password:
        set_password(user, password, must_change=must_change_password)
    else:
        user.set_unusable_password()
    user.save()
    user.groups.add(*Group.objects.filter(name__in=role_list))
    if warehouse_ids:
        user.warehouses.set(warehouse_ids)
    if channel_ids:
        user.channels.set(channel_ids)
    if actor is not None:
        from oms.audit.services import record

        record(None, "user_created", actor=actor, data={
            "username": username, "roles": role_list, "full_name": user.full_name, "employee_no": employee_no,
            "team": team, "warehouses": sorted(user.warehouses.values_list("code", flat=True)),
            "channels": sorted(user.channels.values_list("code", flat=True)),
        })
    return user


def token_for(*, username: str) -> str:
    """Return the user's API token, creating it on first use."""
    try:
        user = User.objects.get(username=username)
    except User.DoesNotExist:
        message = _("No user named %(name)r.") % {"name": username}
        raise ValidationFailed(message, details={"username": [username]}) from None
    token, _created = Token.objects.get_or_create(user=user)
    return token.key


@transaction.atomic
def assign_warehouses(*, username: str, warehouse_codes: list[str], actor) -> list[str]:
    """Limit a person's warehouse work to these warehouses (none: all); the change is audited."""
    from oms.accounts.actor import require
    from oms.accounts.roles import MANAGE_USERS
    from oms.audit.services import record
    from oms.inventory.models import Warehouse

    require(actor, MANAGE_USERS)
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ValidationFailed(_("No user named %(name)r.") % {"name": username}, details={"username": [username]})
    warehouses = list(Warehouse.objects.filter(code__in=warehouse_codes))
    unknown = sorted(set(warehouse_codes) - {w.code for w in warehouses})
    if unknown:
        raise ValidationFailed(_("Unknown warehouse: %(codes)s.") % {"codes": ", ".join(unknown)},
                               details={"warehouses": unknown})
    before = sorted(user.warehouses.values_list("code", flat=True))
    user.warehouses.set(warehouses)
    after = sorted(w.code for w in warehouses)
    record(None, "user_warehouses_changed", actor=actor, changes={"warehouses": [before, after]},
           data={"username": username})
    return after
