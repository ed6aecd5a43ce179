from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView


class MeView(APIView):
    """Who am I: username, roles and permissions of the caller."""

    required_permissions = {"GET": "authenticated"}

    @extend_schema(
        operation_id="me_retrieve",
        responses=inline_serializer("Me", {
            "username": serializers.CharField(),
            "roles": serializers.ListField(child=serializers.CharField()),
            "permissions": serializers.ListField(child=serializers.CharField()),
        }),
    )
    def get(self, request):
        user = request.user
        return Response({
            "username": user.username,
            "roles": list(user.role_codes()),
            "permissions": sorted(user.get_all_permissions()),
        })
