from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.core.no_delete import DeletionRefused


class AccountsAreNeverDeleted(DeletionRefused):
    code = "accounts_never_deleted"
    default_message = _("Accounts are never deleted; deactivate the account instead.")


class UserQuerySet(models.QuerySet):
    def delete(self):
        raise AccountsAreNeverDeleted()

    delete.queryset_only = True  # type: ignore[attr-defined]


class OmsUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A personal account of one named person; roles are the Django groups named in accounts.roles.

    Accounts are deactivated (is_active = False), never deleted: their audit history points at them.
    """

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    # Unique when given; integration clients (a channel's system) have none.
    employee_no = models.CharField(_("employee number"), max_length=32, blank=True)
    # The team the person works in (one of the staff roles); notices and escalations go to teams.
    team = models.CharField(_("team"), max_length=32, blank=True)
    # The team's supervisor (直属上级) receives escalations of the team's problem reports.
    is_supervisor = models.BooleanField(_("team supervisor"), default=False)

    all_channels = models.BooleanField(
        _("may act for every channel"),
        default=False,
        help_text=_("Integration clients: push orders for any channel instead of only the listed ones."),
    )
    channels = models.ManyToManyField("channels.Channel", blank=True, related_name="users", verbose_name=_("channels"))
    warehouses = models.ManyToManyField(
        "inventory.Warehouse", blank=True, related_name="staff", verbose_name=_("warehouses"),
        help_text=_("Warehouse work (stock, picking, packing) only in these warehouses; none means all."),
    )
    # Password policy (accounts/passwords.py): a change is forced at the next sign-in when set,
    # and when password_changed_at is older than OMS_PASSWORD_MAX_AGE_DAYS.
    must_change_password = models.BooleanField(_("must change password"), default=False)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    # TOTP second factor (accounts/totp.py): the secret Fernet-encrypted; confirmed once a code matched;
    # the last accepted time step, so that one code cannot be used twice.
    totp_secret = models.TextField(_("TOTP secret (encrypted)"), blank=True, default="")
    totp_confirmed_at = models.DateTimeField(_("second factor enrolled at"), null=True, blank=True)
    totp_last_step = models.BigIntegerField(default=0)

    objects = OmsUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("manage_users", _("Manage accounts and roles"))]
        constraints = [
            models.UniqueConstraint(fields=["employee_no"], condition=~models.Q(employee_no=""),
                                    name="user_employee_no_unique"),
        ]

    def delete(self, *args, **kwargs):
        raise AccountsAreNeverDeleted()

    @property
    def has_two_factor(self) -> bool:
        return self.totp_confirmed_at is not None and bool(self.totp_secret)

    def role_codes(self) -> tuple[str, ...]:
        from oms.accounts.roles import ROLE_ORDER

        if not hasattr(self, "_role_codes"):
            names = {g.name for g in self.groups.all()}
            self._role_codes = tuple(r for r in ROLE_ORDER if r in names)
        return self._role_codes

    def warehouse_scope(self) -> frozenset[int] | None:
        """Ids of the warehouses this person may work in; None when not limited."""
        if not hasattr(self, "_warehouse_scope"):
            ids = frozenset(self.warehouses.values_list("pk", flat=True))
            self._warehouse_scope = ids or None
        return self._warehouse_scope

    def may_act_for_channel(self, channel_id: int) -> bool:
        if self.all_channels:
            return True
        return self.channels.filter(pk=channel_id).exists()


class PasswordHistory(models.Model):
    """An earlier password hash of a person; the last OMS_PASSWORD_HISTORY may not be used again."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("earlier password")
        verbose_name_plural = _("earlier passwords")


class RolePolicy(models.Model):
    """Per role: whether its members must use a second factor (TOTP) to sign in."""

    role = models.CharField(_("role"), max_length=32, unique=True)
    totp_required = models.BooleanField(_("second factor required"), default=False)

    class Meta:
        ordering = ["role"]
        verbose_name = _("role policy")
        verbose_name_plural = _("role policies")
