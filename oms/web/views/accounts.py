"""Accounts in the back office (manual §3.1): administrators manage people, roles and scopes; everyone
changes their own password and second factor.

Thin: the forms collect input, oms.accounts.services / administration validate, save and audit.
A person may hold several roles (the groups allow it and small teams share work); each role still
gives only its own rights, and the list shows every role a person holds.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from oms.accounts import administration, totp
from oms.accounts.actor import Actor
from oms.accounts.models import RolePolicy, User
from oms.accounts.roles import MANAGE_USERS, ROLE_ORDER
from oms.accounts.services import create_user
from oms.channels.models import Channel
from oms.core.errors import ApplicationError
from oms.inventory.models import Warehouse
from oms.web.access import AUTHENTICATED, PermissionRequiredMixin, forbidden
from oms.web.labels import role_labels

PAGE_SIZE = 200
ENROL_SECRET = "oms_totp_enrol_secret"


def role_choices() -> list[tuple[str, str]]:
    from oms.accounts.roles import ROLE_LABELS

    return [(r, ROLE_LABELS[r]) for r in ROLE_ORDER]


def _place_errors(request, form: forms.Form, exc: ApplicationError):
    """Service errors next to their fields (or above the form); a forbidden page when not allowed."""
    if exc.code == "permission_denied":
        return forbidden(request)
    placed = False
    for key in exc.details:
        name = {"role": "roles"}.get(key, key)
        if name in form.fields:
            form.add_error(name, exc.message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)
    return None


class AccountForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=100)
    employee_no = forms.CharField(label=gettext_lazy("Employee number"), max_length=32, required=False)
    team = forms.ChoiceField(label=gettext_lazy("Team"), required=False)
    is_supervisor = forms.BooleanField(label=gettext_lazy("Team supervisor"), required=False)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)
    roles = forms.MultipleChoiceField(label=gettext_lazy("Roles"), widget=forms.CheckboxSelectMultiple)
    warehouses = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Warehouses"), required=False, queryset=Warehouse.objects.order_by("code"),
        widget=forms.CheckboxSelectMultiple, help_text=gettext_lazy("None: every warehouse."))
    channels = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Channels"), required=False, queryset=Channel.objects.order_by("code"),
        widget=forms.CheckboxSelectMultiple, help_text=gettext_lazy("None: every channel."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = role_choices()
        self.fields["team"].choices = [("", "—"), *role_choices()]


class AccountCreateForm(AccountForm):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    password = forms.CharField(
        label=gettext_lazy("Initial password"), required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("The person must change it at the first sign-in. "
                               "Empty: an account for the API only (token)."))

    field_order = ["username", "full_name", "employee_no", "team", "is_supervisor", "email", "password", "roles",
                   "warehouses", "channels"]


class PasswordForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("New password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class AccountListView(PermissionRequiredMixin, View):
    required_permission = MANAGE_USERS

    def get(self, request):
        q = request.GET.get("q", "").strip()
        users = User.objects.prefetch_related("groups", "warehouses", "channels").order_by("username")
        if q:
            users = users.filter(Q(username__icontains=q) | Q(full_name__icontains=q) | Q(employee_no__icontains=q))
        users = list(users[:PAGE_SIZE])
        locked = administration.locked_usernames(u.username for u in users)
        rows = [{
            "user": u, "roles": role_labels(u.role_codes()), "locked": u.username in locked,
            "warehouses": ", ".join(w.code for w in u.warehouses.all()),
            "channels": ", ".join(c.code for c in u.channels.all()),
        } for u in users]
        return render(request, "web/accounts/list.html", {"rows": rows, "q": q})


class AccountCreateView(PermissionRequiredMixin, View):
    required_permission = MANAGE_USERS

    def show(self, form, *, status=200):
        return render(self.request, "web/accounts/form.html", {"form": form, "account": None}, status=status)

    def get(self, request):
        return self.show(AccountCreateForm())

    def post(self, request):
        form = AccountCreateForm(request.POST)
        if not form.is_valid():
            return self.show(form, status=400)
        d = form.cleaned_data
        try:
            user = create_user(
                username=d["username"], roles=d["roles"], password=d["password"] or None, email=d["email"],
                full_name=d["full_name"], employee_no=d["employee_no"], team=d["team"],
                is_supervisor=d["is_supervisor"], warehouse_ids=[w.pk for w in d["warehouses"]],
                channel_ids=[c.pk for c in d["channels"]], must_change_password=True, actor=Actor.of(request.user),
            )
        except ApplicationError as exc:
            return _place_errors(request, form, exc) or self.show(form, status=exc.http_status)
        messages.success(request, _("Account %(name)s created; the person must change the password at the "
                                    "first sign-in.") % {"name": user.username})
        return redirect("web:account_edit", user_id=user.pk)


def _account(user_id: str) -> User:
    # The id comes from the path as text (a non-number is simply not found).
    user = User.objects.filter(pk=int(user_id)).first() if str(user_id).isdigit() else None
    if user is None:
        raise Http404
    return user


class AccountEditView(PermissionRequiredMixin, View):
    required_permission = MANAGE_USERS

    def show(self, account, form, *, password_form=None, status=200):
        return render(self.request, "web/accounts/form.html", {
            "form": form, "account": account, "password_form": password_form or PasswordForm(),
            "locked": bool(administration.locked_usernames([account.username])),
            "roles": role_labels(account.role_codes()),
        }, status=status)

    @staticmethod
    def initial(account: User) -> dict:
        return {
            "full_name": account.full_name, "employee_no": account.employee_no, "team": account.team,
            "is_supervisor": account.is_supervisor, "email": account.email, "roles": list(account.role_codes()),
            "warehouses": list(account.warehouses.all()), "channels": list(account.channels.all()),
        }

    def get(self, request, user_id: str):
        account = _account(user_id)
        return self.show(account, AccountForm(initial=self.initial(account)))

    def post(self, request, user_id: str):
        account = _account(user_id)
        form = AccountForm(request.POST)
        if not form.is_valid():
            return self.show(account, form, status=400)
        d = form.cleaned_data
        try:
            changes = administration.update_account(
                user_id=account.pk, actor=Actor.of(request.user), full_name=d["full_name"],
                employee_no=d["employee_no"], team=d["team"], is_supervisor=d["is_supervisor"], email=d["email"],
                roles=d["roles"], warehouse_ids=[w.pk for w in d["warehouses"]],
                channel_ids=[c.pk for c in d["channels"]],
            )
        except ApplicationError as exc:
            return _place_errors(request, form, exc) or self.show(account, form, status=exc.http_status)
        if changes:
            messages.success(request, _("Account %(name)s saved.") % {"name": account.username})
        else:
            messages.info(request, _("Nothing changed."))
        return redirect("web:account_edit", user_id=account.pk)


class AccountPasswordResetView(PermissionRequiredMixin, View):
    """An administrator gives a new initial password; the person must change it at the next sign-in."""

    required_permission = MANAGE_USERS

    def post(self, request, user_id: str):
        account = _account(user_id)
        form = PasswordForm(request.POST)
        if form.is_valid():
            try:
                administration.reset_password(user_id=account.pk, password=form.cleaned_data["password"],
                                              actor=Actor.of(request.user))
            except ApplicationError as exc:
                if exc.code == "permission_denied":
                    return forbidden(request)
                form.add_error("password", exc.message)
        if form.errors:
            edit = AccountEditView()
            edit.request = request
            return edit.show(account, AccountForm(initial=AccountEditView.initial(account)), password_form=form,
                             status=400)
        messages.success(request, _("New password set for %(name)s; it must be changed at the next sign-in.")
                         % {"name": account.username})
        return redirect("web:account_edit", user_id=account.pk)


class AccountActionView(PermissionRequiredMixin, View):
    """Deactivate, reactivate, unlock, reset the second factor (one button each on the account page)."""

    required_permission = MANAGE_USERS
    action = ""

    def post(self, request, user_id: str):
        account = _account(user_id)
        actor = Actor.of(request.user)
        try:
            if self.action == "deactivate":
                administration.set_active(user_id=account.pk, active=False, actor=actor)
                done = _("Account %(name)s deactivated.")
            elif self.action == "reactivate":
                administration.set_active(user_id=account.pk, active=True, actor=actor)
                done = _("Account %(name)s reactivated.")
            elif self.action == "unlock":
                administration.unlock(user_id=account.pk, actor=actor)
                done = _("Account %(name)s unlocked.")
            elif self.action == "reset_two_factor":
                administration.reset_two_factor(user_id=account.pk, actor=actor)
                done = _("Second factor of %(name)s removed.")
            else:
                raise Http404
        except ApplicationError as exc:
            if exc.code == "permission_denied":
                return forbidden(request)
            messages.error(request, exc.message)
            return redirect("web:account_edit", user_id=account.pk)
        messages.success(request, done % {"name": account.username})
        return redirect("web:account_edit", user_id=account.pk)


class TwoFactorPolicyForm(forms.Form):
    roles = forms.MultipleChoiceField(label=gettext_lazy("Roles that must use a second factor"), required=False,
                                      widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = role_choices()


class TwoFactorPolicyView(PermissionRequiredMixin, View):
    required_permission = MANAGE_USERS

    def get(self, request):
        required = list(RolePolicy.objects.filter(totp_required=True).values_list("role", flat=True))
        return render(request, "web/accounts/policy.html", {"form": TwoFactorPolicyForm(initial={"roles": required})})

    def post(self, request):
        form = TwoFactorPolicyForm(request.POST)
        if not form.is_valid():
            return render(request, "web/accounts/policy.html", {"form": form}, status=400)
        try:
            administration.set_role_policy(required_roles=form.cleaned_data["roles"], actor=Actor.of(request.user))
        except ApplicationError as exc:
            if exc.code == "permission_denied":
                return forbidden(request)
            form.add_error(None, exc.message)
            return render(request, "web/accounts/policy.html", {"form": form}, status=exc.http_status)
        messages.success(request, _("Second-factor policy saved."))
        return redirect("web:two_factor_policy")


# --- one's own account -------------------------------------------------------------------------------

class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=gettext_lazy("Current password"), strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password = forms.CharField(label=gettext_lazy("New password"), strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password_again = forms.CharField(label=gettext_lazy("New password again"), strip=False,
                                         widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class PasswordChangeView(PermissionRequiredMixin, View):
    """`/account/password/`: change one's own password (where a forced change sends the person)."""

    required_permission = AUTHENTICATED

    def show(self, form, *, status=200):
        from django.contrib.auth.password_validation import password_validators_help_texts

        from oms.accounts.passwords import change_due

        return render(self.request, "web/accounts/password.html", {
            "form": form, "forced": change_due(self.request.user), "rules": password_validators_help_texts(),
        }, status=status)

    def get(self, request):
        return self.show(PasswordChangeForm())

    def post(self, request):
        from oms.web.views.auth import start_page

        form = PasswordChangeForm(request.POST)
        if not form.is_valid():
            return self.show(form, status=400)
        try:
            user = administration.change_own_password(
                user_id=request.user.pk, old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"])
        except ApplicationError as exc:
            field = "old_password" if "old_password" in exc.details else "new_password"
            form.add_error(field, exc.message)
            return self.show(form, status=exc.http_status)
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect(start_page(user))


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code from your authenticator app"), max_length=8,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class TwoFactorView(PermissionRequiredMixin, View):
    """`/account/two-factor/`: enrol (scan the QR code, confirm with one code) or turn the second factor off."""

    required_permission = AUTHENTICATED

    def show(self, request, form=None, *, status=200):
        user = request.user
        context = {"enrolled": user.has_two_factor, "required": administration.totp_required(user),
                   "form": form or CodeForm()}
        if not user.has_two_factor:
            secret = request.session.get(ENROL_SECRET)
            if not secret:
                secret = request.session[ENROL_SECRET] = totp.new_secret()
            context["secret"] = secret
            context["qr"] = totp.qr_data_uri(totp.provisioning_uri(secret, user.username))
        return render(request, "web/accounts/two_factor.html", context, status=status)

    def get(self, request):
        return self.show(request)

    def post(self, request):
        from oms.web.views.auth import start_page

        if request.POST.get("action") == "disable":
            try:
                administration.disable_own_two_factor(user_id=request.user.pk,
                                                      code=request.POST.get("code", ""))
            except ApplicationError as exc:
                messages.error(request, exc.message)
                return redirect("web:two_factor")
            messages.success(request, _("Second factor turned off."))
            return redirect("web:two_factor")
        secret = request.session.get(ENROL_SECRET)
        form = CodeForm(request.POST)
        if request.user.has_two_factor or not secret or not form.is_valid():
            return redirect("web:two_factor")
        try:
            user = administration.enrol_two_factor(user_id=request.user.pk, secret=secret,
                                                   code=form.cleaned_data["code"])
        except ApplicationError as exc:
            form.add_error("code", exc.message)
            return self.show(request, form, status=exc.http_status)
        request.session.pop(ENROL_SECRET, None)
        messages.success(request, _("Second factor set up: from now on sign-in asks for a code."))
        return redirect(start_page(user))
