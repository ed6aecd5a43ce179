"""The buyer's out-of-stock choice by API: the shortage queue and recording a choice (manual §2.6.4)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor
from oms.accounts.roles import RECORD_STOCK_CHOICE, VIEW_ORDERS
from oms.core.api_input import json_object, text_field
from oms.core.errors import ValidationFailed
from oms.orders.stock_choice import PartialRest, Shortage, StockChoice, record_stock_choice, shortage_queue


def shortage_data(s: Shortage) -> dict:
    return {
        "order_no": s.order_no, "placed_at": timezone.localtime(s.placed_at).isoformat(),
        "waiting_since": timezone.localtime(s.since).isoformat(), "days_waiting": s.days_waiting,
        "status": s.status, "kind": s.kind, "choice": s.choice, "missing_units": s.missing_units,
        "lines": [{"line_no": ln.line_no, "sku": ln.sku, "name": ln.name, "ordered": ln.ordered, "open": ln.open,
                   "missing": ln.missing} for ln in s.lines],
    }


SHORTAGE_OUT = inline_serializer("StockShortage", {
    "order_no": serializers.CharField(), "placed_at": serializers.DateTimeField(),
    "waiting_since": serializers.DateTimeField(), "days_waiting": serializers.IntegerField(),
    "status": serializers.CharField(), "kind": serializers.ChoiceField(choices=["held", "rest_waiting"]),
    "choice": serializers.CharField(), "missing_units": serializers.IntegerField(),
    "lines": serializers.ListField(child=serializers.DictField()),
})


class StockShortagesView(APIView):
    required_permissions = {"GET": VIEW_ORDERS}

    @extend_schema(operation_id="stock_shortages",
                   responses=inline_serializer("StockShortages", {"results": SHORTAGE_OUT}),
                   description="Orders held for stock (kind=held: missing units per line against the available "
                               "stock of the warehouses serving the order now) and orders shipped in part whose "
                               "rest waits for stock (kind=rest_waiting), oldest first, with the buyer's recorded "
                               "choice (blank until one is recorded).")
    def get(self, request):
        return Response({"results": [shortage_data(s) for s in shortage_queue(actor=Actor.of(request.user))]})


STOCK_CHOICE_IN = inline_serializer("StockChoiceIn", {
    "choice": serializers.ChoiceField(choices=StockChoice.values),
    "rest": serializers.ChoiceField(choices=PartialRest.values, required=False),
    "lines": serializers.ListField(child=inline_serializer("StockChoiceLine", {
        "line_no": serializers.IntegerField(), "quantity": serializers.IntegerField()}), required=False),
    "note": serializers.CharField(required=False),
})


class StockChoiceView(APIView):
    required_permissions = {"POST": RECORD_STOCK_CHOICE}

    @extend_schema(operation_id="orders_stock_choice", request=STOCK_CHOICE_IN,
                   responses=inline_serializer("StockChoiceOut", {
                       "order_no": serializers.CharField(), "status": serializers.CharField(),
                       "choice": serializers.CharField(), "approved": serializers.BooleanField(),
                       "held_back": serializers.ListField(child=serializers.DictField()),
                       "refund": serializers.CharField(allow_blank=True)}),
                   description="Record the buyer's choice for an order on hold for stock. wait: the order resumes "
                               "by itself when stock arrives, oldest first. partial_ship with rest=wait|cancel: what "
                               "is in stock ships now; the rest gets its own package when stock arrives, or is "
                               "cancelled with a partial refund. cancel_lines with lines=[{line_no, quantity}]: "
                               "those units are cancelled with a partial refund (their pro-rated net amount) and "
                               "the rest is reviewed again; on an order whose rest waits, cancel_lines cancels waiting "
                               "units only. cancel_order: the order is cancelled (reason out_of_stock) with a full "
                               "refund. 409 not_held_for_stock for other orders.")
    def post(self, request, order_no: str):
        data = json_object(request)
        lines = data.get("lines")
        if lines is not None and not isinstance(lines, list):
            raise ValidationFailed(details={"lines": [_("A list of {line_no, quantity}.")]})
        outcome = record_stock_choice(order_no=order_no, actor=Actor.of(request.user),
                                      choice=text_field(data, "choice", required=True).strip(),
                                      rest=text_field(data, "rest").strip(), lines=lines,
                                      note=text_field(data, "note"))
        order = outcome.order
        return Response({"order_no": order.order_no, "status": order.status, "choice": outcome.choice,
                         "approved": outcome.approved, "refund": outcome.refund,
                         "held_back": [{"line_no": k, "units": v} for k, v in sorted(outcome.held_back.items())]})
