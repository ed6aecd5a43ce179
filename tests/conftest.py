import copy
import os

import pytest
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from oms.accounts.actor import Actor
from oms.accounts.roles import ROLE_ORDER
from oms.accounts.services import create_user, token_for
from tests import log_scanner

PASSWORD = "test-pass-2026"

# Property tests and the API fuzz use fixed seeds, so a run is repeatable and CI cannot flake;
# HYPOTHESIS_PROFILE=explore draws new examples on every run.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

BASE_ORDER = {
    "channel": "taobao",
    "external_id": "TB20261126000001",
    "placed_at": "2026-11-26T10:15:00+08:00",
    "customer": {"name": "张三", "phone": "13800138000", "email": "zs@example.cn"},
    "shipping_address": {"name": "张三", "phone": "13800138000", "province": "浙江省", "city": "杭州市",
                         "district": "西湖区", "detail": "文三路100号", "postcode": "310012"},
    "lines": [{"sku": "TSHIRT-RED-M", "name": "纯棉T恤", "spec": "红色/M", "quantity": 2, "unit_price": "59.00"}],
    "shipping_fee": "10.00",
    "discounts": [{"kind": "coupon", "code": "NEW10", "amount": "10.00"}],
    "paid_amount": "118.00",
    "payment": {"method": "alipay", "status": "paid", "paid_at": "2026-11-26T10:16:00+08:00",
                "transaction_id": "2026112622001"},
    "buyer_remark": "周末送货",
    "invoice": {"type": "personal", "title": "张三"},
}


@pytest.fixture
def order_payload():
    """A fresh copy of the issue's example order; pass overrides as keyword arguments."""

    def make(**overrides):
        payload = copy.deepcopy(BASE_ORDER)
        payload.update(overrides)
        return payload

    return make


@pytest.fixture
def make_user(db):
    def make(username: str, role: str):
        # Not forced to change the password at first sign-in (accounts created by an administrator are).
        return create_user(username=username, role=role, password=PASSWORD, must_change_password=False)

    return make


@pytest.fixture
def users(make_user):
    """One user per role, named after the role."""
    return {role: make_user(role, role) for role in ROLE_ORDER}


@pytest.fixture
def actor(users):
    return lambda role: Actor.of(users[role])


@pytest.fixture
def api(users):
    """An API client signed in with the token of the given role's user."""

    def client_for(role: str | None):
        client = APIClient()
        if role:
            client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(username=users[role].username)}")
        return client

    return client_for


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is deliberately slow; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Figures a test measures (never asserts on), printed at the end of the run: see `report_figure`.
_FIGURES: list[str] = []


@pytest.fixture
def report_figure():
    return _FIGURES.append


def pytest_terminal_summary(terminalreporter):
    if _FIGURES:
        terminalreporter.section("measured (not asserted)")
        for line in _FIGURES:
            terminalreporter.write_line(line)
    if _LOG_FINDINGS:
        terminalreporter.section("personal data or tokens in the logs (tests/log_scanner.py)")
        for finding in _LOG_FINDINGS[:50]:
            terminalreporter.write_line(log_scanner.shown(finding))


# Log hygiene (§3.3): every record logged during the run, at every level, is kept and scanned at the
# end; a full phone number, a token or a test street detail in any line fails the run.
_LOG_CAPTURE = log_scanner.CapturingHandler()
_LOG_FINDINGS: list = []


def _attach_log_capture():
    import logging

    root = logging.getLogger()
    if _LOG_CAPTURE in root.handlers and root.level == logging.DEBUG:
        return
    for handler in root.handlers:  # the console keeps its level: DEBUG is for the capture only
        if handler.level == logging.NOTSET:
            handler.setLevel(root.level)
    root.setLevel(logging.DEBUG)
    if _LOG_CAPTURE not in root.handlers:
        root.addHandler(_LOG_CAPTURE)


def pytest_sessionstart(session):
    _attach_log_capture()


@pytest.fixture(autouse=True)
def _log_capture():
    # Code under test may configure logging again (django.setup() in the CLI, the worker), which
    # drops the root logger's handlers: attach the capture again before every test.
    _attach_log_capture()


def pytest_sessionfinish(session, exitstatus):
    import logging

    logging.getLogger().removeHandler(_LOG_CAPTURE)
    _LOG_FINDINGS.extend(log_scanner.scan(_LOG_CAPTURE.lines))
    if _LOG_FINDINGS and session.exitstatus == 0:
        session.exitstatus = 1
