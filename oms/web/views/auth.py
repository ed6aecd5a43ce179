"""Signing in and out, the language switch, and the landing page."""

from __future__ import annotations

from axes.helpers import get_cool_off
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.i18n import set_language

from oms.accounts.roles import MANAGE_USERS, VIEW_ORDERS
from oms.web.access import AUTHENTICATED, PUBLIC, PermissionRequiredMixin


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
    required_permission = PUBLIC
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return start_page(self.request.user)


class LogoutView(PermissionRequiredMixin, auth_views.LogoutView):
    # Public so that signing out with an expired session just lands on the login page.
    required_permission = PUBLIC


class SetLanguageView(PermissionRequiredMixin, View):
    """Django's set_language, declared public like every other page declares its permission."""

    required_permission = PUBLIC

    def post(self, request):
        return set_language(request)


class HomeView(PermissionRequiredMixin, View):
    """`/`: the order list for those who may see orders, a short landing page for the others."""

    required_permission = AUTHENTICATED

    def get(self, request):
        if request.user.has_perm(VIEW_ORDERS):
            return redirect("web:order_list")
        return render(request, "web/home.html", {"manages_users": request.user.has_perm(MANAGE_USERS)})
