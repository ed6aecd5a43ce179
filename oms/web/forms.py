"""Forms of the back office: the order filter, the import upload and the entry check comment.

The manual-entry form lives in entry_forms.py. Forms here convert types only; the rules
belong to the services and selectors they feed.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oms.channels.models import Channel
from oms.orders.selectors import OrderFilters
from oms.orders.status import OrderStatus


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def channel_choices(*, active_only: bool = False) -> list[tuple[str, str]]:
    qs = Channel.objects.order_by("id")
    if active_only:
        qs = qs.filter(active=True)
    return list(qs.values_list("code", "name"))


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    date_from = forms.DateField(label=_("Placed from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Placed to"), required=False, widget=DateInput())
    order_no = forms.CharField(label=_("Order number"), required=False, max_length=20)
    external_id = forms.CharField(label=_("External order id"), required=False, max_length=64)
    # Encrypted at rest: found by the whole number or name only (docs/privacy.md).
    phone = forms.CharField(label=_("Phone"), required=False, max_length=32,
                            help_text=_("The full number"))
    recipient = forms.CharField(label=_("Recipient"), required=False, max_length=100,
                                help_text=_("The full name"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *OrderStatus.choices]
        self.fields["channel"].choices = [("", _("All channels")), *channel_choices()]

    def filters(self) -> OrderFilters:
        """The filters of the valid fields; a field with a bad value is left out (and shown as an error)."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        return OrderFilters(
            status=data.get("status") or "",
            channel=data.get("channel") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            order_no=(data.get("order_no") or "").strip(),
            external_id=(data.get("external_id") or "").strip(),
            phone=(data.get("phone") or "").strip(),
            recipient=(data.get("recipient") or "").strip(),
        )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Order file (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class ConfirmEntryForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=1000,
        widget=forms.TextInput(attrs={"placeholder": _("Anything worth recording")}),
    )


class ReturnEntryForm(forms.Form):
    # Required-ness is the service's rule (return_entry); the form only carries the text.
    comment = forms.CharField(
        label=_("What needs correcting"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "required": True}),
    )
