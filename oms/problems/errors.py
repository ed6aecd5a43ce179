"""Errors of problem reports; codes are stable (docs/problems.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oms.core.errors import BusinessRuleViolation, Conflict, NotFound, ValidationFailed


class ProblemNotFound(NotFound):
    code = "problem_not_found"
    default_message = _("No problem report has this number.")


class InvalidProblemInput(ValidationFailed):
    code = "invalid_problem_report"
    default_message = _("The problem report is not complete or names things that do not exist.")


class RootCauseRequired(BusinessRuleViolation):
    code = "root_cause_required"
    default_message = _("A report is closed only with its root cause and the process step where it arose.")


class IncidentAlreadyLive(Conflict):
    code = "incident_already_open"
    default_message = _("Another incident for the same burst is open; work on that one.")
