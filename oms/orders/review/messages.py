"""Human text for review findings, in the reader's language (findings store codes and values only)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oms.orders.review.rules import RULES

ADDRESS_PROBLEMS = {
    "province_missing": gettext_lazy("province missing"),
    "city_missing": gettext_lazy("city missing"),
    "district_missing": gettext_lazy("district missing"),
    "detail_missing": gettext_lazy("street address missing"),
    "detail_too_short": gettext_lazy("street address too short"),
    "province_unknown": gettext_lazy("unknown province"),
    "city_not_in_province": gettext_lazy("city not in that province"),
    "district_not_in_city": gettext_lazy("district not in that city"),
    "postcode_invalid": gettext_lazy("postcode is not 6 digits"),
}
PHONE_PROBLEMS = {
    "missing": gettext_lazy("missing"),
    "unparsable": gettext_lazy("not a phone number"),
    "invalid": gettext_lazy("not a valid number"),
    "foreign": gettext_lazy("not a mainland number"),
    "not_reachable": gettext_lazy("not a mobile or landline number"),
}
PAYMENT_PROBLEMS = {
    "not_paid": gettext_lazy("the payment has not arrived"),
    "no_transaction_id": gettext_lazy("the payment has no transaction id"),
    "paid_short": gettext_lazy("paid %(paid)s of %(payable)s"),
    "cod_not_allowed": gettext_lazy("this channel does not allow cash on delivery"),
    "cod_over_limit": gettext_lazy("cash on delivery above the channel's limit of %(limit)s"),
}
COUPON_PROBLEMS = {
    "unknown": gettext_lazy("unknown"),
    "inactive": gettext_lazy("switched off"),
    "other_channel": gettext_lazy("not valid on this channel"),
    "not_yet_valid": gettext_lazy("not valid yet"),
    "expired": gettext_lazy("expired"),
    "below_min_spend": gettext_lazy("below its minimum spend"),
    "use_limit_reached": gettext_lazy("use limit reached"),
}


def reason_title(code: str) -> str:
    r = RULES.get(code)
    return str(r.title) if r else code


def describe(code: str, details: dict) -> str:
    """One line saying what is wrong, e.g. "Phone invalid: 1381234 (not a valid number)"."""
    return f"{reason_title(code)}: {_detail(code, details)}" if details else reason_title(code)


def _join(parts) -> str:
    return _("; ").join(str(p) for p in parts)


def _detail(code: str, d: dict) -> str:
    if code in ("address_incomplete", "address_invalid"):
        return _join(ADDRESS_PROBLEMS.get(p, p) for p in d.get("problems", []))
    if code == "phone_invalid":
        return _join(f"{p['phone'] or '—'} ({PHONE_PROBLEMS.get(p['problem'], p['problem'])})"
                     for p in d.get("phones", []))
    if code == "unknown_sku":
        return _join(_("line %(line)s: %(sku)s") % ln for ln in d.get("lines", []))
    if code == "sku_inactive":
        return _join(_("line %(line)s: %(sku)s") % ln for ln in d.get("lines", []))
    if code == "quantity_mismatch":
        return _join(
            _("line %(line)s: specification %(spec)s, catalogue says %(catalogue_spec)s") % ln if "spec" in ln
            else _("line %(line)s: %(quantity)s units, more than %(limit)s") % ln
            for ln in d.get("lines", [])
        )
    if code == "out_of_stock":
        return _join(_("%(sku)s wanted %(wanted)s, available %(available)s") % s for s in d.get("skus", []))
    if code == "unpaid":
        return str(PAYMENT_PROBLEMS.get(d.get("problem"), d.get("problem", ""))) % d
    if code == "coupon_invalid":
        return _join(f"{c['coupon']} ({COUPON_PROBLEMS.get(c['problem'], c['problem'])})" for c in d.get("coupons", []))
    if code == "remark_attention":
        parts = [", ".join(d.get("keywords", []))] if d.get("keywords") else []
        if d.get("invoice_type"):
            parts.append(_("invoice type %(type)s") % {"type": d["invoice_type"]})
        return _join(parts)
    if code == "amount_over_limit":
        return _("%(payable)s above the limit of %(limit)s") % d
    if code == "blacklisted":
        from oms.orders.personal_data import mask_phone  # a blocked number is a real one: masked (§3.3)

        return _join(f"{mask_phone(h['value']) if h.get('kind') == 'phone' else h['value']} ({h['reason']})"
                     for h in d.get("hits", []))
    return ", ".join(f"{k}={v}" for k, v in d.items())
