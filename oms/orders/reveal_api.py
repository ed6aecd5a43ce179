"""POST /api/v1/orders/{order_no}/reveal: one order's full personal data, audited."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor
from oms.accounts.roles import REVEAL_PERSONAL_DATA
from oms.orders.reveal import reveal_personal_data

REVEALED_OUT = inline_serializer("PersonalDataRevealed", {
    name: serializers.CharField() for name in (
        "order_no", "customer_name", "customer_phone", "customer_email", "ship_name", "ship_phone",
        "ship_province", "ship_city", "ship_district", "ship_detail", "ship_postcode", "full_address")
})


class RevealPersonalDataView(APIView):
    required_permissions = {"POST": REVEAL_PERSONAL_DATA}

    @extend_schema(operation_id="orders_reveal_personal_data",
                   request=inline_serializer("RevealIn", {"reason": serializers.CharField(required=False)}),
                   responses=REVEALED_OUT,
                   description="The full name, phone numbers, e-mail and address of one order, which every other "
                               "response masks. Needs orders.reveal_personal_data; each call is recorded in the "
                               "order's audit log (action personal_data_revealed, with who, when and which fields).")
    def post(self, request, order_no: str):
        data = request.data if isinstance(request.data, dict) else {}
        reason = data.get("reason") if isinstance(data.get("reason"), str) else ""
        return Response(reveal_personal_data(order_no=order_no, actor=Actor.of(request.user), reason=reason))
