"""Refunds through the API: the queue, one refund, each step of the flow, and the causes CS raises by hand."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor
from oms.accounts.roles import APPROVE_REFUNDS, VERIFY_REFUNDS, VIEW_REFUNDS
from oms.aftersales.status import RefundCause, RefundStatus
from oms.core.api_input import json_object, text_field
from oms.core.errors import ValidationFailed
from oms.core.money import InvalidMoney, parse_money
from oms.payments import refund_flow
from oms.payments.refund_selectors import refund_by_number, refund_data, refund_queue, refund_summary

PAGE_SIZE = 100
REFUND_OUT = inline_serializer("Refund", {
    "number": serializers.CharField(), "order_no": serializers.CharField(), "cause": serializers.CharField(),
    "status": serializers.CharField(), "amount": serializers.CharField(), "goods_amount": serializers.CharField(),
    "shipping_amount": serializers.CharField(), "payment_method": serializers.CharField(),
    "original_transaction_id": serializers.CharField(), "external_reference": serializers.CharField(),
    "attempts": serializers.IntegerField(), "failure": serializers.CharField(),
    "requested_at": serializers.DateTimeField(), "refunded_at": serializers.DateTimeField(allow_null=True),
    "lines": serializers.ListField(child=serializers.DictField(), required=False),
})
NOTE_IN = inline_serializer("RefundNoteIn", {"note": serializers.CharField(required=False)})


def _choice(raw: str, name: str, choices) -> str:
    raw = (raw or "").strip()
    if raw and raw not in choices:
        raise ValidationFailed(details={name: [_("One of: %(c)s.") % {"c": ", ".join(choices)}]})
    return raw


class RefundsView(APIView):
    required_permissions = {"GET": VIEW_REFUNDS}

    @extend_schema(operation_id="refunds_list",
                   parameters=[OpenApiParameter("status", str, enum=list(RefundStatus.values)),
                               OpenApiParameter("cause", str, enum=list(RefundCause.values)),
                               OpenApiParameter("order_no", str), OpenApiParameter("page", int)],
                   responses=inline_serializer("RefundPage", {"count": serializers.IntegerField(),
                                                              "page": serializers.IntegerField(),
                                                              "results": serializers.ListField(child=REFUND_OUT)}),
                   description="Refunds, filtered by status, cause and order; open statuses oldest first, "
                               f"{PAGE_SIZE} per page.")
    def get(self, request):
        q = request.query_params
        qs = refund_queue(status=_choice(q.get("status", ""), "status", RefundStatus.values),
                          cause=_choice(q.get("cause", ""), "cause", RefundCause.values),
                          order_no=q.get("order_no", ""), actor=Actor.of(request.user))
        page = Paginator(qs, PAGE_SIZE).get_page(q.get("page"))
        return Response({"count": page.paginator.count, "page": page.number,
                         "results": [refund_summary(r) for r in page.object_list]})


class RefundView(APIView):
    required_permissions = {"GET": VIEW_REFUNDS}

    @extend_schema(operation_id="refunds_retrieve", responses=REFUND_OUT,
                   description="One refund: cause, amounts, original payment route, each step's user, lines.")
    def get(self, request, number: str):
        return Response(refund_data(refund_by_number(number)))


def _answer(refund) -> Response:
    return Response(refund_data(refund_by_number(refund.number)))


class VerifyRefundView(APIView):
    required_permissions = {"POST": VERIFY_REFUNDS}

    @extend_schema(operation_id="refunds_verify", request=NOTE_IN, responses=REFUND_OUT,
                   description="Customer service confirms the cause and amount: requested → verified.")
    def post(self, request, number: str):
        note = text_field(json_object(request), "note")
        return _answer(refund_flow.verify_refund(number=number, actor=Actor.of(request.user), note=note))


class ApproveRefundView(APIView):
    required_permissions = {"POST": APPROVE_REFUNDS}

    @extend_schema(operation_id="refunds_approve", request=NOTE_IN, responses=REFUND_OUT,
                   description="Finance approves a verified refund: approved, or awaiting_second_approval above "
                               "OMS_REFUND_SECOND_APPROVAL_ABOVE. Whoever raised or verified it cannot "
                               "(422 refund_needs_another_person).")
    def post(self, request, number: str):
        note = text_field(json_object(request), "note")
        return _answer(refund_flow.approve_refund(number=number, actor=Actor.of(request.user), note=note))


class SecondApproveRefundView(APIView):
    required_permissions = {"POST": APPROVE_REFUNDS}

    @extend_schema(operation_id="refunds_second_approve", request=NOTE_IN, responses=REFUND_OUT,
                   description="A second finance user approves a refund above the threshold; the first approver "
                               "cannot (422 refund_needs_another_person).")
    def post(self, request, number: str):
        note = text_field(json_object(request), "note")
        return _answer(refund_flow.second_approve_refund(number=number, actor=Actor.of(request.user), note=note))


class RejectRefundView(APIView):
    # Customer service rejects before verification, finance afterwards: the service checks which.
    required_permissions = {"POST": VIEW_REFUNDS}

    @extend_schema(operation_id="refunds_reject",
                   request=inline_serializer("RefundRejectIn", {"reason": serializers.CharField()}),
                   responses=REFUND_OUT,
                   description="Reject with a reason (required): customer service while requested "
                               "(payments.verify_refund), finance later (payments.approve_refund).")
    def post(self, request, number: str):
        reason = text_field(json_object(request), "reason", required=True)
        return _answer(refund_flow.reject_refund(number=number, actor=Actor.of(request.user), reason=reason))


class ExecuteRefundView(APIView):
    required_permissions = {"POST": APPROVE_REFUNDS}

    @extend_schema(operation_id="refunds_execute",
                   request=inline_serializer("RefundExecuteIn", {
                       "reference": serializers.CharField(required=False,
                                                          help_text="The payment platform's refund reference; "
                                                                    "required by the manual adapter."),
                       "adapter": serializers.CharField(required=False,
                                                        help_text="A payment adapter allowed here "
                                                                  "(settings.OMS_REFUND_ADAPTERS), e.g. manual.")}),
                   responses=REFUND_OUT,
                   description="Send an approved or failed refund back by the original payment route. A refusal "
                               "by the platform answers 200 with status failed and the adapter's message in "
                               "`failure`; execute again to retry.")
    def post(self, request, number: str):
        data = json_object(request)
        adapter = text_field(data, "adapter").strip() or None
        reference = text_field(data, "reference")
        return _answer(refund_flow.execute_refund(number=number, actor=Actor.of(request.user), reference=reference,
                                                  adapter=adapter))


def _int(data: dict, name: str) -> int:
    value = data.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationFailed(details={name: [_("A whole number.")]})
    return value


def _money(data: dict, name: str):
    try:
        return parse_money(data.get(name))
    except InvalidMoney:
        raise ValidationFailed(details={name: [_("A decimal string with two places, e.g. \"5.00\".")]}) from None


class OrderRefundsView(APIView):
    required_permissions = {"POST": VERIFY_REFUNDS}

    @extend_schema(operation_id="orders_refunds_create",
                   request=inline_serializer("RaiseRefundIn", {
                       "cause": serializers.ChoiceField(choices=["price_adjustment", "shipping_compensation",
                                                                 "cancellation"]),
                       "line_no": serializers.IntegerField(required=False, help_text="price_adjustment"),
                       "units": serializers.IntegerField(required=False, help_text="price_adjustment"),
                       "unit_difference": serializers.CharField(required=False,
                                                                help_text='price_adjustment, e.g. "5.00"'),
                       "kind": serializers.ChoiceField(choices=["shipping_fee", "return_postage"], required=False,
                                                       help_text="shipping_compensation"),
                       "postage": serializers.CharField(required=False,
                                                        help_text="return_postage: what the buyer paid"),
                       "note": serializers.CharField(required=False)}),
                   responses={201: REFUND_OUT},
                   description="Customer service raises a refund whose cause no other step computes: a price "
                               "adjustment (优惠补差: unit difference × units of a line, at most the unit's net "
                               "price) or shipping compensation (the order's shipping fee left to refund, or the "
                               "buyer's return postage up to OMS_RETURN_SHIPPING_COMPENSATION_MAX per order). "
                               "Never more than is left of what was paid (422 refund_exceeds_paid). "
                               "`cancellation` refunds what is left of a cancelled paid order's payment (for "
                               "example after its cancellation refund was rejected); 422 order_not_cancelled or "
                               "nothing_to_refund otherwise.")
    def post(self, request, order_no: str):
        data = json_object(request)
        cause = text_field(data, "cause", required=True).strip()
        note = text_field(data, "note")
        actor = Actor.of(request.user)
        if cause == RefundCause.PRICE_ADJUSTMENT:
            refund = refund_flow.raise_price_adjustment(
                order_no=order_no, actor=actor, line_no=_int(data, "line_no"), units=_int(data, "units"),
                unit_difference=_money(data, "unit_difference"), note=note)
        elif cause == RefundCause.SHIPPING_COMPENSATION:
            kind = text_field(data, "kind", required=True).strip()
            postage = _money(data, "postage") if kind == refund_flow.ShippingCompensation.RETURN_POSTAGE else None
            refund = refund_flow.raise_shipping_compensation(order_no=order_no, actor=actor, kind=kind,
                                                             postage=postage, note=note)
        elif cause == RefundCause.CANCELLATION:
            refund = refund_flow.raise_cancellation_refund(order_no=order_no, actor=actor, note=note)
        else:
            raise ValidationFailed(details={"cause": [_("One of: price_adjustment, shipping_compensation, "
                                                        "cancellation.")]})
        return Response(refund_data(refund_by_number(refund.number)), status=201)
