"""Problem report API: raise and list, one report, its actions, the rules, and the root-cause review."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor
from oms.accounts.roles import HANDLE_PROBLEMS, MANAGE_PROBLEM_RULES, RAISE_PROBLEMS, VIEW_PROBLEM_REVIEW
from oms.core.api_input import json_object, text_field
from oms.core.errors import ValidationFailed
from oms.orders.numbering import SHANGHAI
from oms.problems import selectors, services
from oms.problems.bursts import effective_rules
from oms.problems.escalation import escalation_minutes
from oms.problems.status import Category, ProblemStatus, ProcessStep, RootCause, Severity

MAX_PAGE_SIZE = 200

REPORT_OUT = inline_serializer("ProblemReport", {
    "number": serializers.CharField(), "order_no": serializers.CharField(allow_null=True),
    "category": serializers.ChoiceField(choices=Category.choices),
    "severity": serializers.ChoiceField(choices=Severity.choices), "description": serializers.CharField(),
    "status": serializers.ChoiceField(choices=ProblemStatus.choices), "team": serializers.CharField(),
    "owner": serializers.CharField(allow_null=True), "raised_by": serializers.CharField(allow_null=True),
    "raised_at": serializers.DateTimeField(), "acknowledged_at": serializers.DateTimeField(allow_null=True),
    "escalation_level": serializers.IntegerField(), "escalated_at": serializers.DateTimeField(allow_null=True),
    "resolution": serializers.CharField(), "resolved_at": serializers.DateTimeField(allow_null=True),
    "closed_at": serializers.DateTimeField(allow_null=True),
    "root_cause": serializers.CharField(allow_null=True), "step": serializers.CharField(allow_null=True),
    "is_incident": serializers.BooleanField(), "burst": serializers.DictField(required=False),
    "comments": serializers.ListField(child=serializers.DictField(), required=False),
})


def _choice(params, name: str, choices) -> str:
    value = params.get(name, "")
    if value and value not in choices:
        raise ValidationFailed(details={name: [_("One of: %(choices)s.") % {"choices": ", ".join(choices)}]})
    return value


class ProblemsView(APIView):
    required_permissions = {"GET": HANDLE_PROBLEMS, "POST": RAISE_PROBLEMS}

    @extend_schema(operation_id="problems_list",
                   parameters=[OpenApiParameter("tab", str, enum=list(selectors.TABS)),
                               OpenApiParameter("status", str, enum=ProblemStatus.values),
                               OpenApiParameter("category", str, enum=Category.values),
                               OpenApiParameter("severity", str, enum=Severity.values),
                               OpenApiParameter("team", str), OpenApiParameter("q", str),
                               OpenApiParameter("limit", int)],
                   responses=inline_serializer("ProblemQueue", {
                       "count": serializers.IntegerField(), "results": serializers.ListField(child=REPORT_OUT)}),
                   description="Problem reports: tab team (default: the caller's team, open or acknowledged), "
                               "escalated, incidents or all; most escalated first, then the oldest.")
    def get(self, request):
        params = request.query_params
        filters = selectors.QueueFilters(
            tab=_choice(params, "tab", selectors.TABS) or "team",
            status=_choice(params, "status", ProblemStatus.values),
            category=_choice(params, "category", Category.values),
            severity=_choice(params, "severity", Severity.values),
            team=params.get("team", ""), q=params.get("q", ""))
        limit = params.get("limit", "100")
        if not limit.isdigit() or not 1 <= int(limit) <= MAX_PAGE_SIZE:
            raise ValidationFailed(details={"limit": [_("A whole number from 1 to %(max)s.") % {
                "max": MAX_PAGE_SIZE}]})
        qs = selectors.queue(request.user, filters)
        return Response({"count": qs.count(),
                         "results": [selectors.report_data(r, user=request.user) for r in qs[:int(limit)]]})

    @extend_schema(operation_id="problems_create", responses={201: REPORT_OUT},
                   request=inline_serializer("ProblemIn", {
                       "order_no": serializers.CharField(required=False),
                       "category": serializers.ChoiceField(choices=Category.choices),
                       "severity": serializers.ChoiceField(choices=Severity.choices),
                       "description": serializers.CharField(), "team": serializers.CharField(required=False)}),
                   description="Report a problem on an order (order_no) or, without one, in the system. The owning "
                               "team defaults from the category; critical reports notify the team at once.")
    def post(self, request):
        data = json_object(request)
        report = services.raise_problem(
            actor=Actor.of(request.user), category=text_field(data, "category"),
            severity=text_field(data, "severity"), description=text_field(data, "description"),
            order_no=text_field(data, "order_no").strip(), team=text_field(data, "team").strip())
        return Response(selectors.report_data(report, with_comments=True, user=request.user), status=201)


class ProblemView(APIView):
    required_permissions = {"GET": HANDLE_PROBLEMS}

    @extend_schema(operation_id="problems_retrieve", responses=REPORT_OUT,
                   description="One report with its comments.")
    def get(self, request, number: str):
        return Response(selectors.report_data(selectors.report(number), with_comments=True, user=request.user))


class _ActionView(APIView):
    required_permissions = {"POST": HANDLE_PROBLEMS}

    def act(self, data: dict, number: str, actor: Actor) -> None:
        raise NotImplementedError

    def post(self, request, number: str):
        self.act(json_object(request), number, Actor.of(request.user))
        return Response(selectors.report_data(selectors.report(number), with_comments=True, user=request.user))


class AcknowledgeView(_ActionView):
    @extend_schema(operation_id="problems_acknowledge", request=None, responses=REPORT_OUT,
                   description="Acknowledge an open report: escalation stops (409 invalid_transition otherwise).")
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, data, number, actor):
        services.acknowledge(number=number, actor=actor)


class CommentView(_ActionView):
    @extend_schema(operation_id="problems_comment", responses=REPORT_OUT,
                   request=inline_serializer("ProblemCommentIn", {"body": serializers.CharField()}),
                   description="Add a comment.")
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, data, number, actor):
        services.add_comment(number=number, body=text_field(data, "body", required=True), actor=actor)


class AssignView(_ActionView):
    @extend_schema(operation_id="problems_assign", responses=REPORT_OUT,
                   request=inline_serializer("ProblemAssignIn", {
                       "owner": serializers.CharField(required=False, allow_blank=True),
                       "team": serializers.CharField(required=False), "note": serializers.CharField(required=False)}),
                   description="Give the report to a person (owner, \"\" for nobody) and/or another team.")
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, data, number, actor):
        if "owner" not in data and "team" not in data:
            raise ValidationFailed(details={"owner": [_("Give an owner, a team or both.")]})
        note = text_field(data, "note")
        with transaction.atomic():  # both or neither
            if "team" in data:
                services.change_team(number=number, team=text_field(data, "team").strip(), actor=actor, note=note)
            if "owner" in data:
                services.assign_owner(number=number, owner_username=text_field(data, "owner").strip(),
                                      actor=actor, note=note)


class ResolveView(_ActionView):
    @extend_schema(operation_id="problems_resolve", responses=REPORT_OUT,
                   request=inline_serializer("ProblemResolveIn", {
                       "resolution": serializers.CharField(),
                       "root_cause": serializers.ChoiceField(choices=RootCause.choices, required=False),
                       "step": serializers.ChoiceField(choices=ProcessStep.choices, required=False)}),
                   description="Record what was done (an acknowledged report); root cause and step now or at close.")
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, data, number, actor):
        services.resolve(number=number, resolution=text_field(data, "resolution", required=True),
                         root_cause=text_field(data, "root_cause"), step=text_field(data, "step"), actor=actor)


class CloseView(_ActionView):
    @extend_schema(operation_id="problems_close", responses=REPORT_OUT,
                   request=inline_serializer("ProblemCloseIn", {
                       "root_cause": serializers.ChoiceField(choices=RootCause.choices, required=False),
                       "step": serializers.ChoiceField(choices=ProcessStep.choices, required=False),
                       "note": serializers.CharField(required=False)}),
                   description="Close a resolved report; 422 root_cause_required without root cause and step.")
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, data, number, actor):
        services.close(number=number, root_cause=text_field(data, "root_cause"), step=text_field(data, "step"),
                       note=text_field(data, "note"), actor=actor)


class ReopenView(_ActionView):
    @extend_schema(operation_id="problems_reopen", responses=REPORT_OUT,
                   request=inline_serializer("ProblemReopenIn", {"reason": serializers.CharField()}),
                   description="Reopen a resolved report (with a reason); its escalation starts again.")
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, data, number, actor):
        services.reopen(number=number, reason=text_field(data, "reason", required=True), actor=actor)


def _month(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        y, m = value.split("-")
        return date(int(y), int(m), 1)
    except ValueError:
        raise ValidationFailed(details={name: [_("A month such as 2026-01.")]}) from None


def review_period(params) -> tuple[date, date]:
    """The months of the review: from/to (YYYY-MM), the last 12 months by default."""
    first_default, last_default = selectors.last_months(timezone.now().astimezone(SHANGHAI).date())
    first = _month(params.get("from", ""), "from") or first_default
    last = _month(params.get("to", ""), "to") or last_default
    if first > last or len(selectors.months_between(first, last)) > 60:
        raise ValidationFailed(details={"from": [_("From a month up to 60 months before \"to\".")]})
    return first, last


class ReviewView(APIView):
    required_permissions = {"GET": VIEW_PROBLEM_REVIEW}

    @extend_schema(operation_id="problems_review",
                   parameters=[OpenApiParameter("from", str), OpenApiParameter("to", str)],
                   responses=inline_serializer("ProblemReview", {
                       "months": serializers.ListField(child=serializers.CharField()),
                       "total": serializers.IntegerField(), "by_cause": serializers.DictField(),
                       "by_step": serializers.DictField(), "cause_step": serializers.DictField()}),
                   description="Closed reports counted by root cause × month, step × month and cause × step "
                               "(months in Asia/Shanghai; the last 12 by default).")
    def get(self, request):
        first, last = review_period(request.query_params)
        return Response(selectors.review_data(selectors.review(first=first, last=last)))


def rules_data() -> dict:
    return {
        "escalation": [{"severity": s, "supervisor_minutes": t[0], "operations_minutes": t[1]}
                       for s, t in escalation_minutes().items()],
        "bursts": [{"source": r.source, "reason": r.reason, "threshold": r.threshold,
                    "window_minutes": r.window_minutes, "enabled": r.enabled, "default": r.is_default}
                   for r in effective_rules()],
    }


RULES_OUT = inline_serializer("ProblemRules", {"escalation": serializers.ListField(child=serializers.DictField()),
                                               "bursts": serializers.ListField(child=serializers.DictField())})


class RulesView(APIView):
    required_permissions = {"GET": MANAGE_PROBLEM_RULES, "PUT": MANAGE_PROBLEM_RULES}

    @extend_schema(operation_id="problems_rules", responses=RULES_OUT,
                   description="Escalation minutes per severity and burst rules (defaults included).")
    def get(self, request):
        return Response(rules_data())

    @extend_schema(operation_id="problems_rules_update", responses=RULES_OUT,
                   request=inline_serializer("ProblemRuleIn", {
                       "escalation": serializers.DictField(required=False),
                       "burst": serializers.DictField(required=False)}),
                   description="Set one escalation rule ({severity, supervisor_minutes, operations_minutes}) "
                               "and/or one burst rule ({source, reason, threshold, window_minutes, enabled}).")
    def put(self, request):
        data = json_object(request)
        actor = Actor.of(request.user)
        esc, burst = data.get("escalation"), data.get("burst")
        if not isinstance(esc, dict) and not isinstance(burst, dict):
            raise ValidationFailed(details={"escalation": [_("Give an escalation rule, a burst rule or both.")]})
        if isinstance(esc, dict):
            services.set_escalation_rule(severity=text_field(esc, "severity"),
                                         supervisor_minutes=esc.get("supervisor_minutes"),
                                         operations_minutes=esc.get("operations_minutes"), actor=actor)
        if isinstance(burst, dict):
            services.set_burst_rule(source=text_field(burst, "source"), reason=text_field(burst, "reason"),
                                    threshold=burst.get("threshold"), window_minutes=burst.get("window_minutes"),
                                    enabled=burst.get("enabled", True), actor=actor)
        return Response(rules_data())
