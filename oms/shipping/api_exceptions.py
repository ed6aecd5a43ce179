"""Logistics exception API: the queue, one ticket, its actions; and the buyer's public tracking."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor
from oms.accounts.roles import HANDLE_LOGISTICS_EXCEPTIONS
from oms.core.api_input import json_object, text_field
from oms.core.errors import ValidationFailed
from oms.shipping import exception_selectors as selectors
from oms.shipping import exceptions as services
from oms.shipping.exceptions import Outcome
from oms.shipping.models import ExceptionReason, ExceptionStatus
from oms.shipping.tracking_public import TooManyAttempts, TrackingNotFound, client_ip, over_limit, public_tracking

MAX_PAGE_SIZE = 200

TICKET_OUT = inline_serializer("LogisticsException", {
    "number": serializers.CharField(), "status": serializers.ChoiceField(choices=ExceptionStatus.choices),
    "reason": serializers.ChoiceField(choices=ExceptionReason.choices), "detail": serializers.CharField(),
    "order_no": serializers.CharField(), "package": serializers.CharField(), "carrier": serializers.CharField(),
    "tracking_no": serializers.CharField(), "owner": serializers.CharField(allow_null=True),
    "opened_at": serializers.DateTimeField(), "age_hours": serializers.IntegerField(),
    "last_action_at": serializers.DateTimeField(allow_null=True),
    "closed_at": serializers.DateTimeField(allow_null=True), "outcome": serializers.CharField(allow_null=True),
    "outcome_note": serializers.CharField(),
    "claimed_amount": serializers.CharField(required=False),
    "history": serializers.ListField(child=serializers.DictField(), required=False),
})




def _choice(params, name: str, choices) -> str:
    value = params.get(name, "")
    if value and value not in choices:
        raise ValidationFailed(details={name: [_("One of: %(choices)s.") % {"choices": ", ".join(choices)}]})
    return value


class ExceptionsView(APIView):
    required_permissions = {"GET": HANDLE_LOGISTICS_EXCEPTIONS}

    @extend_schema(operation_id="logistics_exceptions_list",
                   parameters=[OpenApiParameter("status", str, enum=[*ExceptionStatus.values, "all"]),
                               OpenApiParameter("carrier", str), OpenApiParameter("reason", str,
                                                                                  enum=ExceptionReason.values),
                               OpenApiParameter("limit", int)],
                   responses=inline_serializer("LogisticsExceptionQueue", {
                       "count": serializers.IntegerField(),
                       "by_carrier": serializers.ListField(child=serializers.DictField()),
                       "results": serializers.ListField(child=TICKET_OUT)}),
                   description="Logistics exception tickets, oldest first (open ones unless status says "
                               "otherwise), with the open count per carrier.")
    def get(self, request):
        params = request.query_params
        status = _choice(params, "status", [*ExceptionStatus.values, "all"]) or ExceptionStatus.OPEN
        reason = _choice(params, "reason", ExceptionReason.values)
        limit = params.get("limit", "100")
        if not limit.isdigit() or not 1 <= int(limit) <= MAX_PAGE_SIZE:
            raise ValidationFailed(details={"limit": [_("A whole number from 1 to %(max)s.") % {
                "max": MAX_PAGE_SIZE}]})
        actor = Actor.of(request.user)
        qs = selectors.queue(selectors.QueueFilters(carrier=params.get("carrier", ""), reason=reason,
                                                    status="" if status == "all" else status), actor)
        return Response({"count": qs.count(), "by_carrier": selectors.open_counts_by_carrier(reason, actor),
                         "results": [selectors.ticket_data(t) for t in qs[:int(limit)]]})


class ExceptionView(APIView):
    required_permissions = {"GET": HANDLE_LOGISTICS_EXCEPTIONS}

    @extend_schema(operation_id="logistics_exceptions_retrieve", responses=TICKET_OUT,
                   description="One ticket with its history (every action, from the order's timeline).")
    def get(self, request, number: str):
        return Response(selectors.ticket_data(selectors.ticket(number), with_history=True))


class _ActionView(APIView):
    required_permissions = {"POST": HANDLE_LOGISTICS_EXCEPTIONS}

    def act(self, data: dict, number: str, actor: Actor):
        raise NotImplementedError

    def post(self, request, number: str):
        result = self.act(json_object(request), number, Actor.of(request.user))
        status = 201 if isinstance(result, dict) and result.get("new_package") else 200
        body = selectors.ticket_data(selectors.ticket(number), with_history=True)
        if isinstance(result, dict):
            body.update(result)
        return Response(body, status=status)


NOTE_IN = inline_serializer("ExceptionNoteIn", {"note": serializers.CharField()})


class AssignView(_ActionView):
    @extend_schema(operation_id="logistics_exceptions_assign", responses=TICKET_OUT,
                   request=inline_serializer("ExceptionAssignIn", {
                       "owner": serializers.CharField(allow_blank=True),
                       "note": serializers.CharField(required=False)}),
                   description="Give the ticket to a person who handles logistics exceptions (owner \"\": nobody).")
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, data, number, actor):
        services.assign_owner(number=number, owner_username=text_field(data, "owner").strip(), actor=actor,
                              note=text_field(data, "note"))


class ContactCarrierView(_ActionView):
    @extend_schema(operation_id="logistics_exceptions_contact_carrier", request=NOTE_IN, responses=TICKET_OUT,
                   description="Record a contact with the carrier (the note says what was asked and answered).")
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, data, number, actor):
        services.contact_carrier(number=number, note=text_field(data, "note", required=True), actor=actor)


class ContactBuyerView(_ActionView):
    @extend_schema(operation_id="logistics_exceptions_contact_buyer", request=NOTE_IN, responses=TICKET_OUT,
                   description="Record a contact with the buyer.")
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, data, number, actor):
        services.contact_buyer(number=number, note=text_field(data, "note", required=True), actor=actor)


class ReshipView(_ActionView):
    @extend_schema(operation_id="logistics_exceptions_reship",
                   request=inline_serializer("ExceptionReshipIn", {"note": serializers.CharField(required=False)}),
                   responses={201: TICKET_OUT},
                   description="Send the parcel's lines again from the same warehouse: a new allocated package "
                               "(new_package) with its stock reserved; 409 reship_out_of_stock when the "
                               "warehouse lacks free units.")
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, data, number, actor):
        package = services.reship(number=number, actor=actor, note=text_field(data, "note"))
        return {"new_package": package.number}


class ClaimView(_ActionView):
    @extend_schema(operation_id="logistics_exceptions_claim",
                   request=inline_serializer("ExceptionClaimIn", {
                       "amount": serializers.CharField(), "reference": serializers.CharField(),
                       "note": serializers.CharField(required=False)}),
                   responses=TICKET_OUT,
                   description="Record a claim lodged with the carrier: amount (decimal string) and the "
                               "carrier's claim reference.")
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, data, number, actor):
        amount = data.get("amount")
        if not isinstance(amount, (str, int)) or isinstance(amount, bool):
            raise ValidationFailed(details={"amount": [_("A decimal string such as \"59.00\".")]})
        services.claim(number=number, amount=amount, reference=text_field(data, "reference", required=True),
                       actor=actor, note=text_field(data, "note"))


class CloseView(_ActionView):
    @extend_schema(operation_id="logistics_exceptions_close",
                   request=inline_serializer("ExceptionCloseIn", {
                       "outcome": serializers.ChoiceField(choices=Outcome.choices),
                       "note": serializers.CharField(required=False)}),
                   responses=TICKET_OUT, description="Close the ticket with its outcome (note required for other).")
    def post(self, request, number: str):
        return super().post(request, number)

    def act(self, data, number, actor):
        services.close_exception(number=number, outcome=text_field(data, "outcome", required=True), actor=actor,
                                 note=text_field(data, "note"))


class PublicTrackingView(APIView):
    required_permissions = "public"
    authentication_classes: list = []  # buyers have no account; no session, so no CSRF either

    @extend_schema(operation_id="tracking_public",
                   parameters=[OpenApiParameter("order_no", str, required=True),
                               OpenApiParameter("phone", str, required=True)],
                   responses=inline_serializer("PublicTracking", {
                       "order_no": serializers.CharField(), "status": serializers.CharField(),
                       "status_label": serializers.CharField(),
                       "shipped_at": serializers.DateTimeField(allow_null=True),
                       "delivered_at": serializers.DateTimeField(allow_null=True),
                       "parcels": serializers.ListField(child=serializers.DictField())}),
                   description="The buyer's view of an order: status and each parcel's carrier, tracking number "
                               "and events. Needs the order number and the recipient's or customer's phone; an "
                               "unknown order and a wrong phone get the same 404. Limited to a few attempts per "
                               "client address (429).")
    def get(self, request):
        if over_limit(client_ip(request)):
            raise TooManyAttempts()
        found = public_tracking(request.query_params.get("order_no", ""), request.query_params.get("phone", ""))
        if found is None:
            raise TrackingNotFound()
        return Response(found)
