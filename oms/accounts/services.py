"""Account actions: personal accounts with one role each, and API tokens."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from oms.accounts.models import User
from oms.accounts.roles import ADMIN, INTEGRATION, ROLE_ORDER
from oms.core.errors import Conflict, ValidationFailed


@transaction.atomic
def create_user(*, username: str, role: str, password: str | None = None, email: str = "") -> User:
    """Create a personal account holding one role."""
    username = (username or "").strip()
    if not username:
        raise ValidationFailed(_("A username is required."), details={"username": [_("This field is required.")]})
    if role not in ROLE_ORDER:
        raise ValidationFailed(
            _("Unknown role %(role)r; choose one of %(roles)s.") % {"role": role, "roles": ", ".join(ROLE_ORDER)},
            details={"role": [role]},
        )
    if User.objects.filter(username=username).exists():
        raise Conflict(_("User %(name)r already exists.") % {"name": username}, details={"username": [username]})
    user = User(username=username, email=email, is_staff=(role == ADMIN), all_channels=(role == INTEGRATION))
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=role))
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
