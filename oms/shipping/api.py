"""Carriers, rate cards and carrier rules API; a package's carrier chosen again or set by hand.

Thin: parse the JSON body, call oms.shipping.services / package_carriers, shape the answer.
Invalid fields come back as 422 invalid_carrier_settings with every bad field in the details.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from oms.accounts.actor import Actor
from oms.accounts.roles import HAND_OVER, MANAGE_CARRIERS
from oms.core.errors import ValidationFailed
from oms.shipping import package_carriers, services
from oms.shipping.models import Carrier, CarrierRule, RateCard


def _body(request) -> dict:
    if not isinstance(request.data, dict):
        raise ValidationFailed(_("The request body must be a JSON object."))
    return dict(request.data)


def carrier_out(c: Carrier) -> dict:
    return {"code": c.code, **services.carrier_values(c)}


def card_out(card: RateCard) -> dict:
    return {"carrier": card.carrier.code, "warehouse": card.warehouse.code, **services.card_values(card)}


def rule_out(rule: CarrierRule) -> dict:
    return {"id": rule.pk, **services.rule_values(rule)}


def _schema(name: str, fields: dict, **kwargs):
    return inline_serializer(name, fields, **kwargs)


CARRIER_FIELDS = {
    "code": serializers.CharField(), "name": serializers.CharField(), "service_level": serializers.CharField(),
    "supports_cod": serializers.BooleanField(), "tracking_number_pattern": serializers.CharField(),
    "adapter": serializers.CharField(), "adapter_code": serializers.CharField(), "active": serializers.BooleanField(),
}
ZONE = _schema("RateZone", {
    "name": serializers.CharField(), "provinces": serializers.ListField(child=serializers.CharField()),
    "served": serializers.BooleanField(), "first_weight_g": serializers.IntegerField(),
    "first_price": serializers.CharField(), "step_weight_g": serializers.IntegerField(),
    "step_price": serializers.CharField(), "promise_days": serializers.IntegerField(),
    "no_update_hours": serializers.IntegerField(),
})
CARD_FIELDS = {
    "carrier": serializers.CharField(), "warehouse": serializers.CharField(),
    "volumetric_divisor": serializers.IntegerField(), "insurance_rate_permille": serializers.CharField(),
    "insurance_min_fee": serializers.CharField(), "insurance_max_value": serializers.CharField(),
    "active": serializers.BooleanField(), "zones": serializers.ListField(child=ZONE),
}
RULE_FIELDS = {
    "id": serializers.IntegerField(), "name": serializers.CharField(), "position": serializers.IntegerField(),
    "active": serializers.BooleanField(), "min_weight_g": serializers.IntegerField(allow_null=True),
    "max_weight_g": serializers.IntegerField(allow_null=True),
    "provinces": serializers.ListField(child=serializers.CharField()), "cod_only": serializers.BooleanField(),
    "remark_keywords": serializers.ListField(child=serializers.CharField()),
    "min_order_amount": serializers.CharField(allow_null=True),
    "max_promise_days": serializers.IntegerField(allow_null=True),
    "carriers": serializers.ListField(child=serializers.CharField()),
    "excluded_carriers": serializers.ListField(child=serializers.CharField()),
}
CARRIER = _schema("Carrier", CARRIER_FIELDS)
CARRIERS = _schema("Carrier", CARRIER_FIELDS, many=True)
CARD = _schema("RateCard", CARD_FIELDS)
CARDS = _schema("RateCard", CARD_FIELDS, many=True)
RULE = _schema("CarrierRule", RULE_FIELDS)
RULES = _schema("CarrierRule", RULE_FIELDS, many=True)
PACKAGE_CARRIER = inline_serializer("PackageCarrier", {
    "package": serializers.CharField(), "carrier": serializers.CharField(allow_null=True),
    "freight": serializers.CharField(), "weight_g": serializers.IntegerField(),
})


class CarriersView(APIView):
    required_permissions = {"GET": MANAGE_CARRIERS, "POST": MANAGE_CARRIERS}

    @extend_schema(operation_id="carriers_list", responses=CARRIERS)
    def get(self, request):
        return Response([carrier_out(c) for c in Carrier.objects.order_by("code")])

    @extend_schema(operation_id="carriers_create", request=CARRIER, responses={201: CARRIER},
                   description="Add a carrier. The tracking number pattern must be a valid regular expression.")
    def post(self, request):
        carrier = services.create_carrier(values=_body(request), actor=Actor.of(request.user))
        return Response(carrier_out(carrier), status=201)


class CarrierView(APIView):
    required_permissions = {"GET": MANAGE_CARRIERS, "PATCH": MANAGE_CARRIERS}

    @extend_schema(operation_id="carriers_retrieve", responses=CARRIER)
    def get(self, request, code: str):
        return Response(carrier_out(services.get_carrier(code)))

    @extend_schema(operation_id="carriers_update", request=CARRIER, responses=CARRIER,
                   description="Change some of a carrier's fields; the code cannot change.")
    def patch(self, request, code: str):
        carrier = services.update_carrier(code=code, changes=_body(request), actor=Actor.of(request.user))
        return Response(carrier_out(carrier))


class RateCardsView(APIView):
    required_permissions = {"GET": MANAGE_CARRIERS}

    @extend_schema(operation_id="rate_cards_list", responses=CARDS)
    def get(self, request):
        cards = RateCard.objects.select_related("carrier", "warehouse").prefetch_related("zones")
        if request.query_params.get("carrier"):
            cards = cards.filter(carrier__code=request.query_params["carrier"])
        if request.query_params.get("warehouse"):
            cards = cards.filter(warehouse__code=request.query_params["warehouse"])
        return Response([card_out(c) for c in cards.order_by("carrier__code", "warehouse__code")])


class RateCardView(APIView):
    required_permissions = {"GET": MANAGE_CARRIERS, "PUT": MANAGE_CARRIERS}

    @extend_schema(operation_id="rate_cards_retrieve", responses=CARD)
    def get(self, request, carrier: str, warehouse: str):
        return Response(card_out(services.get_rate_card(carrier, warehouse)))

    @extend_schema(operation_id="rate_cards_save", request=CARD, responses=CARD,
                   description="Create or change a carrier's card for a warehouse. Fields left out keep their "
                               "value; `zones`, when given, replace all zones of the card. Provinces are names "
                               "of the national list; a province may be in one zone of a card only.")
    def put(self, request, carrier: str, warehouse: str):
        data = _body(request)
        data.pop("carrier", None), data.pop("warehouse", None)
        card = services.save_rate_card(carrier_code=carrier, warehouse_code=warehouse, values=data,
                                       actor=Actor.of(request.user))
        return Response(card_out(card))


class CarrierRulesView(APIView):
    required_permissions = {"GET": MANAGE_CARRIERS, "POST": MANAGE_CARRIERS}

    @extend_schema(operation_id="carrier_rules_list", responses=RULES)
    def get(self, request):
        return Response([rule_out(r) for r in CarrierRule.objects.order_by("position", "id")])

    @extend_schema(operation_id="carrier_rules_create", request=RULE, responses={201: RULE},
                   description="Add a carrier rule: conditions (empty ones match everything) and at least one "
                               "effect (max_promise_days, carriers, excluded_carriers).")
    def post(self, request):
        data = _body(request)
        data.pop("id", None)
        rule = services.create_carrier_rule(values=data, actor=Actor.of(request.user))
        return Response(rule_out(rule), status=201)


class CarrierRuleView(APIView):
    required_permissions = {"GET": MANAGE_CARRIERS, "PATCH": MANAGE_CARRIERS}

    @extend_schema(operation_id="carrier_rules_retrieve", responses=RULE)
    def get(self, request, rule_id: str):
        return Response(rule_out(services.get_carrier_rule(rule_id)))

    @extend_schema(operation_id="carrier_rules_update", request=RULE, responses=RULE,
                   description="Change some fields of a carrier rule; `active: false` switches it off.")
    def patch(self, request, rule_id: str):
        data = _body(request)
        data.pop("id", None)
        rule = services.update_carrier_rule(rule_id=rule_id, changes=data, actor=Actor.of(request.user))
        return Response(rule_out(rule))


def _package_out(package) -> dict:
    return {"package": package.number, "carrier": package.carrier.code if package.carrier else None,
            "freight": f"{package.freight:.2f}", "weight_g": package.packed_weight_g or package.weight_g}


class ChooseCarrierAgainView(APIView):
    required_permissions = {"POST": HAND_OVER}

    @extend_schema(operation_id="packages_choose_carrier", request=None, responses=PACKAGE_CARRIER,
                   description="Run the carrier choice again for a packed package with its weighed weight "
                               "(before hand-over). 422 no_carrier_left names why each carrier was dropped.")
    def post(self, request, number: str):
        package = package_carriers.choose_carrier_again(package_number=number, actor=Actor.of(request.user))
        return Response(_package_out(package))


class PackageCarrierView(APIView):
    required_permissions = {"PUT": MANAGE_CARRIERS}

    @extend_schema(operation_id="packages_set_carrier",
                   request=inline_serializer("PackageCarrierIn", {"carrier": serializers.CharField(),
                                                                  "reason": serializers.CharField()}),
                   responses=PACKAGE_CARRIER,
                   description="Set a package's carrier by hand, with a reason (before hand-over); refused "
                               "with 422 carrier_does_not_serve when that carrier does not go to the destination.")
    def put(self, request, number: str):
        data = _body(request)
        carrier, reason = data.get("carrier"), data.get("reason", "")
        if not isinstance(carrier, str) or not isinstance(reason, str):
            raise ValidationFailed(details={"carrier": [_("Must be text.")]})
        package = package_carriers.set_package_carrier(package_number=number, carrier_code=carrier,
                                                       actor=Actor.of(request.user), reason=reason)
        return Response(_package_out(package))
