"""Changes before shipment on the order page: address/phone, carrier redirection, line edits, top-up."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from oms.accounts.actor import Actor
from oms.accounts.roles import CHANGE_BEFORE_SHIPMENT, RECORD_PAYMENT
from oms.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from oms.core.money import InvalidMoney, parse_money
from oms.orders import changes, line_edits, selectors
from oms.orders.errors import OrderNotFound
from oms.orders.models import Order, OrderLine
from oms.orders.personal_data import masked_contact
from oms.orders.review import corrections
from oms.orders.status import OrderStatus, PaymentMethod, PaymentStatus
from oms.web.access import PermissionRequiredMixin, forbidden
from oms.web.views.orders import detail_context, not_found

MASKED_IN_FORM = ("name", "phone", "detail")


class AddressForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Recipient"), max_length=100, required=False)
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=32, required=False)
    province = forms.CharField(label=gettext_lazy("Province"), max_length=32, required=False)
    city = forms.CharField(label=gettext_lazy("City"), max_length=32, required=False)
    district = forms.CharField(label=gettext_lazy("District"), max_length=32, required=False)
    detail = forms.CharField(label=gettext_lazy("Address detail"), max_length=255, required=False)
    postcode = forms.CharField(label=gettext_lazy("Postcode"), max_length=12, required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)

    @classmethod
    def for_order(cls, order: Order, prefix: str) -> AddressForm:
        # Personal data is not put in the page (§3.3): its masked value is the placeholder and a
        # field left empty keeps it (kept_values).
        form = cls(prefix=prefix, initial={name: getattr(order, column)
                                           for name, column in changes.ADDRESS_FIELDS.items()
                                           if name not in MASKED_IN_FORM})
        masked = masked_contact(order)
        for name in MASKED_IN_FORM:
            form.fields[name].widget.attrs["placeholder"] = masked[changes.ADDRESS_FIELDS[name]]
        return form

    def changed_values(self) -> dict[str, str]:
        """The address fields to apply: every field but the note, without personal fields left empty."""
        return {k: v for k, v in self.cleaned_data.items() if k != "note" and not (k in MASKED_IN_FORM and not v)}


class AddLineForm(forms.Form):
    sku = forms.CharField(label=gettext_lazy("SKU"), max_length=64)
    quantity = forms.IntegerField(label=gettext_lazy("Quantity"), min_value=1, max_value=100000)
    unit_price = forms.CharField(label=gettext_lazy("Unit price"), max_length=16)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500, required=False)


class TopUpForm(forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("Method"),
                               choices=[c for c in PaymentMethod.choices if c[0] != PaymentMethod.COD])
    amount = forms.CharField(label=gettext_lazy("Amount"), max_length=16)
    transaction_id = forms.CharField(label=gettext_lazy("Transaction id"), max_length=64, required=False)


def change_panel(request, order: Order, extra: dict | None = None) -> dict:
    """What the order page shows of changes before shipment for this user (forms, which actions apply)."""
    extra = extra or {}
    user = request.user
    can_change = user.has_perm(CHANGE_BEFORE_SHIPMENT)
    status = order.status
    lines_editable = status in line_edits.EDITABLE and not order.packages.exclude(status="cancelled").exists()
    owed = order.payable_amount - order.paid_amount
    return {
        "address": can_change and status in changes.CHANGEABLE,
        "redirect": can_change and status in changes.AFTER_SHIPMENT
        and order.packages.filter(status__in=changes.ON_THE_ROAD).exists(),
        "lines": can_change and lines_editable,
        "top_up": user.has_perm(RECORD_PAYMENT) and order.payment_status == PaymentStatus.PAID and owed > 0
        and status in corrections.BEFORE_APPROVAL,
        "owed": owed,
        "address_form": extra.get("address_form") or AddressForm.for_order(order, "address"),
        "redirect_form": extra.get("redirect_form") or AddressForm.for_order(order, "redirect"),
        "line_form": extra.get("line_form") or AddLineForm(prefix="line"),
        "top_up_form": extra.get("top_up_form") or TopUpForm(prefix="topup", initial={
            "method": order.payment_method, "amount": f"{owed:.2f}" if owed > 0 else ""}),
        "error": extra.get("error"),
    }


def _show(request, order_no: str, status: int, **forms_and_error):
    order = selectors.order_detail(order_no)
    context = detail_context(request, order, change_extra=forms_and_error)
    return render(request, "web/orders/detail.html", context, status=status)


def _field_errors(form: forms.Form, exc: ApplicationError) -> None:
    named = False
    for name, problems in (exc.details or {}).items():
        if name in form.fields:
            for problem in problems if isinstance(problems, list) else [problems]:
                form.add_error(name, str(problem))
            named = True
    if not named:
        form.add_error(None, exc.message)


class _ChangeView(PermissionRequiredMixin, View):
    required_permission = CHANGE_BEFORE_SHIPMENT
    form_key = ""

    def act(self, request, order_no: str, form: forms.Form) -> str:
        raise NotImplementedError

    def make_form(self, request) -> forms.Form:
        raise NotImplementedError

    def post(self, request, order_no: str, **kwargs):
        self.kwargs_extra = kwargs
        form = self.make_form(request)
        if not form.is_valid():
            return self._refused(request, order_no, form)
        try:
            done = self.act(request, order_no, form)
        except OrderNotFound:
            return not_found(request, order_no)
        except ValidationFailed as exc:
            _field_errors(form, exc)
            return self._refused(request, order_no, form)
        except PermissionDenied as exc:
            if exc.code == "permission_denied":
                return forbidden(request)
            messages.error(request, exc.message)
            return redirect("web:order_detail", order_no=order_no)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("web:order_detail", order_no=order_no)
        messages.success(request, done)
        return redirect("web:order_detail", order_no=order_no)

    def _refused(self, request, order_no: str, form: forms.Form):
        try:
            return _show(request, order_no, 400, **{self.form_key: form})
        except OrderNotFound:
            return not_found(request, order_no)


class ChangeAddressView(_ChangeView):
    form_key = "address_form"

    def make_form(self, request):
        return AddressForm(request.POST, prefix="address")

    def act(self, request, order_no, form):
        data = form.changed_values()
        result = changes.change_address(order_no=order_no, actor=Actor.of(request.user), address=data,
                                        note=form.cleaned_data["note"])
        if not result.changes:
            return _("Nothing changed.")
        if result.reprint:
            return _("Address changed; the warehouse is asked to print again: %(packages)s.") % {
                "packages": ", ".join(result.reprint)}
        return _("Address changed.")


class RedirectionView(_ChangeView):
    form_key = "redirect_form"

    def make_form(self, request):
        return AddressForm(request.POST, prefix="redirect")

    def act(self, request, order_no, form):
        data = form.changed_values()
        result = changes.request_redirection(order_no=order_no, actor=Actor.of(request.user), address=data,
                                             note=form.cleaned_data["note"])
        return _("Redirection requested from logistics: %(tickets)s.") % {"tickets": ", ".join(result.tickets)}


class AddLineView(_ChangeView):
    form_key = "line_form"

    def make_form(self, request):
        return AddLineForm(request.POST, prefix="line")

    def act(self, request, order_no, form):
        d = form.cleaned_data
        result = line_edits.add_line(order_no=order_no, actor=Actor.of(request.user), sku=d["sku"],
                                     quantity=d["quantity"], unit_price=d["unit_price"], note=d["note"])
        return _edited(result)


class LineRowForm(forms.Form):
    quantity = forms.IntegerField(label=gettext_lazy("Quantity"), min_value=1, max_value=100000, required=False)
    sku = forms.CharField(label=gettext_lazy("SKU"), max_length=64, required=False)
    unit_price = forms.CharField(label=gettext_lazy("Unit price"), max_length=16, required=False)


class ChangeLineView(_ChangeView):
    form_key = "line_row_form"

    def make_form(self, request):
        return LineRowForm(request.POST)

    def act(self, request, order_no, form):
        d = form.cleaned_data
        line_no = self.kwargs_extra["line_no"]
        # The row's form sends the line's current SKU back: only a different code is a swap (a line
        # whose SKU is not in the catalogue can still have its quantity changed).
        current = OrderLine.objects.filter(order__order_no=order_no, line_no=line_no).values_list(
            "sku_code", flat=True).first()
        sku = d["sku"].strip() if d["sku"].strip() != current else ""
        result = line_edits.change_line(order_no=order_no, line_no=line_no, actor=Actor.of(request.user),
                                        quantity=d["quantity"], sku=sku, unit_price=d["unit_price"] or None)
        return _edited(result)

    def _refused(self, request, order_no, form):
        errors = "; ".join(f"{form.fields[k].label if k in form.fields else ''} {' '.join(v)}".strip()
                           for k, v in form.errors.items())
        messages.error(request, _("Line %(n)s not changed: %(errors)s") % {"n": self.kwargs_extra["line_no"],
                                                                          "errors": errors})
        return redirect("web:order_detail", order_no=order_no)


class RemoveLineView(_ChangeView):
    def make_form(self, request):
        return forms.Form(request.POST)

    def act(self, request, order_no, form):
        result = line_edits.remove_line(order_no=order_no, line_no=self.kwargs_extra["line_no"],
                                        actor=Actor.of(request.user))
        return _edited(result)


def _edited(result: line_edits.LineEdit) -> str:
    order = result.order
    if result.refund:
        return _("Lines changed; payable now %(payable)s, refund %(refund)s raised.") % {
            "payable": f"{order.payable_amount:.2f}", "refund": result.refund}
    if order.payment_status == PaymentStatus.PAID and order.payable_amount > order.paid_amount:
        return _("Lines changed; payable now %(payable)s: the order waits for %(owed)s more.") % {
            "payable": f"{order.payable_amount:.2f}", "owed": f"{order.payable_amount - order.paid_amount:.2f}"}
    return _("Lines changed; payable now %(payable)s.") % {"payable": f"{order.payable_amount:.2f}"}


class TopUpView(_ChangeView):
    required_permission = RECORD_PAYMENT
    form_key = "top_up_form"

    def make_form(self, request):
        return TopUpForm(request.POST, prefix="topup")

    def act(self, request, order_no, form):
        d = form.cleaned_data
        try:
            amount = parse_money(d["amount"])
        except InvalidMoney:
            raise ValidationFailed(details={"amount": [_('An amount such as "12.00".')]}) from None
        outcome = corrections.record_payment(order_no=order_no, actor=Actor.of(request.user), method=d["method"],
                                             amount=amount, transaction_id=d["transaction_id"], top_up=True)
        if outcome is not None and outcome.order.status == OrderStatus.PENDING_SHIPMENT:
            return _("Top-up recorded; the order is approved.")
        return _("Top-up recorded.")
