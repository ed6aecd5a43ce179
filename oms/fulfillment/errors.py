from django.utils.translation import gettext_lazy as _

from oms.core.errors import Conflict, NotFound


class NotAllocatable(Conflict):
    code = "not_allocatable"
    default_message = _("Only approved orders waiting for shipment can be allocated to warehouses.")


class AlreadyAllocated(Conflict):
    code = "already_allocated"
    default_message = _("This order already has packages.")


class NoAllocation(Conflict):
    code = "no_allocation"
    default_message = _("No warehouse can ship this order now (see the details and the order's timeline).")


class PickListNotFound(NotFound):
    code = "pick_list_not_found"
    default_message = _("There is no pick list with this number.")


class PackageNotFound(NotFound):
    code = "package_not_found"
    default_message = _("There is no package with this number.")
