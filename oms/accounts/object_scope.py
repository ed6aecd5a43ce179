"""Scopes for routes that name one object (an order number, a package, a refund…).

Checked once for every page and API route, before the view runs (web/access.py and
accounts/permissions.py), so a new route that takes `order_no` is scoped without doing anything.
An object outside the caller's scopes answers like an unknown one for a read (404: guessing a
number does not reveal that it exists) and 403 `out_of_scope` for an action.

Integration clients are left to their services, which refuse other channels' orders with
`channel_not_allowed` (orders/cancellation.py, orders/completion.py, aftersales/requests.py).
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from oms.accounts.actor import Actor, OutOfScope, channel_scope, warehouse_scope
from oms.core.errors import NotFound

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class OutOfScopeNotFound(NotFound):
    default_message = _("Not found.")


def _orders(key: str):
    from oms.orders.models import Order
    from oms.orders.selectors import scoped_orders

    return Order.objects.filter(order_no=key), scoped_orders


def _packages(key: str):
    from oms.fulfillment.models import Package
    from oms.fulfillment.selectors import scoped_packages

    return Package.objects.filter(number=key), scoped_packages


def _pick_lists(key: str):
    from oms.fulfillment.models import PickList
    from oms.fulfillment.selectors import scoped_pick_lists

    return PickList.objects.filter(number=key), scoped_pick_lists


def _interceptions(key: str):
    from oms.fulfillment.interception_selectors import scoped_interceptions
    from oms.fulfillment.models import Interception

    if not key.isdigit():
        return Interception.objects.none(), scoped_interceptions
    return Interception.objects.filter(pk=int(key)), scoped_interceptions


def _handover_lists(key: str):
    from oms.shipping.handover_selectors import scoped_handover_lists
    from oms.shipping.models import HandoverList

    return HandoverList.objects.filter(number=key), scoped_handover_lists


def _refunds(key: str):
    from oms.payments.models import Refund
    from oms.payments.refund_selectors import scoped_refunds

    return Refund.objects.filter(number=key), scoped_refunds


def _after_sales(key: str):
    from oms.aftersales.models import AfterSalesRequest
    from oms.aftersales.selectors import scoped_requests

    return AfterSalesRequest.objects.filter(number=key), scoped_requests


def _return_parcels(key: str):
    from oms.aftersales.models import AfterSalesRequest
    from oms.aftersales.selectors import scoped_return_parcels

    return AfterSalesRequest.objects.filter(number=key), scoped_return_parcels


def _tickets(key: str):
    from oms.shipping.exception_selectors import scoped_tickets
    from oms.shipping.models import LogisticsException

    return LogisticsException.objects.filter(number=key), scoped_tickets


def _channels(key: str):
    from oms.accounts.actor import scope_q
    from oms.channels.models import Channel

    return Channel.objects.filter(code=key), lambda actor, qs: qs.filter(scope_q(actor, channel="id"))


def _optional_order_scope(actor, qs, *, warehouse: str | None = None):
    """Rows that may have no order (a system fault, a stock adjustment): those are everyone's;
    the others follow the order's channel (and the row's warehouse, when it names one)."""
    from django.db.models import Q

    # Not `Q(...) | scope_q(...)`: an empty Q (no limit) would drop out of the OR and leave only the first part.
    channels, warehouses = channel_scope(actor), warehouse_scope(actor)
    if channels is not None:
        qs = qs.filter(Q(order__isnull=True) | Q(order__channel_id__in=channels))
    if warehouse is not None and warehouses is not None:
        qs = qs.filter(Q(**{f"{warehouse}__isnull": True}) | Q(**{f"{warehouse}__in": warehouses}))
    return qs


def _change_requests(key: str):
    from oms.approvals.models import ChangeRequest

    return ChangeRequest.objects.filter(number=key), lambda actor, qs: _optional_order_scope(
        actor, qs, warehouse="warehouse_id")


def _problems(key: str):
    from oms.problems.models import ProblemReport

    return ProblemReport.objects.filter(number=key), _optional_order_scope


def _messages(key: str):
    from oms.notifications.models import Message

    if not key.isdigit():
        return Message.objects.none(), _optional_order_scope
    return Message.objects.filter(pk=int(key)), _optional_order_scope


Lookup = Callable[[str], tuple]


def _not_found(kind: str, key: str) -> NotFound:
    """The error the route answers for an unknown object of the kind, so that an object outside one's
    scopes cannot be told from one that does not exist (same code, message and details)."""
    from importlib import import_module

    error_of = {
        "order": ("oms.orders.errors.OrderNotFound", "order_no", str),
        "package": ("oms.fulfillment.errors.PackageNotFound", "packages", lambda k: [k]),
        "pick_list": ("oms.fulfillment.errors.PickListNotFound", "pick_list", str),
        "interception": ("oms.fulfillment.interception.InterceptionNotFound", "interception", int),
        "handover_list": ("oms.shipping.handover.HandoverListNotFound", "handover_list", str),
        "refund": ("oms.payments.refund_errors.RefundNotFound", "refund", str),
        "after_sales": ("oms.aftersales.errors.RequestNotFound", "number", str),
        "return_parcel": ("oms.aftersales.errors.RequestNotFound", "number", str),
        "logistics_exception": ("oms.shipping.exceptions.ExceptionNotFound", "number", str),
        "change_request": ("oms.approvals.errors.ChangeRequestNotFound", "number", str),
        "problem": ("oms.problems.errors.ProblemNotFound", "number", str),
        "message": ("oms.notifications.errors.MessageNotFound", "id", int),
        "channel": ("oms.payments.errors.ChannelNotFound", "channel", str),
    }
    if kind not in error_of:
        return OutOfScopeNotFound(details={kind: key})
    path, field, convert = error_of[kind]
    module, name = path.rsplit(".", 1)
    return getattr(import_module(module), name)(details={field: convert(key)})

KINDS: dict[str, Lookup] = {
    "order": _orders,
    "package": _packages,
    "pick_list": _pick_lists,
    "interception": _interceptions,
    "handover_list": _handover_lists,
    "refund": _refunds,
    "after_sales": _after_sales,
    "return_parcel": _return_parcels,
    "logistics_exception": _tickets,
    "change_request": _change_requests,
    "problem": _problems,
    "message": _messages,
    "channel": _channels,
}

# URL keyword → kind, wherever it appears.
KWARG_KINDS = {"order_no": "order", "interception_id": "interception", "package": "package",
               "message_id": "message", "channel": "channel"}  # channel: a channel's code (settlement, deadlines)

# `number` means a different object on each route family: (route prefix, kind); the first match wins.
NUMBER_KINDS = (
    ("api/v1/refunds/", "refund"),
    ("refunds/", "refund"),
    ("api/v1/after-sales/<str:number>/receive", "return_parcel"),  # the return warehouse's work
    ("api/v1/after-sales/", "after_sales"),
    ("after-sales/", "after_sales"),
    ("returns/receive/", "return_parcel"),
    ("api/v1/pick-lists/", "pick_list"),
    ("pick/", "pick_list"),
    ("api/v1/packages/", "package"),
    ("pack/", "package"),
    ("api/v1/handover-lists/", "handover_list"),
    ("handover/", "handover_list"),
    ("api/v1/logistics/exceptions/", "logistics_exception"),
    ("logistics/exceptions/", "logistics_exception"),
    ("api/v1/change-requests/", "change_request"),
    ("approvals/", "change_request"),
    ("api/v1/problems/", "problem"),
    ("problems/", "problem"),
)


def objects_named(route: str, kwargs: dict) -> list[tuple[str, str]]:
    """(kind, key) of each scoped object the route's keyword arguments name."""
    named = [(KWARG_KINDS[k], str(v)) for k, v in kwargs.items() if k in KWARG_KINDS]
    if "number" in kwargs:
        kind = next((kind for prefix, kind in NUMBER_KINDS if route.startswith(prefix)), None)
        if kind is not None:
            named.append((kind, str(kwargs["number"])))
    return named


def check_route(actor: Actor, *, route: str, kwargs: dict, method: str) -> None:
    """Raise NotFound (reads) or OutOfScope (actions) when the route names an object outside the actor's scopes."""
    named = objects_named(route, kwargs)
    if not named or actor.user is None or "integration" in actor.roles:
        return
    if channel_scope(actor) is None and warehouse_scope(actor) is None:
        return
    for kind, key in named:
        base, scoped = KINDS[kind](key)
        if scoped(actor, base).exists() or not base.exists():
            continue  # in scope, or unknown: the view answers 404 itself
        if method.upper() in READ_METHODS:
            raise _not_found(kind, key)
        raise OutOfScope(_("This is outside the warehouses or channels you work in."), details={kind: key})
