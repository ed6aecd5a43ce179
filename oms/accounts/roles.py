"""The roles of DESIGN.md as Django groups with explicit permissions (least privilege)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

CUSTOMER_SERVICE = "customer_service"
WAREHOUSE = "warehouse"
LOGISTICS = "logistics"
FINANCE = "finance"
OPERATIONS = "operations"
ADMIN = "admin"
INTEGRATION = "integration"

ROLE_ORDER = (CUSTOMER_SERVICE, WAREHOUSE, LOGISTICS, FINANCE, OPERATIONS, ADMIN, INTEGRATION)

SYSTEM = "system"  # the actor of automatic actions (review by the worker, periodic jobs)

ROLE_LABELS = {
    SYSTEM: _("System"),
    CUSTOMER_SERVICE: _("Customer service"),
    WAREHOUSE: pgettext_lazy("role", "Warehouse"),
    LOGISTICS: _("Logistics"),
    FINANCE: _("Finance"),
    OPERATIONS: _("Operations"),
    ADMIN: _("Administrator"),
    INTEGRATION: _("Integration client"),
}

VIEW_ORDERS = "orders.view_order"
PUSH_ORDERS = "orders.push_order"
IMPORT_ORDERS = "orders.import_orders"
ENTER_ORDERS = "orders.enter_order"
CHECK_ENTRIES = "orders.check_entry"
VIEW_CHANNELS = "channels.view_channel"
MANAGE_USERS = "accounts.manage_users"
# review (orders) — see orders/review/
REVIEW_ORDERS = "orders.review_order"  # re-run review, correct, swap SKU, cancel held orders
OVERRIDE_REVIEW = "orders.override_review"  # approve an order despite failed checks
RECORD_PAYMENT = "orders.record_payment"
CANCEL_ORDERS = "orders.cancel_order"  # cancellation before shipment (integration: buyer_request only)
MANAGE_REVIEW_RULES = "orders.manage_review_rules"  # rules, coupons, block list
# stock — see inventory/
VIEW_STOCK = "inventory.view_stocklevel"
RECEIVE_STOCK = "inventory.receive_stock"
ADJUST_STOCK = "inventory.adjust_stock"
MANAGE_CATALOGUE = "inventory.change_sku"  # SKUs, warehouses, bins, platform SKU mappings
# fulfilment — see fulfillment/
ALLOCATE_ORDERS = "fulfillment.allocate_order"  # run allocation again by hand
PICK_ORDERS = "fulfillment.pick_orders"  # create pick lists (waves) and pick
PACK_ORDERS = "fulfillment.pack_orders"  # re-check, pack, print labels
SPLIT_PACKAGES = "fulfillment.split_package"  # split a package into several by hand (§2.6.4 订单拆分)
# shipping — see shipping/
HAND_OVER = "shipping.hand_over"  # hand-over lists (交接单), tracking numbers, shipping
MANAGE_CARRIERS = "shipping.manage_carriers"  # carriers, rate cards, carrier rules
HANDLE_LOGISTICS_EXCEPTIONS = "shipping.handle_logistics_exceptions"  # the exception queue and its actions
# completion, settlement, archive — see orders/ and payments/
CONFIRM_RECEIPT = "orders.confirm_receipt"
SETTLE_ORDERS = "orders.settle_orders"
VIEW_ARCHIVE = "orders.view_archive"
# after-sales — see aftersales/, payments/ (refunds), fulfillment/interception.py, orders/changes.py
CHANGE_BEFORE_SHIPMENT = "orders.change_before_shipment"  # address/phone/line changes before shipment
RECORD_STOCK_CHOICE = "orders.record_stock_choice"  # the buyer's choice when stock is short
RESOLVE_INTERCEPTIONS = "fulfillment.resolve_interception"  # warehouse confirms or refuses an interception
REQUEST_AFTER_SALES = "aftersales.request_after_sales"  # open returns, refund-only requests, exchanges
REVIEW_AFTER_SALES = "aftersales.review_after_sales"  # approve or reject them per the return policy
OVERRIDE_AFTER_SALES = "aftersales.override_after_sales"  # approve outside the rules (supervisor)
RECEIVE_RETURNS = "aftersales.receive_returns"  # receive and inspect returned parcels
VERIFY_REFUNDS = "payments.verify_refund"  # CS verifies a refund's cause and amount
APPROVE_REFUNDS = "payments.approve_refund"  # finance approves and executes
VIEW_REFUNDS = "payments.view_refund"
# messages to buyers — see notifications/
VIEW_MESSAGES = "notifications.view_message"
RESEND_MESSAGES = "notifications.resend_message"
CHANGE_MESSAGE_TEMPLATES = "notifications.change_messagetemplate"  # templates and language per channel
# accounts, audit, privacy — see accounts/, audit/, orders/personal_data.py
VIEW_AUDIT_LOG = "audit.view_auditevent"  # the security audit log (sign-ins, lockouts, permission changes, reveals)
REVEAL_PERSONAL_DATA = "orders.reveal_personal_data"  # show a full phone number or address (each reveal audited)
# change requests (申请审批) — see approvals/
REQUEST_CHANGES = "approvals.request_change"  # ask for a sensitive correction, with a reason
APPROVE_CHANGES = "approvals.approve_change"  # approve or reject others' requests (never one's own)
# timeliness and escalation — see timeliness/, problems/
MANAGE_DEADLINES = "timeliness.manage_deadlines"  # deadlines per channel, the working calendar
RAISE_PROBLEMS = "problems.raise_problem"  # report a problem (问题上报) on an order or the system
HANDLE_PROBLEMS = "problems.handle_problem"  # acknowledge, comment, assign and close reports
MANAGE_PROBLEM_RULES = "problems.manage_problem_rules"  # escalation times and burst thresholds
VIEW_PROBLEM_REVIEW = "problems.view_problem_review"  # root-cause review (§5.5)

ROLE_PERMISSIONS: dict[str, set[str]] = {
    CUSTOMER_SERVICE: {
        VIEW_ORDERS, IMPORT_ORDERS, ENTER_ORDERS, CHECK_ENTRIES, VIEW_CHANNELS,
        REVIEW_ORDERS, RECORD_PAYMENT, CANCEL_ORDERS, VIEW_STOCK,
        VIEW_MESSAGES, RESEND_MESSAGES, SPLIT_PACKAGES, CONFIRM_RECEIPT, VIEW_ARCHIVE,
        CHANGE_BEFORE_SHIPMENT, RECORD_STOCK_CHOICE, REQUEST_AFTER_SALES, REVIEW_AFTER_SALES, VERIFY_REFUNDS,
        VIEW_REFUNDS, REVEAL_PERSONAL_DATA, REQUEST_CHANGES, RAISE_PROBLEMS, HANDLE_PROBLEMS,
    },
    WAREHOUSE: {VIEW_ORDERS, VIEW_CHANNELS, VIEW_STOCK, RECEIVE_STOCK, ADJUST_STOCK, PICK_ORDERS, PACK_ORDERS,
                SPLIT_PACKAGES, HAND_OVER, RESOLVE_INTERCEPTIONS, RECEIVE_RETURNS,
                REQUEST_CHANGES, RAISE_PROBLEMS, HANDLE_PROBLEMS},
    LOGISTICS: {VIEW_ORDERS, VIEW_CHANNELS, VIEW_STOCK, HAND_OVER, MANAGE_CARRIERS, HANDLE_LOGISTICS_EXCEPTIONS,
                REVEAL_PERSONAL_DATA, REQUEST_CHANGES, RAISE_PROBLEMS, HANDLE_PROBLEMS},
    FINANCE: {VIEW_ORDERS, VIEW_CHANNELS, RECORD_PAYMENT, SETTLE_ORDERS, VIEW_ARCHIVE, APPROVE_REFUNDS, VIEW_REFUNDS,
              REQUEST_CHANGES, APPROVE_CHANGES, RAISE_PROBLEMS, HANDLE_PROBLEMS},
    OPERATIONS: {
        VIEW_ORDERS, IMPORT_ORDERS, CHECK_ENTRIES, VIEW_CHANNELS,
        REVIEW_ORDERS, OVERRIDE_REVIEW, RECORD_PAYMENT, CANCEL_ORDERS, MANAGE_REVIEW_RULES,
        VIEW_STOCK, RECEIVE_STOCK, ADJUST_STOCK, MANAGE_CATALOGUE, ALLOCATE_ORDERS, PICK_ORDERS, PACK_ORDERS,
        SPLIT_PACKAGES, HAND_OVER, MANAGE_CARRIERS, HANDLE_LOGISTICS_EXCEPTIONS, CONFIRM_RECEIPT, SETTLE_ORDERS,
        VIEW_ARCHIVE,
        VIEW_MESSAGES, RESEND_MESSAGES,
        CHANGE_BEFORE_SHIPMENT, RECORD_STOCK_CHOICE, RESOLVE_INTERCEPTIONS, REQUEST_AFTER_SALES, REVIEW_AFTER_SALES,
        OVERRIDE_AFTER_SALES, RECEIVE_RETURNS, VERIFY_REFUNDS, VIEW_REFUNDS,
        REVEAL_PERSONAL_DATA, REQUEST_CHANGES, APPROVE_CHANGES, MANAGE_DEADLINES,
        RAISE_PROBLEMS, HANDLE_PROBLEMS, MANAGE_PROBLEM_RULES, VIEW_PROBLEM_REVIEW, VIEW_AUDIT_LOG,
    },
    ADMIN: {
        MANAGE_USERS,
        VIEW_CHANNELS,
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "auth.view_group",
        "channels.change_channel",
        "channels.add_channel",
        CHANGE_MESSAGE_TEMPLATES,
        VIEW_AUDIT_LOG, RAISE_PROBLEMS, HANDLE_PROBLEMS,
    },
    INTEGRATION: {PUSH_ORDERS, VIEW_CHANNELS, CONFIRM_RECEIPT, REQUEST_AFTER_SALES, CANCEL_ORDERS},
}


def sync_roles(sender=None, **kwargs) -> None:
    """Make each role's group hold exactly its permissions (run after every migrate)."""
    from django.contrib.auth.models import Group, Permission

    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    by_name = {}
    for perm in Permission.objects.select_related("content_type").filter(
        codename__in={p.split(".", 1)[1] for p in wanted}
    ):
        by_name[f"{perm.content_type.app_label}.{perm.codename}"] = perm
    # Another app's post_migrate may not have created its permissions yet: the groups get what
    # exists now and the rest on that app's post_migrate (rights are read from this table anyway,
    # see accounts.backends; tests/accounts check that every permission named here exists).
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set([by_name[p] for p in perms if p in by_name])
