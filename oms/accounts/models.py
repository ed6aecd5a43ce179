from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("manage_users", _("Manage accounts and roles"))]
        constraints = [
            models.UniqueConstraint(fields=["employee_no"], condition=~models.Q(employee_no=""),
                                    name="user_employee_no_unique"),
        ]

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
