"""A change request's proposed/current values with the personal ones encrypted at rest.

A customer-data request holds a buyer's phone, name and street detail; the order stores those
encrypted (oms/core/encrypted_fields.py), so the request must not keep a plain copy of them. Only
the values of the personal keys are encrypted; amounts, statuses and codes stay readable JSON.
"""

from __future__ import annotations

from django.db import models

from oms.core import pii_crypto

# The order's encrypted fields (oms/orders/personal_data.py ENCRYPTED_FIELDS); kept here as a
# literal because the orders app imports approvals only lazily and the migration needs no import.
PERSONAL_KEYS = frozenset({"customer_name", "customer_phone", "customer_email", "ship_name", "ship_phone",
                           "ship_detail"})


def _map(values, convert):
    if not isinstance(values, dict):
        return values
    return {k: (convert(v) if k in PERSONAL_KEYS and isinstance(v, str) and v else v) for k, v in values.items()}


def _seal(value: str) -> str:
    return value if pii_crypto.is_token(value) else pii_crypto.encrypt(value)


class PersonalValuesJSONField(models.JSONField):
    """JSON whose personal keys' values are Fernet tokens in the column and plain text when read."""

    def get_prep_value(self, value):
        return super().get_prep_value(_map(value, _seal))

    def from_db_value(self, value, expression, connection):
        return _map(super().from_db_value(value, expression, connection), pii_crypto.decrypt)
