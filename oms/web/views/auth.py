"""Signing in and out, the language switch, and the landing page."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from axes.helpers import get_cool_off
from django import forms
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.i18n import set_language

from oms.accounts.models import User
from oms.accounts.roles import MANAGE_USERS, VIEW_ORDERS
from oms.web.access import AUTHENTICATED, PUBLIC, PermissionRequiredMixin

# The password step leaves this in the session until the code step signs the person in.
PENDING_SIGN_IN = "oms_pending_sign_in"
PENDING_MAX_AGE_S = 5 * 60


def start_page(user) -> str:
    return reverse("web:order_list") if user.has_perm(VIEW_ORDERS) else reverse("web:home")


def locked_out_response(request, original_response=None, credentials=None):
    """The login page saying the account is locked (settings.AXES_LOCKOUT_CALLABLE)."""
    cool_off = get_cool_off(request)
    minutes = max(1, int(cool_off.total_seconds() // 60)) if cool_off else None
    form = auth_views.AuthenticationForm(request)
    return render(
        request, "web/login.html", {"form": form, "locked_out": True, "cool_off_minutes": minutes}, status=429
    )


class LoginView(PermissionRequiredMixin, auth_views.LoginView):
    """Step one: username and password. A person with a second factor goes on to the code step
    (still signed out); the others are signed in at once."""

    required_permission = PUBLIC
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return start_page(self.request.user)

    def form_valid(self, form):
        user = form.get_user()
        if user.has_two_factor:
            self.request.session.cycle_key()
            self.request.session[PENDING_SIGN_IN] = {
                "user_id": user.pk, "backend": user.backend, "at": time.time(),
                "next": self.get_redirect_url(),
            }
            return redirect("web:login_code")
        return super().form_valid(form)


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code from your authenticator app"), max_length=8,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": True}))


class LoginCodeView(PermissionRequiredMixin, View):
    """Step two: the six-digit code. Wrong codes count as failed sign-ins (and lock the account like
    wrong passwords); the session is signed in only when the code is right."""

    required_permission = PUBLIC

    def pending(self, request):
        pending = request.session.get(PENDING_SIGN_IN)
        if not pending or time.time() - pending["at"] > PENDING_MAX_AGE_S:
            request.session.pop(PENDING_SIGN_IN, None)
            return None, None
        user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
        return (pending, user) if user is not None else (None, None)

    def show(self, request, form, *, status=200):
        return render(request, "web/login_code.html", {"form": form}, status=status)

    def get(self, request):
        pending, _user = self.pending(request)
        if pending is None:
            return redirect("web:login")
        return self.show(request, CodeForm())

    def post(self, request):
        from axes.handlers.proxy import AxesProxyHandler

        from oms.accounts.administration import check_second_factor

        pending, user = self.pending(request)
        if pending is None:
            return redirect("web:login")
        credentials = {"username": user.username}
        if AxesProxyHandler.is_locked(request, credentials):
            request.session.pop(PENDING_SIGN_IN, None)
            return locked_out_response(request, credentials=credentials)
        form = CodeForm(request.POST)
        if form.is_valid() and check_second_factor(user_id=user.pk, code=form.cleaned_data["code"]):
            request.session.pop(PENDING_SIGN_IN, None)
            login(request, user, backend=pending["backend"])
            target = pending.get("next") or start_page(user)
            return redirect(target)
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            request.session.pop(PENDING_SIGN_IN, None)
            return locked_out_response(request, credentials=credentials)
        form.add_error("code", _("That code is not right."))
        return self.show(request, form, status=400)


class AdminLoginView(PermissionRequiredMixin, View):
    """`/admin/login/`: the admin site signs in with the password alone, which would skip the second
    factor; send people to our sign-in (password, then code) and back to where they were going."""

    required_permission = PUBLIC

    def get(self, request):
        target = reverse("web:login")
        next_url = request.GET.get("next")
        if next_url:
            target += "?" + urlencode({"next": next_url})
        return redirect(target)

    post = get


class AdminPasswordChangeView(PermissionRequiredMixin, View):
    """`/admin/password_change/`: Django's form skips the password history; ours keeps it."""

    required_permission = AUTHENTICATED

    def get(self, request):
        return redirect("web:password_change")

    post = get


class LogoutView(PermissionRequiredMixin, auth_views.LogoutView):
    # Public so that signing out with an expired session just lands on the login page.
    required_permission = PUBLIC


class SetLanguageView(PermissionRequiredMixin, View):
    """Django's set_language, declared public like every other page declares its permission."""

    required_permission = PUBLIC

    def post(self, request):
        return set_language(request)


class HomeView(PermissionRequiredMixin, View):
    """`/`: a dashboard for every role: the at-risk and overdue counts of the user's team queues, and their pages."""

    required_permission = AUTHENTICATED

    def get(self, request):
        from oms.timeliness.selectors import timeliness_cards

        return render(request, "web/home.html", {
            "manages_users": request.user.has_perm(MANAGE_USERS),
            "sees_orders": request.user.has_perm(VIEW_ORDERS),
            "timeliness_cards": timeliness_cards(request.user),
        })
