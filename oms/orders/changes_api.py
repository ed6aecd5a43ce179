"""Changes before shipment through the API: address/phone, carrier redirection, line edits, top-up payment."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor
from oms.accounts.roles import CHANGE_BEFORE_SHIPMENT, RECORD_PAYMENT
from oms.core.api_input import json_object, text_field
from oms.core.errors import ValidationFailed
from oms.core.money import InvalidMoney, parse_money
from oms.orders import changes, line_edits, selectors
from oms.orders.review import corrections
from oms.orders.serializers import OrderDetailSerializer

ADDRESS_IN = inline_serializer("AddressChangeIn", {
    **{f: serializers.CharField(required=False) for f in changes.ADDRESS_FIELDS},
    "note": serializers.CharField(required=False),
})
REDIRECTION_OUT = inline_serializer("RedirectionOut", {
    "order_no": serializers.CharField(), "tickets": serializers.ListField(child=serializers.CharField()),
})
LINE_IN = inline_serializer("LineAddIn", {
    "sku": serializers.CharField(), "quantity": serializers.IntegerField(), "unit_price": serializers.CharField(),
    "note": serializers.CharField(required=False),
})
LINE_CHANGE_IN = inline_serializer("LineChangeIn", {
    "sku": serializers.CharField(required=False), "quantity": serializers.IntegerField(required=False),
    "unit_price": serializers.CharField(required=False), "note": serializers.CharField(required=False),
})
TOP_UP_IN = inline_serializer("TopUpIn", {
    "method": serializers.CharField(), "amount": serializers.CharField(),
    "transaction_id": serializers.CharField(required=False),
})


def _detail(order_no: str) -> Response:
    return Response(OrderDetailSerializer(selectors.order_detail(order_no)).data)


def _address(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "note"}


class AddressChangeView(APIView):
    required_permissions = {"POST": CHANGE_BEFORE_SHIPMENT, "PATCH": CHANGE_BEFORE_SHIPMENT}

    @extend_schema(operation_id="orders_change_address", request=ADDRESS_IN, responses=OrderDetailSerializer,
                   description="Change the recipient, phone or address of an order not yet shipped (only the "
                               "fields given). Checked like at intake: every bad field is named (400 "
                               "invalid_address_change) and nothing is stored. After shipment: 409 "
                               "already_shipped; ask for a redirection instead.")
    def post(self, request, order_no: str):
        data = json_object(request)
        changes.change_address(order_no=order_no, actor=Actor.of(request.user), address=_address(data),
                               note=text_field(data, "note"))
        return _detail(order_no)

    @extend_schema(operation_id="orders_change_address_patch", request=ADDRESS_IN, responses=OrderDetailSerializer,
                   description="The same as POST.")
    def patch(self, request, order_no: str):
        return self.post(request, order_no)


class RedirectionView(APIView):
    required_permissions = {"POST": CHANGE_BEFORE_SHIPMENT}

    @extend_schema(operation_id="orders_request_redirection", request=ADDRESS_IN, responses={201: REDIRECTION_OUT},
                   description="Ask logistics to have the carrier redirect the parcels on their way to a new "
                               "address (the fields given change the current one): opens an address-problem "
                               "logistics exception ticket per parcel carrying the requested address.")
    def post(self, request, order_no: str):
        data = json_object(request)
        result = changes.request_redirection(order_no=order_no, actor=Actor.of(request.user),
                                             address=_address(data), note=text_field(data, "note"))
        return Response({"order_no": order_no, "tickets": result.tickets}, status=201)


class LinesView(APIView):
    required_permissions = {"POST": CHANGE_BEFORE_SHIPMENT}

    @extend_schema(operation_id="orders_add_line", request=LINE_IN, responses={201: OrderDetailSerializer},
                   description="Add a line before allocation; money is recomputed (a paid order then waits for "
                               "the difference). 409 lines_not_editable once the order is allocated.")
    def post(self, request, order_no: str):
        data = json_object(request)
        line_edits.add_line(order_no=order_no, actor=Actor.of(request.user), sku=text_field(data, "sku"),
                            quantity=data.get("quantity"), unit_price=data.get("unit_price"),
                            note=text_field(data, "note"))
        response = _detail(order_no)
        response.status_code = 201
        return response


class LineView(APIView):
    required_permissions = {"PATCH": CHANGE_BEFORE_SHIPMENT, "DELETE": CHANGE_BEFORE_SHIPMENT}

    @extend_schema(operation_id="orders_change_line", request=LINE_CHANGE_IN, responses=OrderDetailSerializer,
                   description="Change a line's quantity, SKU (a swap keeps the unit price unless one is given) "
                               "or unit price before allocation. A lower amount raises a partial refund (cause "
                               "order_edit); a higher one holds a paid order until the top-up is recorded.")
    def patch(self, request, order_no: str, line_no: int):
        data = json_object(request)
        line_edits.change_line(order_no=order_no, line_no=line_no, actor=Actor.of(request.user),
                               quantity=data.get("quantity"), sku=text_field(data, "sku"),
                               unit_price=data.get("unit_price"), note=text_field(data, "note"))
        return _detail(order_no)

    @extend_schema(operation_id="orders_remove_line", responses=OrderDetailSerializer,
                   description="Remove a line before allocation (an audited edit, not the last line; the timeline "
                               "keeps what it was). A line with stock, package or refund history: 409.")
    def delete(self, request, order_no: str, line_no: int):
        note = request.query_params.get("note", "")
        line_edits.remove_line(order_no=order_no, line_no=line_no, actor=Actor.of(request.user), note=note)
        return _detail(order_no)


class TopUpView(APIView):
    required_permissions = {"POST": RECORD_PAYMENT}

    @extend_schema(operation_id="orders_record_top_up", request=TOP_UP_IN, responses=OrderDetailSerializer,
                   description="Record the difference a paid order owes after a line edit raised its amount; "
                               "the original payment route stays, and the order is reviewed again.")
    def post(self, request, order_no: str):
        data = json_object(request)
        try:
            amount = parse_money(data.get("amount"))
        except InvalidMoney:
            raise ValidationFailed(details={"amount": [_('An amount such as "12.00".')]}) from None
        corrections.record_payment(order_no=order_no, actor=Actor.of(request.user),
                                   method=text_field(data, "method", required=True), amount=amount,
                                   transaction_id=text_field(data, "transaction_id"), top_up=True)
        return _detail(order_no)
