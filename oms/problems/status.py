"""Problem reports (问题上报, manual §5.4–§5.5): vocabulary, the status table and the pure escalation rule.

Everything here is pure: no database, testable on its own (tests/problems/test_status.py).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from oms.accounts.roles import ADMIN, CUSTOMER_SERVICE, FINANCE, LOGISTICS, OPERATIONS, WAREHOUSE
from oms.core.errors import Conflict


class Category(models.TextChoices):
    STOCK_DISCREPANCY = "stock_discrepancy", _("Stock discrepancy")
    ADDRESS_PHONE = "address_phone", _("Address or phone problem")
    PAYMENT = "payment", _("Payment problem")
    CARRIER_EXCEPTION = "carrier_exception", _("Carrier exception")
    PACKING_PICKING = "packing_picking", _("Packing or picking error")
    CUSTOMER_COMPLAINT = "customer_complaint", _("Customer complaint")
    SYSTEM_FAULT = "system_fault", _("System fault")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


class ProblemStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("problem report", "Open")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("problem report", "Acknowledged")
    RESOLVED = "resolved", pgettext_lazy("problem report", "Resolved")
    CLOSED = "closed", pgettext_lazy("problem report", "Closed")


class RootCause(models.TextChoices):
    DATA_ENTRY = "data_entry", _("Data entry error")
    RULE_GAP = "rule_gap", _("Rule or configuration gap")
    STOCK_INACCURACY = "stock_inaccuracy", _("Stock inaccuracy")
    CARRIER = "carrier", _("Carrier")
    SYSTEM_DEFECT = "system_defect", _("System defect")
    BUYER = "buyer", _("Buyer")
    SUPPLIER = "supplier", _("Supplier")
    OTHER = "other", _("Other")


class ProcessStep(models.TextChoices):
    INTAKE = "intake", _("Intake")
    REVIEW = "review", pgettext_lazy("process step", "Review")
    ALLOCATION = "allocation", _("Allocation")
    PICKING = "picking", _("Picking")
    PACKING = "packing", _("Packing")
    SHIPPING = "shipping", _("Shipping")
    TRACKING = "tracking", _("Tracking")
    AFTER_SALES = "after_sales", _("After-sales")
    REFUND = "refund", _("Refund")
    SYSTEM = "system", pgettext_lazy("process step", "System")


class EscalationLevel(models.IntegerChoices):
    NONE = 0, _("Not escalated")
    SUPERVISOR = 1, _("Team supervisor")
    OPERATIONS = 2, _("Operations")


class BurstSource(models.TextChoices):
    ORDER_HOLD = "order_hold", _("Orders put on hold")
    CARRIER_EXCEPTION = "carrier_exception", _("Carrier exceptions")


# One transition table: acknowledging stops escalation; a resolved report can be reopened until closed.
TRANSITIONS: dict[str, set[str]] = {
    ProblemStatus.OPEN: {ProblemStatus.ACKNOWLEDGED},
    ProblemStatus.ACKNOWLEDGED: {ProblemStatus.RESOLVED},
    ProblemStatus.RESOLVED: {ProblemStatus.CLOSED, ProblemStatus.OPEN},
    ProblemStatus.CLOSED: set(),
}
LIVE_STATUSES = (ProblemStatus.OPEN, ProblemStatus.ACKNOWLEDGED)

# The staff teams a report can belong to (role codes; integration clients are not a team).
TEAMS = (CUSTOMER_SERVICE, WAREHOUSE, LOGISTICS, FINANCE, OPERATIONS, ADMIN)

DEFAULT_TEAM: dict[str, str] = {
    Category.STOCK_DISCREPANCY: WAREHOUSE,
    Category.ADDRESS_PHONE: CUSTOMER_SERVICE,
    Category.PAYMENT: FINANCE,
    Category.CARRIER_EXCEPTION: LOGISTICS,
    Category.PACKING_PICKING: WAREHOUSE,
    Category.CUSTOMER_COMPLAINT: CUSTOMER_SERVICE,
    Category.SYSTEM_FAULT: ADMIN,  # §3.2: system faults go to the system administrator
    Category.OTHER: OPERATIONS,
}

# Minutes without acknowledgement before level 1 (T1, supervisor) and level 2 (T2, operations),
# counted from when the report was raised (or reopened). The back office can change them per severity.
DEFAULT_ESCALATION_MINUTES: dict[str, tuple[int, int]] = {
    Severity.CRITICAL: (15, 60),
    Severity.MAJOR: (60, 240),
    Severity.MINOR: (240, 1440),
}

# Bursts: (threshold, window minutes) per source when no rule row says otherwise.
DEFAULT_BURST: dict[str, tuple[int, int]] = {
    BurstSource.ORDER_HOLD: (20, 60),
    BurstSource.CARRIER_EXCEPTION: (10, 60),
}

# The category an automatic incident gets from the hold reason that burst.
HOLD_CATEGORY: dict[str, str] = {
    "address_incomplete": Category.ADDRESS_PHONE, "address_invalid": Category.ADDRESS_PHONE,
    "phone_invalid": Category.ADDRESS_PHONE, "out_of_stock": Category.STOCK_DISCREPANCY,
    "unpaid": Category.PAYMENT, "coupon_invalid": Category.PAYMENT, "amount_over_limit": Category.PAYMENT,
}


class InvalidProblemTransition(Conflict):
    code = "invalid_transition"


def check_transition(current: str, new: str) -> None:
    """Raise unless the problem report table allows current → new."""
    if new not in TRANSITIONS.get(current, set()):
        raise InvalidProblemTransition(f"a problem report in status {current} cannot move to {new}",
                                       details={"from": str(current), "to": str(new)})


def default_team(category: str) -> str:
    return DEFAULT_TEAM.get(category, OPERATIONS)


def incident_category(source: str, reason: str) -> str:
    if source == BurstSource.CARRIER_EXCEPTION:
        return Category.CARRIER_EXCEPTION
    return HOLD_CATEGORY.get(reason, Category.OTHER)


def due_level(*, status: str, level: int, minutes_open: float, t1: int, t2: int) -> int:
    """The escalation level a report should be at now: never lower than it is, none once acknowledged."""
    if status != ProblemStatus.OPEN:
        return level
    due = 0
    if minutes_open >= t2:
        due = EscalationLevel.OPERATIONS
    elif minutes_open >= t1:
        due = EscalationLevel.SUPERVISOR
    return max(level, int(due))
