"""Template context for every page: the navigation the user's permissions allow, and who they are."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oms.accounts.roles import (
    CHANGE_MESSAGE_TEMPLATES,
    CHECK_ENTRIES,
    ENTER_ORDERS,
    HAND_OVER,
    HANDLE_LOGISTICS_EXCEPTIONS,
    HANDLE_PROBLEMS,
    IMPORT_ORDERS,
    MANAGE_CARRIERS,
    MANAGE_CATALOGUE,
    MANAGE_USERS,
    PACK_ORDERS,
    PICK_ORDERS,
    RECEIVE_RETURNS,
    RECORD_STOCK_CHOICE,
    REQUEST_CHANGES,
    RESOLVE_INTERCEPTIONS,
    REVIEW_AFTER_SALES,
    REVIEW_ORDERS,
    SETTLE_ORDERS,
    VIEW_ARCHIVE,
    VIEW_MESSAGES,
    VIEW_ORDERS,
    VIEW_REFUNDS,
    VIEW_STOCK,
)
from oms.inbox.selectors import unread_count
from oms.orders.models import Order
from oms.orders.status import OrderStatus
from oms.web.access import AUTHENTICATED
from oms.web.labels import role_labels

# (url name in the web namespace or an absolute path, label, permission, url names that mark it active)
NAV_ITEMS = [
    ("web:order_list", _("Orders"), VIEW_ORDERS, {"order_list", "order_detail"}),
    ("web:order_new", _("New order"), ENTER_ORDERS, {"order_new", "order_edit"}),
    ("web:draft_list", _("Entry check"), CHECK_ENTRIES, {"draft_list"}),
    ("web:order_import", _("Import"), IMPORT_ORDERS, {"order_import"}),
    ("web:review_queue", _("Review"), REVIEW_ORDERS, {"review_queue", "review_rules", "review_coupons",
                                                      "review_blocklist"}),
    ("web:stock_shortages", _("Out of stock"), RECORD_STOCK_CHOICE, {"stock_shortages"}),
    ("web:after_sales_queue", _("After-sales"), REVIEW_AFTER_SALES, {"after_sales_queue", "after_sales_request",
                                                                     "after_sales_new"}),
    ("web:archive", _("Archive"), VIEW_ARCHIVE, {"archive"}),
    ("web:message_list", _("Messages"), VIEW_MESSAGES, {"message_list"}),
    ("web:message_templates", _("Message templates"), CHANGE_MESSAGE_TEMPLATES,
     {"message_templates", "message_template_edit"}),
    ("web:pick_lists", _("Picking"), PICK_ORDERS, {"pick_lists", "pick_scan"}),
    ("web:pack_start", _("Packing"), PACK_ORDERS, {"pack_start", "pack_package"}),
    ("web:handover_lists", _("Hand-over"), HAND_OVER, {"handover_lists", "handover_detail"}),
    ("web:returns_receive", _("Returns"), RECEIVE_RETURNS, {"returns_receive", "returns_inspect"}),
    ("web:interceptions", _("Interceptions"), RESOLVE_INTERCEPTIONS, {"interceptions"}),
    ("web:logistics_queue", _("Logistics exceptions"), HANDLE_LOGISTICS_EXCEPTIONS,
     {"logistics_queue", "logistics_ticket"}),
    ("web:carrier_list", _("Carriers"), MANAGE_CARRIERS, {"carrier_list", "carrier_new", "carrier_edit", "rate_card",
                                                         "carrier_rules", "carrier_rule_new", "carrier_rule_edit"}),
    ("web:stock_levels", _("Stock"), VIEW_STOCK, {"stock_levels", "stock_movements", "stock_receive", "stock_adjust"}),
    ("web:sku_list", _("SKUs"), VIEW_STOCK, {"sku_list", "sku_new", "sku_edit", "sku_import", "sku_mappings"}),
    ("web:warehouse_list", _("Warehouses"), MANAGE_CATALOGUE, {"warehouse_list", "warehouse_new", "warehouse_edit"}),
    ("web:refund_queue", _("Refunds"), VIEW_REFUNDS, {"refund_queue", "refund_detail", "refund_raise"}),
    # Every role that approves changes may also request them (roles.py), so one permission covers both.
    ("web:approval_queue", _("Approvals"), REQUEST_CHANGES, {"approval_queue", "approval_detail", "approval_new"}),
    ("web:settlement", _("Settlement"), SETTLE_ORDERS, {"settlement", "settlement_day"}),
    ("web:unpaid_timeouts", _("Unpaid timeouts"), "channels.change_channel", {"unpaid_timeouts"}),
    ("web:timeliness_index", _("Timeliness"), VIEW_ORDERS, {"timeliness_index", "timeliness", "timeliness_deadlines",
                                                            "timeliness_calendar"}),
    ("web:account_list", _("Accounts"), MANAGE_USERS, {"account_list", "account_new", "account_edit",
                                                        "two_factor_policy"}),
    ("web:security_log", _("Security log"), "audit.view_auditevent", {"security_log"}),
    ("web:problem_queue", _("Problems"), HANDLE_PROBLEMS, {"problem_queue", "problem_detail", "problem_new",
                                                          "problem_rules", "problem_review"}),
    ("web:inbox", _("Inbox"), AUTHENTICATED, {"inbox"}),
]


def held_label(label) -> str:
    """The review entry with the number of orders on hold, such as "Review (12)"."""
    held = Order.objects.filter(status=OrderStatus.ON_HOLD).count()
    return f"{label} ({held})" if held else str(label)


def nav_items(user, current: str = "") -> list[dict]:
    items = []
    for target, label, perm, active_names in NAV_ITEMS:
        if perm != AUTHENTICATED and not user.has_perm(perm):
            continue
        url = target if target.startswith("/") else reverse(target)
        if target == "web:review_queue":
            label = held_label(label)
        elif target == "web:problem_queue":
            from oms.problems.selectors import team_open_count

            open_count = team_open_count(user)
            label = f"{label} ({open_count})" if open_count else str(label)
        elif target == "web:inbox":
            unread = unread_count(user)
            label = f"{label} ({unread})" if unread else str(label)
        items.append({"url": url, "label": label, "active": current in active_names, "key": target})
    return items


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match is not None and match.namespace == "web" else ""
    return {
        "nav_items": nav_items(user, current),
        "user_role_labels": role_labels(user.role_codes()) if hasattr(user, "role_codes") else "",
    }
