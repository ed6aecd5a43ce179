"""Tracking pushed by carriers: one endpoint per adapter, authenticated by the adapter's signature."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor
from oms.shipping.adapters import adapter_named
from oms.shipping.tracking import ingest_events


class TrackingPushView(APIView):
    # No session or token: the carrier signs its pushes and the adapter checks the signature.
    required_permissions = "public"
    authentication_classes: list = []
    parser_classes = [FormParser, MultiPartParser, JSONParser]

    @extend_schema(
        operation_id="tracking_push",
        parameters=[OpenApiParameter("adapter", str, OpenApiParameter.PATH, description="kuaidi100")],
        request=inline_serializer("TrackingPushIn", {"param": serializers.CharField(),
                                                     "sign": serializers.CharField()}),
        responses={200: inline_serializer("TrackingPushOut", {"result": serializers.BooleanField(),
                                                              "returnCode": serializers.CharField(),
                                                              "message": serializers.CharField()})},
        description="Tracking updates pushed by a carrier aggregator in its own documented shape (Kuaidi100: a "
                    "form with `param` and `sign` = MD5(param + salt)). A bad signature is refused and nothing is "
                    "stored; replayed and late events are harmless.",
    )
    def post(self, request, adapter: str):
        events, reply = adapter_named(adapter).parse_push(request)
        if events:
            ingest_events(events=events, source="push", actor=Actor.system())
        return Response(reply.body, status=reply.status)
