"""The log scanner of the test run (§3.3): every record any code logs during the run is formatted
and kept (tests/conftest.py installs the handler at DEBUG for the whole session); at the end of
the session the run fails if a line holds a full mainland mobile number, a DRF token (40 hex) or
a street detail of the test payloads.

Left out, and why: SQL statements Django logs at DEBUG only while a test counts queries
(django.db.backends: off in production, where DEBUG is False) and factory-boy's own DEBUG lines
(a test tool describing the objects it builds). Both are test machinery, not application logs.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
DRF_TOKEN = re.compile(r"(?<![0-9a-fA-F])[0-9a-f]{40}(?![0-9a-fA-F])")
# Street details the test payloads use (tests/conftest.py BASE_ORDER and the builders).
KNOWN_STREET_DETAILS = re.compile(r"文三路\d+号|建国路88号|解放路1号|人民路1号|银海路1号|大学东街235号")
NOT_APPLICATION_LOGS = ("django.db.backends", "factory")


@dataclass(frozen=True)
class Finding:
    kind: str
    logger: str
    line: str


def scan(lines: list[tuple[str, str]]) -> list[Finding]:
    """(logger, formatted line) pairs → what must not be in a log, one finding per line and kind."""
    found = []
    for logger, line in lines:
        for kind, pattern in (("phone", MOBILE), ("token", DRF_TOKEN), ("street", KNOWN_STREET_DETAILS)):
            if pattern.search(line):
                found.append(Finding(kind, logger, line))
    return found


def shown(finding: Finding) -> str:
    """A finding as the report prints it: the offending value itself is not printed again."""
    line = MOBILE.sub(lambda m: m.group()[:3] + "****" + m.group()[-4:], finding.line)
    line = DRF_TOKEN.sub("[token]", line)
    return f"{finding.kind} in {finding.logger}: {line[:300]}"


class CapturingHandler(logging.Handler):
    """Keeps every formatted record (message and traceback) of the run."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(NOT_APPLICATION_LOGS):
            return
        try:
            self.lines.append((record.name, self.format(record)))
        except Exception:  # noqa: BLE001 - a record that cannot be formatted is logging's to report
            self.handleError(record)
