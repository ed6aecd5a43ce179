"""Reading request bodies in API views: the checks every write endpoint makes before its service."""

from __future__ import annotations

from django.utils.translation import gettext as _

from oms.core.errors import ValidationFailed


def json_object(request) -> dict:
    """The request body, which must be a JSON object (a 400 naming the problem otherwise)."""
    if not isinstance(request.data, dict):
        raise ValidationFailed(_("The request body must be a JSON object."))
    return request.data


def text_field(data: dict, name: str, *, required: bool = False) -> str:
    """A string field of the body; missing or null is empty; a 400 naming the field otherwise."""
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed(details={name: [_("Must be a string.")]})
    if required and not value.strip():
        raise ValidationFailed(details={name: [_("This field is required.")]})
    return value
