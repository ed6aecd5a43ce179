"""Back-office pages for carriers, their rate cards (zones, insurance) and the carrier rules.

Thin: the forms collect text, oms.shipping.services validates and saves (audited); its errors are
put next to the fields they name ("zones.1.provinces" → the provinces of zone row 2).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from oms.accounts.actor import Actor
from oms.accounts.roles import MANAGE_CARRIERS
from oms.core.errors import ApplicationError
from oms.geo.index import load_divisions
from oms.inventory.models import Warehouse
from oms.shipping import services
from oms.shipping.models import Carrier, CarrierAdapter, CarrierRule, RateCard, ServiceLevel
from oms.web.access import PermissionRequiredMixin, forbidden

BLANK_ZONE_ROWS = 2


def province_choices() -> list[tuple[str, str]]:
    """The provinces of the national list, in code order."""
    provinces = {d.code: d.name for d in load_divisions().provinces.values()}
    return [(name, name) for _code, name in sorted(provinces.items())]


def _not_found(request, text: str):
    return render(request, "web/carriers/not_found.html", {"text": text}, status=404)


def _place_errors(request, form: forms.Form, exc: ApplicationError, *, field_of=lambda key: key):
    """Service errors next to their fields (or above the form); a forbidden page when not allowed."""
    if exc.code == "permission_denied":
        return forbidden(request)
    placed = False
    for key, value in exc.details.items():
        texts = value if isinstance(value, list) else [exc.message]
        name = field_of(key)
        for text in texts:
            form.add_error(name if name in form.fields else None, str(text))
        placed = True
    if not placed:
        form.add_error(None, exc.message)
    return None


# --- carriers ---------------------------------------------------------------------------------------

class CarrierForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code"), max_length=32)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=64)
    service_level = forms.ChoiceField(label=gettext_lazy("Service level"), choices=ServiceLevel.choices)
    supports_cod = forms.BooleanField(label=gettext_lazy("Collects cash on delivery"), required=False)
    tracking_number_pattern = forms.CharField(
        label=gettext_lazy("Tracking number pattern"), max_length=200, required=False,
        help_text=gettext_lazy("A regular expression, such as ^SF\\d{12}$"))
    adapter = forms.ChoiceField(label=gettext_lazy("Adapter"), choices=CarrierAdapter.choices)
    adapter_code = forms.CharField(label=gettext_lazy("Code at the aggregator"), max_length=32, required=False)
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["code"].disabled = True

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if not self.fields[k].disabled}


class CarrierListView(PermissionRequiredMixin, View):
    required_permission = MANAGE_CARRIERS

    def get(self, request):
        cards = RateCard.objects.select_related("carrier", "warehouse").prefetch_related("zones")
        by_carrier: dict[int, list] = {}
        for card in cards.order_by("warehouse__code"):
            by_carrier.setdefault(card.carrier_id, []).append(card)
        carriers = list(Carrier.objects.order_by("code"))
        warehouses = list(Warehouse.objects.filter(active=True).order_by("code"))
        for c in carriers:
            c.cards = by_carrier.get(c.pk, [])
            c.missing = [w for w in warehouses if w.pk not in {card.warehouse_id for card in c.cards}]
        return render(request, "web/carriers/list.html", {
            "carriers": carriers, "rules": CarrierRule.objects.filter(active=True).count()})


class CarrierFormView(PermissionRequiredMixin, View):
    required_permission = MANAGE_CARRIERS

    def show(self, form, carrier=None, *, status=200):
        return render(self.request, "web/carriers/carrier_form.html", {"form": form, "carrier": carrier},
                      status=status)

    def save(self, request, form, action, carrier=None):
        if not form.is_valid():
            return self.show(form, carrier, status=400)
        try:
            saved = action(form.values())
        except ApplicationError as exc:
            return _place_errors(request, form, exc) or self.show(form, carrier, status=exc.http_status)
        messages.success(request, _("Carrier %(code)s saved.") % {"code": saved.code})
        return redirect("web:carrier_edit", code=saved.code)


class CarrierCreateView(CarrierFormView):
    def get(self, request):
        return self.show(CarrierForm())

    def post(self, request):
        actor = Actor.of(request.user)
        return self.save(request, CarrierForm(request.POST),
                         lambda values: services.create_carrier(values=values, actor=actor))


class CarrierEditView(CarrierFormView):
    def form(self, carrier, data=None):
        return CarrierForm(data, initial={"code": carrier.code, **services.carrier_values(carrier)}, editing=True)

    def get(self, request, code: str):
        carrier = Carrier.objects.filter(code=code).first()
        if carrier is None:
            return _not_found(request, _("No carrier has the code %(code)s.") % {"code": code})
        return self.show(self.form(carrier), carrier)

    def post(self, request, code: str):
        carrier = Carrier.objects.filter(code=code).first()
        if carrier is None:
            return _not_found(request, _("No carrier has the code %(code)s.") % {"code": code})
        actor = Actor.of(request.user)
        return self.save(request, self.form(carrier, request.POST),
                         lambda values: services.update_carrier(code=code, changes=values, actor=actor), carrier)


# --- rate cards -------------------------------------------------------------------------------------

class RateCardForm(forms.Form):
    """The card's terms and one row of fields per zone ("z0_name", "z0_provinces", …); empty rows are skipped."""

    volumetric_divisor = forms.CharField(label=gettext_lazy("Volumetric divisor (cm³ per kg)"), max_length=8)
    insurance_rate_permille = forms.CharField(label=gettext_lazy("Insurance rate (‰ of declared value)"),
                                              max_length=10)
    insurance_min_fee = forms.CharField(label=gettext_lazy("Minimum insurance fee"), max_length=14)
    insurance_max_value = forms.CharField(label=gettext_lazy("Highest insurable value (0: does not insure)"),
                                          max_length=14)
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False)

    ZONE_FIELDS = [
        ("name", gettext_lazy("Zone")), ("provinces", gettext_lazy("Provinces")),
        ("served", gettext_lazy("Served")), ("first_weight_g", gettext_lazy("First weight (g)")),
        ("first_price", gettext_lazy("First weight price")), ("step_weight_g", gettext_lazy("Step (g)")),
        ("step_price", gettext_lazy("Price per step")), ("promise_days", gettext_lazy("Promise (days)")),
        ("no_update_hours", gettext_lazy("Exception after hours without update")),
    ]

    def __init__(self, *args, rows: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        choices = province_choices()
        for i in range(rows):
            for name, label in self.ZONE_FIELDS:
                key = f"z{i}_{name}"
                if name == "provinces":
                    field = forms.MultipleChoiceField(label=label, choices=choices, required=False,
                                                      widget=forms.SelectMultiple(attrs={"size": 6}))
                elif name == "served":
                    field = forms.BooleanField(label=label, required=False)
                else:
                    field = forms.CharField(label=label, required=False, max_length=64)
                self.fields[key] = field

    def zone_rows(self) -> list[list]:
        return [[self[f"z{i}_{name}"] for name, _label in self.ZONE_FIELDS] for i in range(self.rows)]

    def values(self) -> tuple[dict, list[int]]:
        """The card's values for the service, and which form row each zone came from."""
        data = self.cleaned_data
        zones, rows = [], []
        for i in range(self.rows):
            zone = {name: data.get(f"z{i}_{name}") for name, _label in self.ZONE_FIELDS}
            if not (zone["name"] or "").strip() and not zone["provinces"]:
                continue
            zones.append(zone)
            rows.append(i)
        values = {k: data[k] for k in ("volumetric_divisor", "insurance_rate_permille", "insurance_min_fee",
                                       "insurance_max_value", "active")}
        return {**values, "zones": zones}, rows


class RateCardView(PermissionRequiredMixin, View):
    required_permission = MANAGE_CARRIERS

    def load(self, carrier_code: str, warehouse_code: str):
        self.carrier = Carrier.objects.filter(code=carrier_code).first()
        self.warehouse = Warehouse.objects.filter(code=warehouse_code).first()
        if self.carrier is None or self.warehouse is None:
            return _not_found(self.request, _("No carrier %(carrier)s or no warehouse %(warehouse)s.")
                              % {"carrier": carrier_code, "warehouse": warehouse_code})
        self.card = RateCard.objects.filter(carrier=self.carrier, warehouse=self.warehouse).first()
        return None

    def form(self, data=None):
        if self.card is not None:
            values = services.card_values(self.card)
        else:
            values = {"volumetric_divisor": 8000, "insurance_rate_permille": "0.00", "insurance_min_fee": "0.00",
                      "insurance_max_value": "0.00", "active": True, "zones": []}
        zones = values.pop("zones")
        initial = dict(values)
        for i, zone in enumerate(zones):
            initial.update({f"z{i}_{k}": v for k, v in zone.items()})
        for i in range(len(zones), len(zones) + BLANK_ZONE_ROWS):
            initial.update({f"z{i}_served": True, f"z{i}_first_weight_g": 1000, f"z{i}_step_weight_g": 1000,
                            f"z{i}_promise_days": 3, f"z{i}_no_update_hours": 48})
        rows = len(zones) + BLANK_ZONE_ROWS
        if data is not None:  # as many rows as were posted
            rows = max(rows, 1 + max((int(k[1:].split("_")[0]) for k in data if k[:1] == "z" and "_" in k
                                      and k[1:].split("_")[0].isdigit()), default=-1))
        return RateCardForm(data, initial=initial, rows=min(rows, 60))

    def show(self, form, *, status=200):
        return render(self.request, "web/carriers/card_form.html", {
            "form": form, "carrier": self.carrier, "warehouse": self.warehouse, "card": self.card}, status=status)

    def get(self, request, carrier: str, warehouse: str):
        return self.load(carrier, warehouse) or self.show(self.form())

    def post(self, request, carrier: str, warehouse: str):
        if missing := self.load(carrier, warehouse):
            return missing
        form = self.form(request.POST)
        if not form.is_valid():
            return self.show(form, status=400)
        values, rows = form.values()
        try:
            services.save_rate_card(carrier_code=carrier, warehouse_code=warehouse, values=values,
                                    actor=Actor.of(request.user))
        except ApplicationError as exc:
            def field_of(key: str) -> str:
                parts = key.split(".")
                if parts[0] == "zones" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(rows):
                    return f"z{rows[int(parts[1])]}_{parts[2]}"
                return key
            return _place_errors(request, form, exc, field_of=field_of) or self.show(form, status=exc.http_status)
        messages.success(request, _("Rate card saved."))
        return redirect("web:rate_card", carrier=carrier, warehouse=warehouse)


# --- carrier rules ----------------------------------------------------------------------------------

class CarrierRuleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=64)
    position = forms.CharField(label=gettext_lazy("Position"), max_length=8, initial=100,
                               help_text=gettext_lazy("Rules apply in this order; all matching rules apply."))
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    min_weight_g = forms.CharField(label=gettext_lazy("From weight (g)"), required=False, max_length=10)
    max_weight_g = forms.CharField(label=gettext_lazy("Up to weight (g)"), required=False, max_length=10)
    provinces = forms.MultipleChoiceField(label=gettext_lazy("Destination provinces (none: everywhere)"),
                                          required=False, widget=forms.SelectMultiple(attrs={"size": 8}))
    cod_only = forms.BooleanField(label=gettext_lazy("Cash-on-delivery orders only"), required=False)
    remark_keywords = forms.CharField(label=gettext_lazy("Buyer remark contains one of"), required=False,
                                      max_length=500, help_text=gettext_lazy("Separated by commas, such as 加急,急用"))
    min_order_amount = forms.CharField(label=gettext_lazy("From order amount"), required=False, max_length=14)
    max_promise_days = forms.CharField(label=gettext_lazy("Delivery promise at most (days)"), required=False,
                                       max_length=4)
    carriers = forms.MultipleChoiceField(label=gettext_lazy("Only these carriers"), required=False,
                                         widget=forms.CheckboxSelectMultiple)
    excluded_carriers = forms.MultipleChoiceField(label=gettext_lazy("Never these carriers"), required=False,
                                                  widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provinces"].choices = province_choices()
        carriers = [(c.code, f"{c.name} ({c.code})") for c in Carrier.objects.order_by("code")]
        self.fields["carriers"].choices = carriers
        self.fields["excluded_carriers"].choices = carriers

    def values(self) -> dict:
        return dict(self.cleaned_data)


class CarrierRuleListView(PermissionRequiredMixin, View):
    required_permission = MANAGE_CARRIERS

    def get(self, request):
        return render(request, "web/carriers/rules.html",
                      {"rules": CarrierRule.objects.order_by("position", "id")})


class CarrierRuleFormView(PermissionRequiredMixin, View):
    required_permission = MANAGE_CARRIERS

    def show(self, form, rule=None, *, status=200):
        return render(self.request, "web/carriers/rule_form.html", {"form": form, "rule": rule}, status=status)

    def save(self, request, form, action, rule=None):
        if not form.is_valid():
            return self.show(form, rule, status=400)
        try:
            saved = action(form.values())
        except ApplicationError as exc:
            return _place_errors(request, form, exc) or self.show(form, rule, status=exc.http_status)
        messages.success(request, _("Carrier rule “%(name)s” saved.") % {"name": saved.name})
        return redirect("web:carrier_rules")


class CarrierRuleCreateView(CarrierRuleFormView):
    def get(self, request):
        return self.show(CarrierRuleForm())

    def post(self, request):
        actor = Actor.of(request.user)
        return self.save(request, CarrierRuleForm(request.POST),
                         lambda values: services.create_carrier_rule(values=values, actor=actor))


class CarrierRuleEditView(CarrierRuleFormView):
    def form(self, rule, data=None):
        initial = services.rule_values(rule)
        initial["remark_keywords"] = ", ".join(initial["remark_keywords"])
        return CarrierRuleForm(data, initial=initial)

    def get(self, request, rule_id: str):
        rule = CarrierRule.objects.filter(pk=int(rule_id)).first() if rule_id.isdigit() and len(rule_id) < 10 else None
        if rule is None:
            return _not_found(request, _("There is no carrier rule with this id."))
        return self.show(self.form(rule), rule)

    def post(self, request, rule_id: str):
        rule = CarrierRule.objects.filter(pk=int(rule_id)).first() if rule_id.isdigit() and len(rule_id) < 10 else None
        if rule is None:
            return _not_found(request, _("There is no carrier rule with this id."))
        actor = Actor.of(request.user)
        return self.save(request, self.form(rule, request.POST),
                         lambda values: services.update_carrier_rule(rule_id=rule_id, changes=values, actor=actor),
                         rule)
