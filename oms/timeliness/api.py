"""Timeliness through the API: a team's at-risk or overdue work, and the deadlines per channel."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor
from oms.accounts.roles import MANAGE_DEADLINES, VIEW_ORDERS
from oms.core.api_input import json_object
from oms.core.errors import NotFound, PermissionDenied, ValidationFailed
from oms.timeliness import selectors, services
from oms.timeliness.deadlines import State
from oms.timeliness.models import DeadlinePolicy
from oms.timeliness.rules_source import POLICY_FIELDS

MAX_LIMIT = 500
DEADLINE_OUT = inline_serializer("Deadline", {
    "id": serializers.IntegerField(), "step": serializers.CharField(), "order_no": serializers.CharField(),
    "channel": serializers.CharField(), "refund": serializers.CharField(allow_null=True),
    "exception": serializers.CharField(allow_null=True), "started_at": serializers.DateTimeField(),
    "due_at": serializers.DateTimeField(), "at_risk_at": serializers.DateTimeField(),
    "state": serializers.ChoiceField(choices=list(selectors.STATES)), "seconds_left": serializers.IntegerField(),
})
POLICY_OUT = inline_serializer("DeadlinePolicy", {
    "channel": serializers.CharField(allow_null=True), "review_minutes": serializers.IntegerField(),
    "shipment_rule": serializers.CharField(), "shipment_hours": serializers.IntegerField(),
    "cutoff_time": serializers.CharField(), "refund_days": serializers.IntegerField(),
    "exception_response_hours": serializers.IntegerField(), "at_risk_fraction": serializers.CharField(),
})


class UnknownTeam(NotFound):
    code = "team_not_found"
    default_message = gettext_lazy("No team queue has this name.")


class TeamDeadlinesView(APIView):
    required_permissions = {"GET": VIEW_ORDERS}

    @extend_schema(operation_id="timeliness_team_list",
                   parameters=[OpenApiParameter("state", str, enum=list(selectors.STATES)),
                               OpenApiParameter("limit", int)],
                   responses=inline_serializer("TeamDeadlines", {
                       "team": serializers.CharField(), "state": serializers.CharField(),
                       "count": serializers.IntegerField(), "results": serializers.ListField(child=DEADLINE_OUT)}),
                   description="A team's open work that is at risk (most of its time used) or overdue, most urgent "
                               "first. Teams: customer_service (review), warehouse (shipment), finance (refunds), "
                               "logistics (first response to exceptions). Scoped to the caller's warehouses.")
    def get(self, request, team: str):
        if team not in selectors.TEAMS:
            raise UnknownTeam(details={"team": team})
        if not request.user.has_perm(selectors.TEAM_PERMISSION[team]):
            raise PermissionDenied(details={"permission": selectors.TEAM_PERMISSION[team]})
        state = request.query_params.get("state", State.AT_RISK)
        if state not in selectors.STATES:
            raise ValidationFailed(details={"state": [_("One of: %(choices)s.") % {
                "choices": ", ".join(selectors.STATES)}]})
        limit = request.query_params.get("limit", "100")
        if not limit.isdigit() or not 1 <= int(limit) <= MAX_LIMIT:
            raise ValidationFailed(details={"limit": [_("A whole number from 1 to %(max)s.") % {"max": MAX_LIMIT}]})
        now = timezone.now()
        qs = selectors.team_queue(team=team, state=state, now=now, actor=Actor.of(request.user))
        return Response({"team": team, "state": state, "count": qs.count(),
                         "results": [selectors.deadline_row(d, now) for d in qs[:int(limit)]]})


def _policy_out(policy: DeadlinePolicy, code: str | None) -> dict:
    return {"channel": code, **{f: str(getattr(policy, f)) if f in ("cutoff_time", "at_risk_fraction")
                                else getattr(policy, f) for f in POLICY_FIELDS}}


class DeadlinePolicyView(APIView):
    """`default` or a channel code."""

    required_permissions = {"GET": MANAGE_DEADLINES, "PUT": MANAGE_DEADLINES}

    @extend_schema(operation_id="timeliness_policy_get", responses=POLICY_OUT,
                   description="A channel's deadlines (`default` for the default row); a channel without its own "
                               "shows the default's values.")
    def get(self, request, channel: str):
        code = None if channel == "default" else channel
        policy = (DeadlinePolicy.objects.filter(channel__code=code).first() if code else None) \
            or DeadlinePolicy.objects.filter(is_default=True).first() or DeadlinePolicy()
        return Response(_policy_out(policy, code))

    @extend_schema(operation_id="timeliness_policy_set", request=POLICY_OUT, responses=POLICY_OUT,
                   description="Change some of a channel's deadlines; open deadlines are recomputed.")
    def put(self, request, channel: str):
        code = None if channel == "default" else channel
        # A copy: a form-encoded body arrives as an immutable QueryDict.
        data = {key: value for key, value in json_object(request).items() if key != "channel"}
        policy = services.set_policy(channel_code=code, values=data, actor=Actor.of(request.user))
        return Response(_policy_out(policy, code))
