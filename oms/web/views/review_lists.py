"""Coupon list and block list pages: a list with a create/edit form beside it.

The forms only parse what was typed; the actions in `oms.orders.review.lists` check it and
their errors are shown next to the fields they name.
"""

from __future__ import annotations

from dataclasses import asdict

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View

from oms.accounts.actor import Actor
from oms.accounts.roles import MANAGE_REVIEW_RULES, REVIEW_ORDERS
from oms.core.errors import ApplicationError
from oms.core.money import InvalidMoney, parse_money
from oms.orders.review import lists
from oms.orders.review.models import BlockKind, BlockListEntry, Coupon
from oms.web.access import PermissionRequiredMixin
from oms.web.entry_forms import DateTimeInput
from oms.web.forms import channel_choices
from oms.web.views.stock import show_service_error

PAGE_SIZE = 50


def _decimal_text(value: str):
    try:
        return parse_money(value or "0")
    except InvalidMoney:
        raise forms.ValidationError(_("Enter an amount such as 59.00.")) from None


class CouponForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Coupon code"), max_length=64)
    name = forms.CharField(label=pgettext_lazy("coupon name", "Name"), max_length=100, required=False)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False,
                                help_text=gettext_lazy("Empty: valid on every channel."))
    amount = forms.CharField(label=gettext_lazy("Face value"), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0.00"}))
    min_spend = forms.CharField(label=gettext_lazy("Minimum spend"), max_length=20, required=False,
                                widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0.00"}))
    valid_from = forms.DateTimeField(label=gettext_lazy("Valid from"), required=False, widget=DateTimeInput())
    valid_until = forms.DateTimeField(label=gettext_lazy("Valid until"), required=False, widget=DateTimeInput())
    max_uses = forms.IntegerField(label=gettext_lazy("Use limit"), required=False, min_value=0,
                                  help_text=gettext_lazy("Empty: no limit."))
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args, coupon: Coupon | None = None, **kwargs):
        self.coupon = coupon
        if coupon is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "code": coupon.code, "name": coupon.name, "channel": coupon.channel.code if coupon.channel else "",
                "amount": f"{coupon.amount:.2f}", "min_spend": f"{coupon.min_spend:.2f}",
                "valid_from": coupon.valid_from, "valid_until": coupon.valid_until, "max_uses": coupon.max_uses,
                "active": coupon.active,
            }
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [("", _("All channels")), *channel_choices()]
        if coupon is not None:
            self.fields["code"].disabled = True  # orders refer to coupons by code

    def clean_amount(self):
        return _decimal_text(self.cleaned_data["amount"])

    def clean_min_spend(self):
        return _decimal_text(self.cleaned_data["min_spend"])

    def values(self) -> lists.CouponFields:
        d = self.cleaned_data
        return lists.CouponFields(name=d["name"], channel=d["channel"], amount=d["amount"], min_spend=d["min_spend"],
                                  valid_from=d["valid_from"], valid_until=d["valid_until"],
                                  max_uses=d["max_uses"], active=d["active"])


class BlockEntryForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=BlockKind.choices)
    value = forms.CharField(label=gettext_lazy("Phone number or address"), max_length=255,
                            help_text=gettext_lazy("A phone number, or a piece of address (matched anywhere in "
                                                   "the address)."))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args, entry: BlockListEntry | None = None, **kwargs):
        self.entry = entry
        if entry is not None and "initial" not in kwargs:
            kwargs["initial"] = {"kind": entry.kind, "value": entry.value, "reason": entry.reason,
                                 "active": entry.active}
        super().__init__(*args, **kwargs)

    def values(self) -> lists.BlockEntryFields:
        d = self.cleaned_data
        return lists.BlockEntryFields(kind=d["kind"], value=d["value"], reason=d["reason"], active=d["active"])


def _object_id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class ListWithFormView(PermissionRequiredMixin, View):
    """A list with a create/edit form beside it; `?edit=<id>` loads an entry into the form."""

    required_permission = {"GET": REVIEW_ORDERS, "POST": MANAGE_REVIEW_RULES}
    model: type
    template = ""
    url_name = ""

    def rows(self, request):
        raise NotImplementedError

    def make_form(self, data=None, *, obj=None):
        raise NotImplementedError

    def save(self, obj, form, actor: Actor):
        """Create (obj is None) or change through the service; returns what was saved."""
        raise NotImplementedError

    def switch(self, obj, active: bool, actor: Actor) -> None:
        raise NotImplementedError

    def show(self, request, form, obj, *, status: int = 200):
        paginator = Paginator(self.rows(request), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        context = {
            "form": form, "editing": obj, "page": page, "q": request.GET.get("q", ""),
            "page_numbers": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "can_manage": request.user.has_perm(MANAGE_REVIEW_RULES), "list_url": reverse(self.url_name),
        }
        return render(request, self.template, context, status=status)

    def get(self, request):
        obj = None
        if request.GET.get("edit") and request.user.has_perm(MANAGE_REVIEW_RULES):
            obj = self.model.objects.filter(pk=_object_id(request.GET["edit"])).first()
        return self.show(request, self.make_form(obj=obj), obj)

    def post(self, request):
        obj_id = _object_id(request.POST.get("id"))
        obj = self.model.objects.filter(pk=obj_id).first() if obj_id else None
        if request.POST.get("id") and obj is None:
            messages.error(request, _("It was removed meanwhile."))
            return redirect(self.url_name)
        if request.POST.get("toggle"):
            return self.toggle(request, obj) if obj else redirect(self.url_name)
        form = self.make_form(request.POST, obj=obj)
        if not form.is_valid():
            return self.show(request, form, obj, status=400)
        try:
            saved = self.save(obj, form, Actor.of(request.user))
        except ApplicationError as exc:
            return show_service_error(request, form, exc) or self.show(request, form, obj, status=exc.http_status)
        messages.success(request, _("Saved: %(what)s.") % {"what": self.name_of(saved)})
        return redirect(self.url_name)

    def toggle(self, request, obj):
        """Switch an entry on or off from the list (the deactivate button)."""
        active = request.POST.get("active") == "1"
        self.switch(obj, active, Actor.of(request.user))
        text = _("Switched on: %(what)s.") if active else _("Switched off: %(what)s.")
        messages.success(request, text % {"what": self.name_of(obj)})
        return redirect(self.url_name)

    def name_of(self, obj) -> str:
        return str(obj)


class CouponsView(ListWithFormView):
    model = Coupon
    template = "web/review/coupons.html"
    url_name = "web:review_coupons"

    def rows(self, request):
        return lists.find_coupons(q=request.GET.get("q", ""))

    def make_form(self, data=None, *, obj=None):
        return CouponForm(data, coupon=obj)

    def save(self, obj, form, actor):
        if obj is None:
            return lists.create_coupon(code=form.cleaned_data["code"], values=form.values(), actor=actor)
        return lists.update_coupon(coupon_id=obj.pk, changes=asdict(form.values()), actor=actor)

    def switch(self, obj, active, actor):
        lists.set_coupon_active(coupon_id=obj.pk, active=active, actor=actor)


class BlockListView(ListWithFormView):
    model = BlockListEntry
    template = "web/review/blocklist.html"
    url_name = "web:review_blocklist"

    def rows(self, request):
        return lists.find_block_entries(q=request.GET.get("q", ""))

    def make_form(self, data=None, *, obj=None):
        return BlockEntryForm(data, entry=obj)

    def save(self, obj, form, actor):
        if obj is None:
            return lists.add_block_entry(values=form.values(), actor=actor)
        return lists.update_block_entry(entry_id=obj.pk, changes=asdict(form.values()), actor=actor)

    def switch(self, obj, active, actor):
        lists.set_block_entry_active(entry_id=obj.pk, active=active, actor=actor)

    def name_of(self, obj) -> str:
        return f"{obj.get_kind_display()} {obj.value}"
