"""Application logs never carry full phone numbers, addresses or tokens (§3.3): a logging filter
that rewrites each record's message (and traceback) before any handler writes it.

Installed on the console handler in settings.LOGGING. Redacts mainland mobile numbers (kept as
138****8000, enough to tell two apart), fixed-line numbers with an area code, 40-hex tokens (DRF
tokens) and `Token`/`Bearer` credentials, and street details written the usual way
("文三路100号" → "文三路***号"). docs/privacy.md.
"""

from __future__ import annotations

import logging
import re

MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
FIXED_LINE = re.compile(r"(?<!\d)(0\d{2,3})-(\d{7,8})(?!\d)")
HEX_TOKEN = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{40}(?![0-9A-Za-z])")
CREDENTIAL = re.compile(r"(?i)\b(token|bearer)\s+[0-9A-Za-z._~+/=-]{12,}")
STREET = re.compile(r"([\u4e00-\u9fff]{1,12}(?:路|街|大道|巷|弄|道))\d+(?:-\d+)?号")


def redact(text: str) -> str:
    """The text with phone numbers, tokens and street numbers hidden."""
    text = CREDENTIAL.sub(lambda m: f"{m.group(1)} [redacted]", text)
    text = HEX_TOKEN.sub("[token]", text)
    text = MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    text = FIXED_LINE.sub(lambda m: f"{m.group(1)}-****{m.group(2)[-2:]}", text)
    return STREET.sub(lambda m: f"{m.group(1)}***号", text)


class RedactPersonalData(logging.Filter):
    """Rewrite the record's message and traceback with `redact`; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logging's to report, not ours
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
