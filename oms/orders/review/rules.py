"""The named review rules: each has a code, a human message, its own settings and a pure check.

A check reads a ReviewFacts snapshot (loaded by orders/review/facts.py) and returns findings;
none of them touches the database, so every rule is tested without one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers
from django.utils.translation import gettext_lazy as _

from oms.geo.divisions import check_address
from oms.inventory.planning import Plan
from oms.orders.status import PaymentMethod, PaymentStatus


@dataclass(frozen=True)
class Finding:
    code: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LineFacts:
    line_id: int
    line_no: int
    sku_code: str
    platform_sku: str
    name: str
    spec: str
    quantity: int
    sku_id: int | None
    sku_active: bool
    sku_spec: str


@dataclass(frozen=True)
class CouponFacts:
    code: str
    active: bool
    channel_id: int | None
    min_spend: Decimal
    valid_from: datetime | None
    valid_until: datetime | None
    max_uses: int | None
    used_count: int


@dataclass
class ReviewFacts:
    """Everything the rules may look at for one order."""

    order_no: str
    channel_id: int
    channel_cod_allowed: bool
    channel_cod_limit: Decimal
    channel_platform_funded_discounts: bool
    placed_at: datetime
    customer_phone: str
    ship_phone: str
    province: str
    city: str
    district: str
    detail: str
    postcode: str
    goods_total: Decimal
    payable_amount: Decimal
    paid_amount: Decimal
    payment_status: str
    payment_method: str
    transaction_id: str
    buyer_remark: str
    invoice_type: str
    invoice_title: str
    lines: list[LineFacts]
    coupon_codes: list[str]
    coupons: dict[str, CouponFacts]
    blocked_phones: dict[str, str]  # phone -> reason
    blocked_addresses: dict[str, str]  # address fragment -> reason
    stock_plan: Plan | None
    sku_codes: dict[int, str]


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "bool", "int", "money", "words"
    label: Any
    default: Any


@dataclass(frozen=True)
class Rule:
    code: str
    title: Any
    description: Any
    params: tuple[Param, ...]
    check: Callable[[ReviewFacts, dict], list[Finding]]

    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params}


RULES: dict[str, Rule] = {}


def rule(code: str, *, title, description, params: tuple[Param, ...] = ()):
    def register(fn: Callable[[ReviewFacts, dict], list[Finding]]):
        RULES[code] = Rule(code=code, title=title, description=description, params=params, check=fn)
        return fn
    return register


def _money(value, default: Decimal = Decimal(0)) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return default


# --- address ------------------------------------------------------------------

def _address_problems(f: ReviewFacts, kind: str) -> list[Finding]:
    problems = [
        p for p in check_address(province=f.province, city=f.city, district=f.district, detail=f.detail,
                                 postcode=f.postcode)
        if p.kind == kind
    ]
    if not problems:
        return []
    return [Finding(f"address_{kind}", {"problems": [p.code for p in problems],
                                         "fields": sorted({p.field for p in problems})})]


@rule("address_incomplete", title=_("Address incomplete"),
      description=_("Province, city, district (where the city has districts) and street address are all given."))
def address_incomplete(f: ReviewFacts, params: dict) -> list[Finding]:
    return _address_problems(f, "incomplete")


@rule("address_invalid", title=_("Address invalid"),
      description=_("Province, city and district exist and belong together in the national division list; "
                    "a postcode, when given, has 6 digits."))
def address_invalid(f: ReviewFacts, params: dict) -> list[Finding]:
    return _address_problems(f, "invalid")


# --- phone --------------------------------------------------------------------

def phone_kind(number: str, *, allow_foreign: bool) -> str | None:
    """None when the number is acceptable, else why not: 'unparsable', 'invalid', 'foreign', 'not_reachable'."""
    text = number.strip()
    if not text:
        return "missing"
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return "unparsable"
    if not phonenumbers.is_valid_number(parsed):
        return "invalid"
    if parsed.country_code != 86:
        return None if allow_foreign else "foreign"
    kind = phonenumbers.number_type(parsed)
    if kind not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE,
                    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return "not_reachable"
    return None


@rule("phone_invalid", title=_("Phone invalid"),
      description=_("The recipient's phone is a mainland mobile or landline number (with area code)."),
      params=(Param("allow_foreign", "bool", _("Accept valid numbers from outside the mainland"), False),
              Param("check_customer_phone", "bool", _("Also check the buyer's own phone"), False)))
def phone_invalid(f: ReviewFacts, params: dict) -> list[Finding]:
    allow_foreign = bool(params.get("allow_foreign"))
    found = []
    phones = [("ship_phone", f.ship_phone)]
    if params.get("check_customer_phone") and f.customer_phone:
        phones.append(("customer_phone", f.customer_phone))
    for name, number in phones:
        problem = phone_kind(number, allow_foreign=allow_foreign)
        if problem:
            found.append({"field": name, "phone": number, "problem": problem})
    return [Finding("phone_invalid", {"phones": found})] if found else []


# --- SKUs ---------------------------------------------------------------------

@rule("unknown_sku", title=_("Unknown SKU"),
      description=_("Every line names one of our SKUs, directly or through the channel's SKU mapping."))
def unknown_sku(f: ReviewFacts, params: dict) -> list[Finding]:
    lines = [{"line": ln.line_no, "sku": ln.platform_sku or ln.sku_code} for ln in f.lines if ln.sku_id is None]
    return [Finding("unknown_sku", {"lines": lines})] if lines else []


@rule("sku_inactive", title=_("SKU inactive"), description=_("No line asks for a SKU that is switched off."))
def sku_inactive(f: ReviewFacts, params: dict) -> list[Finding]:
    lines = [{"line": ln.line_no, "sku": ln.sku_code} for ln in f.lines if ln.sku_id is not None and not ln.sku_active]
    return [Finding("sku_inactive", {"lines": lines})] if lines else []


def _same_spec(a: str, b: str) -> bool:
    def norm(s: str) -> str:
        return "".join(ch for ch in s.lower() if ch.isalnum())
    return norm(a) == norm(b)


@rule("quantity_mismatch", title=_("Specification or quantity mismatch"),
      description=_("Where the channel sends a specification it matches the catalogue's, and no line asks "
                    "for more than the largest quantity per line."),
      params=(Param("max_line_quantity", "int", _("Largest quantity per line"), 200),))
def quantity_mismatch(f: ReviewFacts, params: dict) -> list[Finding]:
    limit = int(params.get("max_line_quantity") or 0)
    lines = []
    for ln in f.lines:
        if ln.sku_id is not None and ln.spec and ln.sku_spec and not _same_spec(ln.spec, ln.sku_spec):
            lines.append({"line": ln.line_no, "sku": ln.sku_code, "spec": ln.spec, "catalogue_spec": ln.sku_spec})
        elif limit and ln.quantity > limit:
            lines.append({"line": ln.line_no, "sku": ln.sku_code, "quantity": ln.quantity, "limit": limit})
    return [Finding("quantity_mismatch", {"lines": lines})] if lines else []


@rule("out_of_stock", title=_("Out of stock"),
      description=_("Every SKU has enough available stock in the warehouses that serve the delivery province."))
def out_of_stock(f: ReviewFacts, params: dict) -> list[Finding]:
    if f.stock_plan is None or f.stock_plan.ok:
        return []
    short = [{"sku": f.sku_codes.get(s.sku_id, str(s.sku_id)), "wanted": s.wanted, "available": s.available}
             for s in f.stock_plan.shortages]
    return [Finding("out_of_stock", {"skus": short})]


# --- payment ------------------------------------------------------------------

@rule("unpaid", title=_("Payment not confirmed"),
      description=_("A paid order has a transaction id and covers the payable amount; cash on delivery only "
                    "where the channel allows it, up to its limit."),
      params=(Param("no_transaction_id_methods", "words",
                    _("Payment methods that need no transaction id"), ["cash", "bank_transfer"]),))
def unpaid(f: ReviewFacts, params: dict) -> list[Finding]:
    if f.payment_method == PaymentMethod.COD and f.payment_status != PaymentStatus.PAID:
        if not f.channel_cod_allowed:
            return [Finding("unpaid", {"problem": "cod_not_allowed"})]
        if f.channel_cod_limit and f.payable_amount > f.channel_cod_limit:
            return [Finding("unpaid", {"problem": "cod_over_limit", "limit": f"{f.channel_cod_limit:.2f}",
                                       "payable": f"{f.payable_amount:.2f}"})]
        return []
    if f.payment_status != PaymentStatus.PAID:
        return [Finding("unpaid", {"problem": "not_paid"})]
    exempt = set(params.get("no_transaction_id_methods") or [])
    if not f.transaction_id and f.payment_method not in exempt:
        return [Finding("unpaid", {"problem": "no_transaction_id"})]
    if f.paid_amount < f.payable_amount:
        return [Finding("unpaid", {"problem": "paid_short", "paid": f"{f.paid_amount:.2f}",
                                   "payable": f"{f.payable_amount:.2f}"})]
    return []


# --- coupons ------------------------------------------------------------------

def coupon_problem(c: CouponFacts | None, *, channel_id: int, goods_total: Decimal, at: datetime) -> str | None:
    if c is None:
        return "unknown"
    if not c.active:
        return "inactive"
    if c.channel_id is not None and c.channel_id != channel_id:
        return "other_channel"
    if c.valid_from and at < c.valid_from:
        return "not_yet_valid"
    if c.valid_until and at > c.valid_until:
        return "expired"
    if goods_total < c.min_spend:
        return "below_min_spend"
    if c.max_uses is not None and c.used_count >= c.max_uses:
        return "use_limit_reached"
    return None


@rule("coupon_invalid", title=_("Coupon invalid"),
      description=_("Each coupon is ours, active, valid on the order's date and channel, above its minimum "
                    "spend and within its use limit. Skipped on channels whose discounts the platform funds."))
def coupon_invalid(f: ReviewFacts, params: dict) -> list[Finding]:
    if f.channel_platform_funded_discounts:
        return []
    found = []
    for code in f.coupon_codes:
        problem = coupon_problem(f.coupons.get(code), channel_id=f.channel_id, goods_total=f.goods_total,
                                 at=f.placed_at)
        if problem:
            found.append({"coupon": code, "problem": problem})
    return [Finding("coupon_invalid", {"coupons": found})] if found else []


# --- people and risk ----------------------------------------------------------

@rule("remark_attention", title=_("Remark needs attention"),
      description=_("The buyer's remark or invoice title contains a keyword that needs a person, or the "
                    "order asks for an invoice type that needs checking."),
      params=(Param("keywords", "words", _("Keywords"),
                    ["改地址", "改地", "加急", "发票", "开票", "换货", "退款", "电话联系"]),
              Param("invoice_types", "words", _("Invoice types that need a person"), ["vat_special"])))
def remark_attention(f: ReviewFacts, params: dict) -> list[Finding]:
    text = f"{f.buyer_remark}\n{f.invoice_title}"
    words = [w for w in (params.get("keywords") or []) if w and w in text]
    invoice = f.invoice_type if f.invoice_type and f.invoice_type in (params.get("invoice_types") or []) else ""
    if not words and not invoice:
        return []
    details: dict[str, Any] = {"keywords": words}
    if invoice:
        details["invoice_type"] = invoice
    return [Finding("remark_attention", details)]


@rule("amount_over_limit", title=_("Amount over limit"),
      description=_("The payable amount is not above the limit risk control sets."),
      params=(Param("limit", "money", _("Highest payable amount without a person's check"), "5000.00"),))
def amount_over_limit(f: ReviewFacts, params: dict) -> list[Finding]:
    limit = _money(params.get("limit"), Decimal(0))
    if limit and f.payable_amount > limit:
        return [Finding("amount_over_limit", {"payable": f"{f.payable_amount:.2f}", "limit": f"{limit:.2f}"})]
    return []


def phone_key(number: str) -> str:
    """The form phone numbers are compared in: digits only, without the mainland's +86."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


@rule("blacklisted", title=_("On the block list"),
      description=_("Neither the phone numbers nor the address are on risk control's block list."))
def blacklisted(f: ReviewFacts, params: dict) -> list[Finding]:
    hits = []
    for number in {f.ship_phone, f.customer_phone} - {""}:
        reason = f.blocked_phones.get(phone_key(number))
        if reason is not None:
            hits.append({"kind": "phone", "value": number, "reason": reason})
    address = f"{f.province}{f.city}{f.district}{f.detail}"
    for fragment, reason in f.blocked_addresses.items():
        if fragment and fragment in address:
            hits.append({"kind": "address", "value": fragment, "reason": reason})
    return [Finding("blacklisted", {"hits": hits})] if hits else []


def run_rules(facts: ReviewFacts, settings: dict[str, tuple[bool, dict]]) -> tuple[list[Finding], list[str]]:
    """(findings, codes of the rules that ran); `settings` maps code -> (enabled, params)."""
    findings, ran = [], []
    for code, r in RULES.items():
        enabled, params = settings.get(code, (True, {}))
        if not enabled:
            continue
        ran.append(code)
        findings.extend(r.check(facts, {**r.defaults(), **params}))
    return findings, ran
