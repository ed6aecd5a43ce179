"""The buyer's tracking page (/track/): order number and phone in, the order's parcels and their journey out.

Public, so it shows nothing internal (no warehouse, notes, staff or ids), answers an unknown
order and a wrong phone the same way, and limits attempts per client address (see
oms.shipping.tracking_public).
"""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from oms.shipping.tracking_public import MAX_ORDER_NO, client_ip, over_limit, public_tracking
from oms.web.access import PUBLIC, PermissionRequiredMixin


class TrackForm(forms.Form):
    order_no = forms.CharField(label=gettext_lazy("Order number"), max_length=MAX_ORDER_NO)
    phone = forms.CharField(label=gettext_lazy("Phone number of the recipient or the buyer"), max_length=32)


class TrackView(PermissionRequiredMixin, View):
    required_permission = PUBLIC

    def get(self, request):
        return render(request, "web/track/track.html", {"form": TrackForm()})

    def post(self, request):
        form = TrackForm(request.POST)
        context = {"form": form}
        if over_limit(client_ip(request)):
            context["error"] = _("Too many attempts from this address; try again in a few minutes.")
            return render(request, "web/track/track.html", context, status=429)
        if not form.is_valid():
            return render(request, "web/track/track.html", context, status=400)
        found = public_tracking(form.cleaned_data["order_no"], form.cleaned_data["phone"])
        if found is None:
            context["error"] = _("No order matches this order number and phone number. Check both and try again.")
            return render(request, "web/track/track.html", context, status=404)
        context["result"] = found
        return render(request, "web/track/track.html", context)
