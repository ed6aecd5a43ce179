"""Review rule settings page: every rule's switch and parameters, changed all or nothing.

The changes go through `oms.orders.review.settings.update_rule`; its errors are shown above the form.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from oms.accounts.actor import Actor
from oms.accounts.roles import MANAGE_REVIEW_RULES, REVIEW_ORDERS
from oms.core.errors import ApplicationError
from oms.orders.review import settings as rule_settings
from oms.orders.review.rules import RULES
from oms.web.access import PermissionRequiredMixin, forbidden


class RuleSettingsForm(forms.Form):
    """Every rule's switch and parameters; field names are "<rule>__enabled" and "<rule>__<param>"."""

    def __init__(self, *args, rules: list[dict], editable: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = rules
        self.cleaned_settings: dict[str, tuple[bool, dict]] = {}
        for r in rules:
            self.fields[f"{r['code']}__enabled"] = forms.BooleanField(
                label=_("On"), required=False, initial=r["enabled"])
            for p in RULES[r["code"]].params:
                self.fields[f"{r['code']}__{p.name}"] = self._param_field(p, r["params"].get(p.name, p.default))
        if not editable:
            for f in self.fields.values():
                f.disabled = True

    @staticmethod
    def _param_field(param, value) -> forms.Field:
        if param.kind == "bool":
            return forms.BooleanField(label=param.label, required=False, initial=bool(value))
        if param.kind == "int":
            return forms.CharField(label=param.label, max_length=12, initial=value,
                                   widget=forms.NumberInput(attrs={"min": 0, "step": 1}))
        if param.kind == "money":
            return forms.CharField(label=param.label, max_length=20, initial=value,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal"}))
        return forms.CharField(label=param.label, required=False, max_length=4000,
                               initial="\n".join(value or []), widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("One per line, or separated by commas."))

    def clean(self):
        data = super().clean()
        for r in self.rules:
            code = r["code"]
            params = {}
            for p in RULES[code].params:
                name = f"{code}__{p.name}"
                if name in self.errors:
                    continue
                try:
                    params[p.name] = rule_settings.clean_param(p, data.get(name))
                except ValueError as exc:
                    self.add_error(name, str(exc))
            self.cleaned_settings[code] = (bool(data.get(f"{code}__enabled")), params)
        return data

    def grouped(self) -> list[dict]:
        return [{**r, "switch": self[f"{r['code']}__enabled"],
                 "fields": [{"field": self[f"{r['code']}__{p.name}"], "kind": p.kind} for p in RULES[r["code"]].params]}
                for r in self.rules]

    def named_errors(self) -> list[str]:
        """Every error with the rule and the field it is about."""
        titles = {r["code"]: r["title"] for r in self.rules}
        out = []
        for name, errors in self.errors.items():
            code, _sep, _param = name.partition("__")
            label = self.fields[name].label if name in self.fields else ""
            out += [f"{titles.get(code, code)} · {label}: {e}" if label else e for e in errors]
        return out


class ReviewRulesView(PermissionRequiredMixin, View):
    required_permission = {"GET": REVIEW_ORDERS, "POST": MANAGE_REVIEW_RULES}

    def show(self, request, form: RuleSettingsForm, *, status: int = 200):
        return render(request, "web/review/rules.html",
                      {"form": form, "rules": form.grouped(), "editable": request.user.has_perm(MANAGE_REVIEW_RULES)},
                      status=status)

    def get(self, request):
        editable = request.user.has_perm(MANAGE_REVIEW_RULES)
        return self.show(request, RuleSettingsForm(rules=rule_settings.rules_with_settings(), editable=editable))

    def post(self, request):
        rules = rule_settings.rules_with_settings()
        form = RuleSettingsForm(request.POST, rules=rules, editable=True)
        if not form.is_valid():
            return self.show(request, form, status=400)
        actor = Actor.of(request.user)
        changed = []
        try:
            with transaction.atomic():  # all or nothing
                for r in rules:
                    enabled, params = form.cleaned_settings[r["code"]]
                    new_params = {k: v for k, v in params.items() if r["params"].get(k) != v}
                    if enabled != r["enabled"] or new_params:
                        rule_settings.update_rule(code=r["code"], actor=actor, params=new_params,
                                                  enabled=enabled if enabled != r["enabled"] else None)
                        changed.append(r["title"])
        except ApplicationError as exc:
            if exc.code == "permission_denied":
                return forbidden(request)
            for key, errors in exc.details.items():
                form.add_error(None, f"{key}: {', '.join(map(str, errors))}" if isinstance(errors, list) else key)
            messages.error(request, exc.message)
            return self.show(request, form, status=exc.http_status)
        if changed:
            messages.success(request, _("Saved: %(rules)s.") % {"rules": ", ".join(changed)})
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("web:review_rules")

