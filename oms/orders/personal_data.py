"""Customer personal data (§3.3, PIPL): how it is masked on screens, exports and the API, and the
keyed hashes that find an order by a full phone number or recipient name.

Masked everywhere by default (customer service too); the full values are shown only through the
audited reveal (oms/orders/reveal.py) and printed on warehouse documents the carrier needs
(labels, pick lists keep the address; see docs/privacy.md).
"""

from __future__ import annotations

from oms.core import pii_crypto

# What an anonymised order keeps in place of the buyer's name, phone, e-mail and street detail.
ANONYMISED = "已匿名"
# Fields that hold personal data and are encrypted at rest; province/city/district stay plain
# because routing, freight and reports group by them.
ENCRYPTED_FIELDS = ("customer_name", "customer_phone", "customer_email", "ship_name", "ship_phone", "ship_detail")
REVEALABLE_FIELDS = ("customer_name", "customer_phone", "customer_email", "ship_name", "ship_phone", "ship_detail")
_DETAIL_SHOWN = 4  # characters of the street detail left visible: the road, rarely the number


def mask_phone(phone: str) -> str:
    """138****8000: the first three and last four digits; short numbers keep only the last two."""
    value = (phone or "").strip()
    if not value or value == ANONYMISED:
        return value
    if len(value) >= 8:
        return f"{value[:3]}****{value[-4:]}"
    return "*" * max(len(value) - 2, 1) + value[-2:] if len(value) > 2 else "*" * len(value)


def mask_name(name: str) -> str:
    """张* for two characters, 张*明 for three or more (first and last kept), * for one."""
    value = (name or "").strip()
    if not value or value == ANONYMISED:
        return value
    if len(value) == 1:
        return "*"
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_detail(detail: str) -> str:
    """文三路****: the first few characters of the street detail, then ****."""
    value = (detail or "").strip()
    if not value or value == ANONYMISED:
        return value
    shown = min(_DETAIL_SHOWN, max(len(value) // 2, 1))
    return value[:shown] + "****"


def mask_email(email: str) -> str:
    """z***@example.cn: the first character of the mailbox and the domain."""
    value = (email or "").strip()
    if not value or value == ANONYMISED or "@" not in value:
        return mask_name(value) if value else value
    box, _, domain = value.partition("@")
    return f"{box[:1]}***@{domain}"


def mask_recipient(recipient: str) -> str:
    """A message's recipient: an e-mail address or a phone number (push ids are masked like a phone)."""
    value = (recipient or "").strip()
    return mask_email(value) if "@" in value else mask_phone(value)


def mask_text(text: str) -> str:
    """Free text written to the buyer (a message body): phone numbers and street numbers hidden."""
    from oms.core.log_redaction import redact

    return redact(text or "")


def mask_address(province: str, city: str, district: str, detail: str) -> str:
    """The full address with the street detail masked (province, city and district shown)."""
    return f"{province}{city}{district}{mask_detail(detail)}"


def masked_contact(order) -> dict[str, str]:
    """The masked personal fields of an order, by field name, for pages, exports and the API."""
    return {
        "customer_name": mask_name(order.customer_name),
        "customer_phone": mask_phone(order.customer_phone),
        "customer_email": mask_email(order.customer_email),
        "ship_name": mask_name(order.ship_name),
        "ship_phone": mask_phone(order.ship_phone),
        "ship_detail": mask_detail(order.ship_detail),
        "full_address": mask_address(order.ship_province, order.ship_city, order.ship_district, order.ship_detail),
    }


def name_key(name: str) -> str:
    """The form names are compared in: without any spaces."""
    return "".join((name or "").split())


def phone_hash(phone: str) -> str:
    """The keyed hash a phone number is searched by (normalised like review's phone_key)."""
    from oms.orders.review.rules import phone_key  # review imports the models; this module is imported by them

    return pii_crypto.keyed_hash(phone_key(phone or ""))


def name_hash(name: str) -> str:
    return pii_crypto.keyed_hash(name_key(name))


def search_hashes(order) -> dict[str, str]:
    """The hash columns of an order computed from its current plain values (none once anonymised)."""
    if getattr(order, "anonymised_at", None) is not None:
        return {"customer_phone_hash": "", "ship_phone_hash": "", "ship_name_hash": ""}
    return {
        "customer_phone_hash": phone_hash(order.customer_phone),
        "ship_phone_hash": phone_hash(order.ship_phone),
        "ship_name_hash": name_hash(order.ship_name),
    }


_MASK_BY_FIELD = {
    "customer_name": mask_name, "ship_name": mask_name, "name": mask_name,
    "customer_phone": mask_phone, "ship_phone": mask_phone, "phone": mask_phone,
    "customer_email": mask_email, "ship_detail": mask_detail, "detail": mask_detail,
}


def mask_value_change(field: str, pair):
    """An audit change [old, new] of a personal field, masked; other fields as they are."""
    mask = _MASK_BY_FIELD.get(field)
    if mask is None or not isinstance(pair, list | tuple):
        return pair
    return [mask(v) if isinstance(v, str) else v for v in pair]


def masked_changes(changes: dict) -> dict:
    """Audit changes {field: [old, new]} with personal fields masked: the audit log is no copy of them."""
    return {field: mask_value_change(field, pair) for field, pair in changes.items()}


def masked_fields(values: dict) -> dict:
    """A dict of address fields (name, phone, detail, …) with the personal ones masked."""
    return {k: (_MASK_BY_FIELD[k](v) if k in _MASK_BY_FIELD and isinstance(v, str) else v) for k, v in values.items()}
