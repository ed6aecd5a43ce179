"""Readable texts for a carrier choice in the order timeline (the data of `choice.Choice.as_data`)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.shipping import choice

DROP_REASONS = {
    choice.NOT_SERVED: gettext_lazy("does not go there"),
    choice.NO_COD: gettext_lazy("no cash on delivery"),
    choice.TOO_SLOW: gettext_lazy("promise too slow"),
    choice.NOT_IN_RULE: gettext_lazy("not among the carriers of rule “%(rule)s”"),
    choice.EXCLUDED: gettext_lazy("excluded by rule “%(rule)s”"),
    choice.NOT_INSURED: gettext_lazy("does not insure parcels"),
    choice.OVER_INSURABLE: gettext_lazy("declared value above what it insures"),
}


def option_text(option: dict) -> str:
    """One compared carrier: "sf 14.00 (1 day)" or "zto 7.00 (2 days): promise too slow (rule 加急)"."""
    text = option.get("carrier") or _("carrier to be chosen")
    if option.get("price"):
        text += " " + option["price"]
        if option.get("insurance"):
            text += " " + _("incl. insurance %(fee)s") % {"fee": option["insurance"]}
        text += " " + _("(%(days)s d)") % {"days": option.get("days", "")}
    reason = option.get("dropped")
    if reason:
        why = str(DROP_REASONS.get(reason, reason))
        rule = option.get("rule", "")
        if "%(rule)s" in why:
            why = why % {"rule": rule}
        elif rule:
            why += " " + _("(rule “%(rule)s”)") % {"rule": rule}
        text += ": " + why
    return text


def choice_text(data: dict) -> str:
    """The options of one choice, the chosen first, with the rules and promise that applied."""
    parts = []
    if data.get("rules"):
        parts.append(_("rules: %(rules)s") % {"rules": ", ".join(data["rules"])})
    if data.get("max_days") is not None:
        parts.append(_("promise ≤ %(days)s d") % {"days": data["max_days"]})
    if data.get("insured"):
        parts.append(_("insured"))
    if data.get("uninsured"):
        parts.append(_("not insured: no carrier left insures this value"))
    head = f"[{'; '.join(parts)}] " if parts else ""
    return head + "; ".join(option_text(o) for o in data.get("options") or [])
