"""Logs never carry full phone numbers, street details or tokens: the redaction filter of
settings.LOGGING, and the scanner that checks every line logged during the test run
(tests/log_scanner.py, installed by tests/conftest.py)."""

from __future__ import annotations

import logging

from django.conf import settings

from oms.core.log_redaction import RedactPersonalData, redact
from tests import log_scanner
from tests.conftest import _LOG_CAPTURE

TOKEN = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"


def test_the_scanner_finds_a_phone_a_token_and_a_test_street_detail_in_planted_lines():
    lines = [
        ("oms.orders", "INFO oms.orders order T1 for 13800138000"),
        ("oms.api", f"WARNING oms.api bad request with Token {TOKEN}"),
        ("oms.shipping", "ERROR oms.shipping cannot route 浙江省杭州市西湖区文三路100号"),
        ("oms.orders", "INFO oms.orders order T1 for 138****8000 to 文三路***号, order no 2611270000000123"),
    ]

    found = log_scanner.scan(lines)

    assert [(f.kind, f.logger) for f in found] == [("phone", "oms.orders"), ("token", "oms.api"),
                                                  ("street", "oms.shipping")]
    assert "13800138000" not in log_scanner.shown(found[0]) and TOKEN not in log_scanner.shown(found[1])


def test_the_session_capture_receives_debug_records_of_any_logger():
    before = len(_LOG_CAPTURE.lines)

    logging.getLogger("oms.somewhere").debug("a debug line %s", "with an argument")

    assert _LOG_CAPTURE.lines[before:] == [("oms.somewhere", "DEBUG oms.somewhere a debug line with an argument")]
    del _LOG_CAPTURE.lines[before:]  # this line is the test's own, not the application's


def test_a_line_logged_through_the_filter_no_longer_trips_the_scanner():
    record = logging.LogRecord("oms.orders", logging.WARNING, __file__, 1,
                               "push from %s failed for %s at %s (Token %s)",
                               ("13800138000", "+86 139 0013 9000", "文三路100号", TOKEN), None)

    RedactPersonalData().filter(record)
    line = record.getMessage()

    assert log_scanner.scan([("oms.orders", line)]) == []
    assert "138****8000" in line and "文三路***号" in line


def test_redaction_hides_fixed_lines_bare_tokens_and_keeps_order_numbers():
    assert redact("call 0571-88886666") == "call 0571-****66"
    assert redact(f"key {TOKEN}") == "key [token]"
    assert redact("order 261127000000012345 paid 59.00") == "order 261127000000012345 paid 59.00"


def test_the_redaction_filter_is_on_the_console_handler_of_the_settings():
    console = settings.LOGGING["handlers"]["console"]
    assert "redact_personal_data" in console["filters"]
    assert settings.LOGGING["filters"]["redact_personal_data"]["()"] == "oms.core.log_redaction.RedactPersonalData"


def test_a_traceback_is_redacted_too():
    try:
        raise ValueError("no route for 13800138000")
    except ValueError:
        import sys

        record = logging.LogRecord("oms.x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    RedactPersonalData().filter(record)

    assert "13800138000" not in record.exc_text and "138****8000" in record.exc_text


def test_the_workers_log_lines_are_redacted_too():
    # run_huey adds a handler of its own only when the "huey" logger has none; settings give it a redacting one.
    # (pytest adds capture handlers of its own beside it while a test runs.)
    handlers = [h for h in logging.getLogger("huey").handlers if isinstance(h, logging.StreamHandler)
                and any(isinstance(f, RedactPersonalData) for f in h.filters)]
    assert handlers
    record = logging.LogRecord("huey.consumer", logging.ERROR, __file__, 1, "task for %s failed", ("13800138000",),
                               None)
    for handler in handlers:
        for f in handler.filters:
            f.filter(record)
    assert "13800138000" not in record.getMessage()
