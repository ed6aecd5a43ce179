"""Change requests API: ask, list, read, approve, reject, withdraw (docs/approvals.md)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor
from oms.accounts.roles import APPROVE_CHANGES, REQUEST_CHANGES
from oms.approvals import selectors, services
from oms.approvals.selectors import TAB_KEYS
from oms.approvals.status import ChangeKind, ChangeStatus
from oms.core.api_input import text_field
from oms.core.errors import ValidationFailed

MAX_PAGE_SIZE = 200

REQUEST_OUT = inline_serializer("ChangeRequest", {
    "number": serializers.CharField(), "kind": serializers.ChoiceField(choices=ChangeKind.choices),
    "status": serializers.ChoiceField(choices=ChangeStatus.choices),
    "order_no": serializers.CharField(allow_null=True), "sku": serializers.CharField(allow_null=True),
    "warehouse": serializers.CharField(allow_null=True), "proposed": serializers.DictField(),
    "current": serializers.DictField(), "reason": serializers.CharField(),
    "requested_by": serializers.CharField(), "requested_at": serializers.DateTimeField(),
    "decided_by": serializers.CharField(allow_null=True), "decided_at": serializers.DateTimeField(allow_null=True),
    "decision_note": serializers.CharField(), "applied_event": serializers.IntegerField(allow_null=True),
})


def _body(request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationFailed(_("The request body must be a JSON object."))
    return request.data


def _data(number: str) -> dict:
    return selectors.request_data(services.get_request(number))


class ChangeRequestsView(APIView):
    required_permissions = {"GET": REQUEST_CHANGES, "POST": REQUEST_CHANGES}

    @extend_schema(operation_id="change_requests_list",
                   parameters=[OpenApiParameter("tab", str, enum=sorted(TAB_KEYS)),
                               OpenApiParameter("kind", str, enum=ChangeKind.values),
                               OpenApiParameter("order_no", str), OpenApiParameter("limit", int)],
                   responses=inline_serializer("ChangeRequestList", {
                       "count": serializers.IntegerField(), "results": serializers.ListField(child=REQUEST_OUT)}),
                   description="Change requests: tab waiting (pending ones you may decide, the default), pending, "
                               "decided or mine.")
    def get(self, request):
        params = request.query_params
        tab, kind = params.get("tab", "waiting"), params.get("kind", "")
        if tab not in TAB_KEYS:
            raise ValidationFailed(details={"tab": [", ".join(sorted(TAB_KEYS))]})
        if kind and kind not in ChangeKind.values:
            raise ValidationFailed(details={"kind": [", ".join(ChangeKind.values)]})
        limit = params.get("limit", "100")
        if not re.fullmatch(r"[0-9]+", limit) or not 1 <= int(limit) <= MAX_PAGE_SIZE:
            raise ValidationFailed(details={"limit": [_("A whole number from 1 to %(max)s.") % {
                "max": MAX_PAGE_SIZE}]})
        qs = selectors.queue(tab=tab, actor=Actor.of(request.user), kind=kind, order_no=params.get("order_no", ""))
        return Response({"count": qs.count(), "results": [selectors.request_data(r) for r in qs[:int(limit)]]})

    @extend_schema(operation_id="change_requests_create",
                   request=inline_serializer("ChangeRequestIn", {
                       "kind": serializers.ChoiceField(choices=ChangeKind.choices),
                       "order_no": serializers.CharField(required=False),
                       "proposed": serializers.DictField(), "reason": serializers.CharField()}),
                   responses={201: REQUEST_OUT},
                   description="Ask for a sensitive correction. order_amounts {shipping_fee?, discount_total?, "
                               "paid_amount?}; payment_status {payment_status, paid_at?, transaction_id?, "
                               "paid_amount?}; customer_data {customer_name?, customer_phone?, ship_name?, "
                               "ship_phone?, ship_province?, ship_city?, ship_district?, ship_detail?, "
                               "ship_postcode?} after shipment; status_correction {status, delivered_at?}; "
                               "stock_adjustment {sku, warehouse, delta} (no order_no). 409 "
                               "change_request_pending when a pending request covers the same data.")
    def post(self, request):
        data = _body(request)
        proposed = data.get("proposed")
        if not isinstance(proposed, dict):
            raise ValidationFailed(details={"proposed": [_("A JSON object of the new values.")]})
        created = services.request_change(
            kind=text_field(data, "kind", required=True), order_no=text_field(data, "order_no"),
            proposed=proposed, reason=text_field(data, "reason", required=True), actor=Actor.of(request.user))
        return Response(_data(created.number), status=201)


class ChangeRequestView(APIView):
    required_permissions = {"GET": REQUEST_CHANGES}

    @extend_schema(operation_id="change_requests_retrieve", responses=REQUEST_OUT,
                   description="One change request: proposed and captured values, who asked, who decided.")
    def get(self, request, number: str):
        return Response(_data(number))


class ApproveChangeView(APIView):
    required_permissions = {"POST": APPROVE_CHANGES}

    @extend_schema(operation_id="change_requests_approve", responses=REQUEST_OUT,
                   request=inline_serializer("ChangeApproveIn", {"note": serializers.CharField(required=False)}),
                   description="Approve someone else's request and apply it at once (403 own_change_request; "
                               "409 target_changed when the data moved since the request).")
    def post(self, request, number: str):
        services.approve_change(number=number, actor=Actor.of(request.user), note=text_field(_body(request), "note"))
        return Response(_data(number))


class RejectChangeView(APIView):
    required_permissions = {"POST": APPROVE_CHANGES}

    @extend_schema(operation_id="change_requests_reject", responses=REQUEST_OUT,
                   request=inline_serializer("ChangeRejectIn", {"note": serializers.CharField()}),
                   description="Reject someone else's request with a note (required).")
    def post(self, request, number: str):
        services.reject_change(number=number, actor=Actor.of(request.user),
                               note=text_field(_body(request), "note", required=True))
        return Response(_data(number))


class WithdrawChangeView(APIView):
    required_permissions = {"POST": REQUEST_CHANGES}

    @extend_schema(operation_id="change_requests_withdraw", responses=REQUEST_OUT,
                   request=inline_serializer("ChangeWithdrawIn", {"note": serializers.CharField(required=False)}),
                   description="The requester withdraws a pending request.")
    def post(self, request, number: str):
        services.withdraw_change(number=number, actor=Actor.of(request.user), note=text_field(_body(request), "note"))
        return Response(_data(number))
