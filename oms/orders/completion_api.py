"""Receipt confirmation by API: channels report the buyer's or the platform's confirmation; staff their own."""

from __future__ import annotations

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor
from oms.accounts.roles import CONFIRM_RECEIPT, INTEGRATION
from oms.channels.models import ChannelKind
from oms.core.errors import ValidationFailed
from oms.orders.completion import ReceiptBy, confirm_receipt
from oms.orders.models import Order

CHANNEL_BY = {ReceiptBy.BUYER, ReceiptBy.PLATFORM}


def receipt_by(actor: Actor, order_no: str, asked) -> str:
    """Who confirmed: a channel says buyer or platform (marketplaces default to platform); staff are CS."""
    if INTEGRATION not in actor.roles:
        if asked not in (None, "", ReceiptBy.CUSTOMER_SERVICE):
            raise ValidationFailed(details={"by": [_("Staff confirm receipt as customer_service.")]})
        return ReceiptBy.CUSTOMER_SERVICE
    if asked in (None, ""):
        kind = Order.objects.filter(order_no=order_no).values_list("channel__kind", flat=True).first()
        return ReceiptBy.PLATFORM if kind == ChannelKind.MARKETPLACE else ReceiptBy.BUYER
    if asked not in CHANNEL_BY:
        raise ValidationFailed(details={"by": [_("One of: buyer, platform.")]})
    return asked


RECEIPT_OUT = inline_serializer("ReceiptConfirmed", {
    "order_no": serializers.CharField(), "status": serializers.CharField(),
    "completed_at": serializers.DateTimeField(), "receipt_confirmed_by": serializers.CharField(),
    "changed": serializers.BooleanField(),
})


class ConfirmReceiptView(APIView):
    required_permissions = {"POST": CONFIRM_RECEIPT}

    @extend_schema(operation_id="orders_confirm_receipt",
                   request=inline_serializer("ReceiptIn", {
                       "confirmed_at": serializers.DateTimeField(required=False),
                       "by": serializers.ChoiceField(choices=["buyer", "platform", "customer_service"],
                                                     required=False)}),
                   responses=RECEIPT_OUT,
                   description="Complete a shipped or delivered order on receipt. Channel integrations send the "
                               "buyer's confirmation, or the platform's (by=platform, the default for marketplace "
                               "channels); staff confirm as customer_service. A resend for a completed order "
                               "answers 200 with changed=false; an order not yet shipped answers 409 "
                               "receipt_not_confirmable.")
    def post(self, request, order_no: str):
        data = request.data if request.data else {}
        if not isinstance(data, dict):
            raise ValidationFailed(_("The request body must be a JSON object."))
        at = data.get("confirmed_at") or None
        if at is not None:
            try:
                at = parse_datetime(at) if isinstance(at, str) else None
            except ValueError:  # well-formed but impossible, such as minute 61
                at = None
            if at is None or timezone.is_naive(at):
                raise ValidationFailed(details={"confirmed_at": [
                    _("A date and time with its offset, e.g. 2026-11-27T16:00:00+08:00.")]})
        actor = Actor.of(request.user)
        outcome = confirm_receipt(order_no=order_no, actor=actor, by=receipt_by(actor, order_no, data.get("by")),
                                  at=at)
        order = outcome.order
        completed_at = timezone.localtime(order.completed_at).isoformat() if order.completed_at else None
        return Response({"order_no": order.order_no, "status": order.status, "completed_at": completed_at,
                         "receipt_confirmed_by": order.receipt_confirmed_by, "changed": outcome.changed})
