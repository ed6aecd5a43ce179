"""`oms exceptions sweep`: evaluate the exception rules for every parcel on the road now."""

from __future__ import annotations

from django.utils.translation import gettext as _


def run_exceptions_command(args) -> int:
    from oms.shipping.exceptions import sweep

    result = sweep()
    print(_("%(n)s logistics exception tickets opened.") % {"n": result.opened})
    return 0
