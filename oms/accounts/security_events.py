"""Security audit events from Django's and django-axes' sign-in signals (AuditEvent with order None).

The failed sign-in event keeps the username tried and the address, never the password. Logins
without an HTTP client address (the test client's force_login, scripts) are not sign-ins and are
not recorded.
"""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from oms.accounts.actor import Actor

MAX_USERNAME = 150


def _ip(request) -> str:
    if request is None or not request.META.get("REMOTE_ADDR"):
        return ""
    return get_client_ip_address(request) or ""


def _record(action: str, *, actor: Actor, data: dict) -> None:
    from oms.audit.services import record

    record(None, action, actor=actor, data=data)


@receiver(user_logged_in, dispatch_uid="oms.security.signed_in")
def signed_in(sender, request=None, user=None, **kwargs):
    ip = _ip(request)
    if ip:
        _record("signed_in", actor=Actor.of(user), data={"username": user.username, "ip": ip})


@receiver(user_logged_out, dispatch_uid="oms.security.signed_out")
def signed_out(sender, request=None, user=None, **kwargs):
    ip = _ip(request)
    if ip and user is not None:
        _record("signed_out", actor=Actor.of(user), data={"username": user.username, "ip": ip})


@receiver(user_login_failed, dispatch_uid="oms.security.sign_in_failed")
def sign_in_failed(sender, credentials=None, request=None, **kwargs):
    username = str((credentials or {}).get("username") or "")[:MAX_USERNAME]
    _record("sign_in_failed", actor=Actor.system(), data={"username": username, "ip": _ip(request)})


@receiver(user_locked_out, dispatch_uid="oms.security.locked_out")
def locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    _record("locked_out", actor=Actor.system(),
            data={"username": str(username or "")[:MAX_USERNAME], "ip": ip_address or _ip(request)})
