"""Back-office forms of buyer messaging. They convert types only; the rules are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from oms.notifications.models import Medium, MessageEvent, MessageLanguage, MessageStatus
from oms.notifications.rendering import MAX_BODY, MAX_SUBJECT
from oms.notifications.selectors import MessageFilters


class MessageFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    medium = forms.ChoiceField(label=_("Medium"), required=False)
    event = forms.ChoiceField(label=_("Event"), required=False)
    order_no = forms.CharField(label=_("Order number"), required=False, max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All statuses")), *MessageStatus.choices]
        self.fields["medium"].choices = [("", _("All media")), *Medium.choices]
        self.fields["event"].choices = [("", _("All events")), *MessageEvent.choices]

    def filters(self) -> MessageFilters:
        """The filters of the valid fields; a field with a bad value is left out (and shown as an error)."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) or "" for name in self.fields if name not in self.errors}
        return MessageFilters(
            status=data.get("status", ""), medium=data.get("medium", ""), event=data.get("event", ""),
            order_no=(data.get("order_no") or "").strip(),
        )


class TemplateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), required=False, max_length=MAX_SUBJECT, strip=False)
    body = forms.CharField(
        label=_("Body"), required=False, max_length=MAX_BODY, strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "class": "mono"}),
    )
    provider_template_code = forms.CharField(
        label=_("Provider template code"), required=False, max_length=64,
        help_text=_("SMS only: the template code registered with the SMS provider, if it requires one."),
    )
    active = forms.BooleanField(
        label=_("Active"), required=False, help_text=_("Inactive templates send nothing for this event and medium."),
    )


class ChannelLanguageForm(forms.Form):
    channel = forms.SlugField(max_length=32)
    language = forms.ChoiceField(label=_("Language"), choices=MessageLanguage.choices)
