"""Errors of change requests (申请审批); codes are stable (docs/approvals.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oms.core.errors import BusinessRuleViolation, Conflict, NotFound, PermissionDenied, ValidationFailed


class ChangeRequestNotFound(NotFound):
    code = "change_request_not_found"
    default_message = _("No change request has this number.")


class InvalidChangeRequest(ValidationFailed):
    code = "invalid_change_request"
    default_message = _("The change request is not complete or not valid; see the fields.")


class ChangeNotAllowed(BusinessRuleViolation):
    """The change breaks a rule of its kind (totals, refunds, the order's status)."""

    code = "change_not_allowed"
    default_message = _("This change is not allowed for this order.")


class UseChangeAddress(BusinessRuleViolation):
    code = "use_change_address"
    default_message = _("The order has not shipped yet: change the address with the order's change-address action.")


class ApprovalRequired(BusinessRuleViolation):
    code = "approval_required"
    default_message = _("This change needs an approved change request.")


class ChangeRequestPending(Conflict):
    code = "change_request_pending"
    default_message = _("A pending change request covers the same data; wait for its decision.")


class NotPending(Conflict):
    code = "change_request_not_pending"
    default_message = _("The change request has already been decided or withdrawn.")


class TargetChanged(Conflict):
    code = "target_changed"
    default_message = _("The data changed since the request was made; reject it and ask again.")


class OwnRequest(PermissionDenied):
    code = "own_change_request"
    default_message = _("A change request must be decided by someone other than the requester.")


class NotApprover(PermissionDenied):
    code = "not_an_approver"
    default_message = _("Your role may not decide this kind of change request.")


class NotRequester(PermissionDenied):
    code = "not_the_requester"
    default_message = _("Only the requester can withdraw a change request.")
