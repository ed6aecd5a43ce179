"""Thin API views over buyer messaging: messages (list, one, resend), templates, language per channel."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor
from oms.accounts.roles import CHANGE_MESSAGE_TEMPLATES, RESEND_MESSAGES, VIEW_MESSAGES
from oms.core.errors import ValidationFailed
from oms.notifications import selectors, services
from oms.notifications.models import Medium, Message, MessageEvent, MessageLanguage, MessageStatus, MessageTemplate

MAX_PAGE_SIZE = 200


class MessageSerializer(serializers.ModelSerializer):
    order_no = serializers.CharField(source="order.order_no", default=None, allow_null=True)
    created_by = serializers.CharField(source="created_by.username", default=None, allow_null=True)
    resend_of = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Message
        fields = [
            "id", "order_no", "event", "medium", "recipient", "language", "subject", "body", "status", "attempts",
            "next_attempt_at", "last_error", "provider_message_id", "sent_at", "created_at", "resend_of",
            "created_by",
        ]

    def to_representation(self, instance):
        # Masked like every other screen and response (orders/personal_data.py, docs/privacy.md).
        from oms.orders.personal_data import mask_recipient, mask_text

        data = super().to_representation(instance)
        data["recipient"], data["body"] = mask_recipient(data["recipient"]), mask_text(data["body"])
        return data


class MessageTemplateSerializer(serializers.ModelSerializer):
    updated_by = serializers.CharField(source="updated_by.username", default=None, allow_null=True)

    class Meta:
        model = MessageTemplate
        fields = ["id", "event", "medium", "language", "subject", "body", "provider_template_code", "active",
                  "updated_at", "updated_by"]


class TemplateChangeIn(serializers.Serializer):
    """Documentation of PATCH input; every field is optional."""

    subject = serializers.CharField(required=False, allow_blank=True)
    body = serializers.CharField(required=False)
    provider_template_code = serializers.CharField(required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class ChannelLanguageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    language = serializers.ChoiceField(choices=MessageLanguage.choices)


class LanguageIn(serializers.Serializer):
    language = serializers.ChoiceField(choices=MessageLanguage.choices)


def _int_param(request, name: str, default: int, maximum: int) -> int:
    raw = request.query_params.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValidationFailed(details={name: [_("Must be a positive whole number.")]})
    return min(int(raw), maximum)


def _body(request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationFailed(details={"non_field_errors": [_("Send a JSON object.")]})
    return request.data


def _optional_text(data: dict, name: str, errors: dict) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        errors[name] = [_("Must be a string.")]
        return None
    return value


LIST_PARAMS = [
    OpenApiParameter("status", str, enum=MessageStatus.values),
    OpenApiParameter("medium", str, enum=Medium.values),
    OpenApiParameter("event", str, enum=MessageEvent.values),
    OpenApiParameter("order_no", str, description="order number or its beginning"),
    OpenApiParameter("page", int),
    OpenApiParameter("page_size", int),
]


class MessagesView(APIView):
    required_permissions = {"GET": VIEW_MESSAGES}

    @extend_schema(
        operation_id="messages_list",
        parameters=LIST_PARAMS,
        responses=inline_serializer("MessagePage", {
            "count": serializers.IntegerField(), "page": serializers.IntegerField(),
            "page_size": serializers.IntegerField(), "results": MessageSerializer(many=True),
        }),
        description="Messages to buyers, newest first, with their delivery status.",
    )
    def get(self, request):
        filters = selectors.MessageFilters.parse(request.query_params)
        page = _int_param(request, "page", 1, 10**6)
        size = _int_param(request, "page_size", 50, MAX_PAGE_SIZE)
        qs = selectors.message_list(filters, Actor.of(request.user))
        return Response({
            "count": qs.count(), "page": page, "page_size": size,
            "results": MessageSerializer(qs[(page - 1) * size: page * size], many=True).data,
        })


class MessageDetailView(APIView):
    required_permissions = {"GET": VIEW_MESSAGES}

    @extend_schema(operation_id="messages_retrieve", responses=MessageSerializer)
    def get(self, request, message_id: int):
        return Response(MessageSerializer(selectors.message_detail(message_id)).data)


class ResendMessageView(APIView):
    required_permissions = {"POST": RESEND_MESSAGES}

    @extend_schema(
        operation_id="messages_resend", request=None, responses={201: MessageSerializer},
        description="Send a sent, failed or logged message again, as a new message with the same text to the "
        "order's current address for that medium. A message still waiting to be sent is refused (409).",
    )
    def post(self, request, message_id: int):
        message = services.resend_message(message_id=message_id, actor=Actor.of(request.user))
        return Response(MessageSerializer(selectors.message_detail(message.pk)).data, status=201)


class MessageTemplatesView(APIView):
    required_permissions = {"GET": CHANGE_MESSAGE_TEMPLATES}

    @extend_schema(operation_id="message_templates_list", responses=MessageTemplateSerializer(many=True))
    def get(self, request):
        return Response(MessageTemplateSerializer(selectors.template_list(), many=True).data)


class MessageTemplateView(APIView):
    required_permissions = {"GET": CHANGE_MESSAGE_TEMPLATES, "PATCH": CHANGE_MESSAGE_TEMPLATES}

    @extend_schema(operation_id="message_templates_retrieve", responses=MessageTemplateSerializer)
    def get(self, request, template_id: int):
        return Response(MessageTemplateSerializer(selectors.template_detail(template_id)).data)

    @extend_schema(
        operation_id="message_templates_update", request=TemplateChangeIn, responses=MessageTemplateSerializer,
        description="Change a template. A template that does not compile or uses an undocumented variable is "
        "refused with 422 invalid_template naming the field.",
    )
    def patch(self, request, template_id: int):
        data, errors = _body(request), {}
        subject = _optional_text(data, "subject", errors)
        body = _optional_text(data, "body", errors)
        code = _optional_text(data, "provider_template_code", errors)
        active = data.get("active")
        if active is not None and not isinstance(active, bool):
            errors["active"] = [_("Must be true or false.")]
        if errors:
            raise ValidationFailed(details=errors)
        template = services.update_template(
            template_id=template_id, actor=Actor.of(request.user), subject=subject, body=body, active=active,
            provider_template_code=code,
        )
        return Response(MessageTemplateSerializer(template).data)


class ChannelLanguagesView(APIView):
    required_permissions = {"GET": CHANGE_MESSAGE_TEMPLATES}

    @extend_schema(operation_id="message_languages_list", responses=ChannelLanguageSerializer(many=True))
    def get(self, request):
        return Response(ChannelLanguageSerializer(selectors.channel_languages(), many=True).data)


class ChannelLanguageView(APIView):
    required_permissions = {"PUT": CHANGE_MESSAGE_TEMPLATES}

    @extend_schema(operation_id="message_languages_update", request=LanguageIn, responses=ChannelLanguageSerializer)
    def put(self, request, code: str):
        language = _body(request).get("language")
        if not isinstance(language, str):
            raise ValidationFailed(details={"language": [_("This field is required.")]})
        services.set_channel_language(channel_code=code, language=language, actor=Actor.of(request.user))
        row = next(c for c in selectors.channel_languages() if c["code"] == code)
        return Response(ChannelLanguageSerializer(row).data)
