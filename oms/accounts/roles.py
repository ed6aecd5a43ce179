"""The roles of DESIGN.md as Django groups with explicit permissions (least privilege)."""

from __future__ import annotations

from typing import NamedTuple

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


# ---------------------------------------------------------------------------------------------
# The matrix in words: what each permission allows and which duty of the manual (chapter 4) it
# serves. Rendered into docs/permissions.md by `oms permissions doc` (oms/accounts/matrix.py); a
# test keeps the file in sync. Plain bilingual text, not gettext: the document must be the same
# whatever language the command runs in.
# ---------------------------------------------------------------------------------------------

class PermissionInfo(NamedTuple):
    area: str  # a key of PERMISSION_AREAS
    en: str
    zh: str
    duty: str  # the manual section(s) the permission serves


PERMISSION_AREAS = {
    "orders": ("Orders and review", "订单与审核"),
    "after_sales": ("Changes, after-sales and refunds", "变更、售后与退款"),
    "stock": ("Stock and catalogue", "库存与商品"),
    "fulfilment": ("Picking, packing and interceptions", "拣货、打包与拦截"),
    "shipping": ("Shipping and logistics", "发货与物流"),
    "finance": ("Completion, settlement and archive", "完成、结算与归档"),
    "messages": ("Messages to buyers", "买家消息"),
    "control": ("Approvals, timeliness and problem reports", "审批、时效与问题上报"),
    "admin": ("Accounts, channels, audit and privacy", "账号、渠道、审计与隐私"),
}

PERMISSION_INFO: dict[str, PermissionInfo] = {
    VIEW_ORDERS: PermissionInfo("orders", "See, search and open orders (within one's scopes)",
                                "查看、搜索订单及详情（限本人范围）", "4.1–4.5"),
    PUSH_ORDERS: PermissionInfo("orders", "Push orders from a channel's system (intake API)",
                                "渠道系统推送订单（接入 API）", "integration"),
    IMPORT_ORDERS: PermissionInfo("orders", "Import orders from CSV/XLSX files",
                                  "从 CSV/XLSX 文件导入订单", "4.1, 4.5"),
    ENTER_ORDERS: PermissionInfo("orders", "Enter offline orders by hand (drafts)", "手工录入线下订单（草稿）", "4.1"),
    CHECK_ENTRIES: PermissionInfo("orders", "Check and confirm others' hand-entered orders",
                                  "复核并确认他人录入的订单", "4.1, 4.5"),
    REVIEW_ORDERS: PermissionInfo("orders", "Re-run review, correct held orders, swap or map SKUs",
                                  "重新审核、修正被扣订单、替换或映射 SKU", "4.1"),
    OVERRIDE_REVIEW: PermissionInfo("orders", "Approve an order despite failed review checks",
                                    "审核未通过时强制放行订单", "4.5"),
    RECORD_PAYMENT: PermissionInfo("orders", "Record a payment (offline or bank transfer)",
                                   "登记付款（线下或银行转账）", "4.1, 4.4"),
    CANCEL_ORDERS: PermissionInfo("orders", "Cancel an order before shipment (integration: buyer request only)",
                                  "发货前取消订单（接入方仅限买家申请）", "4.1"),
    MANAGE_REVIEW_RULES: PermissionInfo("orders", "Review rules, coupons and the block list",
                                        "审核规则、优惠券与黑名单", "4.5"),
    CHANGE_BEFORE_SHIPMENT: PermissionInfo("after_sales", "Change address, phone or lines before shipment",
                                           "发货前修改地址、电话或商品行", "4.1"),
    RECORD_STOCK_CHOICE: PermissionInfo("after_sales", "Record the buyer's choice when stock is short",
                                        "缺货时登记买家的处理选择", "4.1"),
    REQUEST_AFTER_SALES: PermissionInfo("after_sales", "Open returns, refund-only requests and exchanges",
                                        "发起退货、仅退款与换货申请", "4.1, integration"),
    REVIEW_AFTER_SALES: PermissionInfo("after_sales", "Approve or reject after-sales requests per the policy",
                                       "按售后政策审批或驳回售后申请", "4.1"),
    OVERRIDE_AFTER_SALES: PermissionInfo("after_sales", "Approve after-sales requests outside the rules",
                                         "在规则之外批准售后申请（主管）", "4.5"),
    VERIFY_REFUNDS: PermissionInfo("after_sales", "Verify a refund's cause and amount", "核实退款原因与金额", "4.1"),
    APPROVE_REFUNDS: PermissionInfo("after_sales", "Approve and execute refunds", "审批并执行退款", "4.4"),
    VIEW_REFUNDS: PermissionInfo("after_sales", "See the refund queue and refunds", "查看退款队列与退款", "4.1, 4.4"),
    VIEW_STOCK: PermissionInfo("stock", "See stock levels and movements (within one's warehouses)",
                               "查看库存与库存流水（限本人仓库）", "4.1, 4.2, 4.3, 4.5"),
    RECEIVE_STOCK: PermissionInfo("stock", "Receive goods into a warehouse", "商品入库", "4.2"),
    ADJUST_STOCK: PermissionInfo("stock", "Correct on-hand counts, with a reason", "按原因调整库存数量", "4.2"),
    MANAGE_CATALOGUE: PermissionInfo("stock", "SKUs, warehouses, bins and platform SKU mappings",
                                     "SKU、仓库、库位与平台 SKU 映射", "4.5"),
    ALLOCATE_ORDERS: PermissionInfo("fulfilment", "Run stock allocation again by hand", "手动重新分配库存", "4.5"),
    PICK_ORDERS: PermissionInfo("fulfilment", "Create pick lists (waves) and pick", "生成拣货单（波次）并拣货", "4.2"),
    PACK_ORDERS: PermissionInfo("fulfilment", "Re-check, pack and print labels", "复核、打包并打印面单", "4.2"),
    SPLIT_PACKAGES: PermissionInfo("fulfilment", "Split a package into several by hand", "手动拆分包裹", "4.1, 4.2"),
    RESOLVE_INTERCEPTIONS: PermissionInfo("fulfilment", "Confirm or refuse an interception in the warehouse",
                                          "仓库确认或拒绝拦截", "4.2"),
    RECEIVE_RETURNS: PermissionInfo("fulfilment", "Receive and inspect returned parcels", "退货签收与质检", "4.2"),
    HAND_OVER: PermissionInfo("shipping", "Hand-over lists, tracking numbers and shipping",
                              "交接单、运单号与发货", "4.2, 4.3"),
    MANAGE_CARRIERS: PermissionInfo("shipping", "Carriers, rate cards and carrier rules",
                                    "物流商、运费表与物流规则", "4.3"),
    HANDLE_LOGISTICS_EXCEPTIONS: PermissionInfo("shipping", "Work the logistics exception queue",
                                                "处理物流异常队列", "4.3"),
    CONFIRM_RECEIPT: PermissionInfo("finance", "Confirm that the buyer received the order",
                                    "确认买家已收货", "4.1, integration"),
    SETTLE_ORDERS: PermissionInfo("finance", "Reconcile and settle orders with channels",
                                  "与渠道对账并结算订单", "4.4"),
    VIEW_ARCHIVE: PermissionInfo("finance", "Search and export archived orders (within one's channels)",
                                 "搜索并导出归档订单（限本人渠道）", "4.1, 4.4, 4.5"),
    VIEW_MESSAGES: PermissionInfo("messages", "See messages sent to buyers", "查看发给买家的消息", "4.1"),
    RESEND_MESSAGES: PermissionInfo("messages", "Resend a failed message", "重发失败的消息", "4.1"),
    CHANGE_MESSAGE_TEMPLATES: PermissionInfo("messages", "Message templates and language per channel",
                                             "消息模板与各渠道语言", "administrator"),
    REQUEST_CHANGES: PermissionInfo("control", "Ask for a sensitive correction, with a reason",
                                    "申请敏感数据更正（须填写原因）", "3.2"),
    APPROVE_CHANGES: PermissionInfo("control", "Approve or reject others' change requests (never one's own)",
                                    "审批或驳回他人的变更申请（不可审批本人申请）", "3.2, 4.4, 4.5"),
    MANAGE_DEADLINES: PermissionInfo("control", "Deadlines per channel and the working calendar",
                                     "各渠道时效与工作日历", "4.5"),
    RAISE_PROBLEMS: PermissionInfo("control", "Report a problem on an order or the system",
                                   "就订单或系统故障进行问题上报", "3.2"),
    HANDLE_PROBLEMS: PermissionInfo("control", "Acknowledge, comment, assign and close problem reports",
                                    "确认、评论、指派并关闭问题上报", "3.2, 4.1–4.5"),
    MANAGE_PROBLEM_RULES: PermissionInfo("control", "Escalation times and burst thresholds",
                                         "升级时限与批量异常阈值", "4.5"),
    VIEW_PROBLEM_REVIEW: PermissionInfo("control", "Root-cause review of closed problem reports",
                                        "已关闭问题的根因复盘", "4.5"),
    MANAGE_USERS: PermissionInfo("admin", "Manage accounts, roles and scopes", "管理账号、角色与范围", "3.1"),
    "accounts.view_user": PermissionInfo("admin", "See accounts (admin site)", "查看账号（管理后台）", "3.1"),
    "accounts.add_user": PermissionInfo("admin", "Create accounts (admin site)", "创建账号（管理后台）", "3.1"),
    "accounts.change_user": PermissionInfo("admin", "Change or deactivate accounts (admin site)",
                                           "修改或停用账号（管理后台）", "3.1"),
    "auth.view_group": PermissionInfo("admin", "See the role groups (admin site)", "查看角色组（管理后台）", "3.1"),
    VIEW_CHANNELS: PermissionInfo("admin", "See sales channels", "查看销售渠道", "4.1–4.5, integration"),
    "channels.add_channel": PermissionInfo("admin", "Create sales channels", "创建销售渠道", "administrator"),
    "channels.change_channel": PermissionInfo("admin", "Change sales channels", "修改销售渠道", "administrator"),
    VIEW_AUDIT_LOG: PermissionInfo("admin", "The security audit log (sign-ins, lockouts, permission changes, reveals)",
                                   "安全审计日志（登录、锁定、权限变更、查看明文）", "3.1, 3.3, 4.5"),
    REVEAL_PERSONAL_DATA: PermissionInfo("admin", "Show a full phone number or address (each reveal audited)",
                                         "查看完整电话或地址（每次均审计）", "3.3"),
}


class RoleDuty(NamedTuple):
    section: str  # chapter 4 of the manual
    name_zh: str
    name_en: str
    duties_zh: tuple[str, ...]
    duties_en: tuple[str, ...]


ROLE_DUTIES: dict[str, RoleDuty] = {
    CUSTOMER_SERVICE: RoleDuty(
        "4.1", "客服团队", "Customer service",
        ("负责订单咨询、订单信息核对与确认。", "处理客户的订单取消、修改、退换货、退款等申请。",
         "跟踪订单状态，解答客户疑问，处理客户投诉。", "负责异常订单的初步判断与协调。"),
        ("Answer order questions; check and confirm order information.",
         "Handle buyers' cancellations, changes, returns, exchanges and refund requests.",
         "Follow order status, answer questions, handle complaints.",
         "First assessment and coordination of exceptional orders."),
    ),
    WAREHOUSE: RoleDuty(
        "4.2", "仓储团队", "Warehouse",
        ("负责订单商品的拣货、复核、打包操作。", "管理仓库库存，确保库存准确性，及时反馈库存异常。",
         "负责退回商品的验收与处理。", "与物流商对接，完成包裹交接。"),
        ("Pick, re-check and pack the goods of orders.",
         "Keep warehouse stock accurate and report stock anomalies promptly.",
         "Receive and process returned goods.",
         "Hand parcels over to carriers."),
    ),
    LOGISTICS: RoleDuty(
        "4.3", "物流团队/人员", "Logistics",
        ("选择合适的物流服务商，协商物流价格与服务条款。", "跟踪物流信息，处理物流异常问题。",
         "负责物流费用的核算与结算。"),
        ("Choose carriers; negotiate prices and service terms.",
         "Follow tracking and handle logistics exceptions.",
         "Account for and settle shipping costs."),
    ),
    FINANCE: RoleDuty(
        "4.4", "财务团队", "Finance",
        ("负责订单款项的确认、收款与退款处理。", "负责订单相关的账务处理与财务核算。",
         "定期与业务部门进行订单数据与款项核对。"),
        ("Confirm payments, collect money and process refunds.",
         "Keep the books for orders.",
         "Reconcile order data and money with the business teams regularly."),
    ),
    OPERATIONS: RoleDuty(
        "4.5", "运营/管理人员", "Operations / management",
        ("监控订单处理效率与履约质量，分析订单数据。", "优化订单管理流程，制定与更新相关规则制度。",
         "协调各部门间的工作，处理重大订单异常与客户投诉。"),
        ("Monitor processing efficiency and fulfilment quality; analyse order data.",
         "Improve the process; set and update rules.",
         "Coordinate the teams; handle major exceptions and complaints."),
    ),
    ADMIN: RoleDuty(
        "3.1", "系统管理员", "Administrator",
        ("根据岗位职责分配操作权限，确保“权责分明，最小权限”。", "管理个人账号、角色与范围；维护渠道与消息模板。"),
        ("Grant rights by job duty: clear responsibilities, least privilege.",
         "Manage personal accounts, roles and scopes; maintain channels and message templates."),
    ),
    INTEGRATION: RoleDuty(
        "—", "接入方（渠道系统）", "Integration client (a channel's system)",
        ("通过 API 推送订单、取消（买家申请）、确认收货、发起售后，仅限所列渠道。",),
        ("Push orders, cancel (buyer request), confirm receipt and open after-sales over the API, "
         "for its listed channels only.",),
    ),
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
