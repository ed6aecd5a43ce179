"""A text field stored encrypted (Fernet) and read back as plain text.

The rest of the code reads and writes plain values; the column holds tokens. A token differs on
every save, so the database cannot compare or search these columns: every lookup but `isnull`
is refused loudly instead of silently matching nothing. Search goes through a keyed hash column
(oms/orders/personal_data.py).
"""

from __future__ import annotations

from django.core.exceptions import FieldError
from django.db import models

from oms.core import pii_crypto


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        return pii_crypto.decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        # Empty stays empty: "no e-mail given" is not personal data, and blank checks keep working.
        if value is None or value == "" or pii_crypto.is_token(value):
            return value
        return pii_crypto.encrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            raise FieldError(
                f"{self.model.__name__}.{self.name} is encrypted: filter on its hash column, not '{lookup_name}'"
            )
        return super().get_lookup(lookup_name)
