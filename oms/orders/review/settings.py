"""Operations' settings for the review rules: read them with their defaults, change them with checks."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from oms.accounts.actor import Actor, require
from oms.accounts.roles import MANAGE_REVIEW_RULES
from oms.audit.services import record
from oms.core.errors import NotFound, ValidationFailed
from oms.orders.review.models import ReviewRuleSetting
from oms.orders.review.rules import RULES, Param, Rule


class UnknownRule(NotFound):
    code = "unknown_rule"


def _rule(code: str) -> Rule:
    rule = RULES.get(code)
    if rule is None:
        raise UnknownRule(_("No review rule has this code."), details={"code": code, "known": list(RULES)})
    return rule


def _shape(rule: Rule, setting: ReviewRuleSetting | None) -> dict:
    return {
        "code": rule.code,
        "title": str(rule.title),
        "description": str(rule.description),
        "enabled": setting.enabled if setting else True,
        "params": {**rule.defaults(), **(setting.params if setting else {})},
        "defaults": rule.defaults(),
        "param_labels": {p.name: str(p.label) for p in rule.params},
        "param_kinds": {p.name: p.kind for p in rule.params},
        "updated_by": setting.updated_by.username if setting and setting.updated_by else None,
        "updated_at": setting.updated_at if setting else None,
    }


def rules_with_settings() -> list[dict]:
    stored = {s.code: s for s in ReviewRuleSetting.objects.select_related("updated_by")}
    return [_shape(rule, stored.get(code)) for code, rule in RULES.items()]


def rule_with_settings(code: str) -> dict:
    rule = _rule(code)
    return _shape(rule, ReviewRuleSetting.objects.select_related("updated_by").filter(code=code).first())


def clean_param(param: Param, value: Any) -> Any:
    """The stored form of one parameter value, or ValueError with the reason."""
    if param.kind == "bool":
        if isinstance(value, bool):
            return value
        raise ValueError(_("Must be true or false."))
    if param.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError(_("Must be a whole number of 0 or more."))
        try:
            number = int(value)
        except ValueError:
            raise ValueError(_("Must be a whole number of 0 or more.")) from None
        if number < 0:
            raise ValueError(_("Must be a whole number of 0 or more."))
        return number
    if param.kind == "money":
        try:
            amount = Decimal(str(value)) if isinstance(value, int | str) and not isinstance(value, bool) else None
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:
            raise ValueError(_("Must be an amount such as \"5000.00\"."))
        return f"{amount:.2f}"
    if param.kind == "words":
        if isinstance(value, str):
            value = value.replace("，", ",").replace("\n", ",").split(",")
        if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
            raise ValueError(_("Must be a list of words."))
        return [w.strip() for w in value if w.strip()]
    raise ValueError(param.kind)


@transaction.atomic
def update_rule(*, code: str, actor: Actor, enabled: bool | None = None, params: dict | None = None) -> None:
    """Switch a rule on or off and change some of its parameters; every bad value is named."""
    require(actor, MANAGE_REVIEW_RULES)
    rule = _rule(code)
    by_name = {p.name: p for p in rule.params}
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for name, value in (params or {}).items():
        if name not in by_name:
            errors[f"params.{name}"] = [_("This rule has no such setting.")]
            continue
        try:
            cleaned[name] = clean_param(by_name[name], value)
        except ValueError as exc:
            errors[f"params.{name}"] = [str(exc)]
    if errors:
        raise ValidationFailed(_("Some settings are not valid."), details=errors)
    setting, _created = ReviewRuleSetting.objects.select_for_update().get_or_create(code=code)
    before = {"enabled": setting.enabled, **{k: setting.params.get(k, rule.defaults()[k]) for k in cleaned}}
    if enabled is not None:
        setting.enabled = enabled
    setting.params = {**setting.params, **cleaned}
    setting.updated_by = actor.user
    setting.save()
    after = {"enabled": setting.enabled, **{k: setting.params[k] for k in cleaned}}
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        record(None, "review_rule_changed", actor=actor, changes=changes, data={"rule": code})
