"""Fixtures for import tests; file builders live in import_builders.py."""

from __future__ import annotations

import io

import pytest
from django.utils import translation

from oms.orders.importing.services import import_orders


@pytest.fixture(autouse=True)
def _english_messages():
    """Assertions below read English messages; the default language (zh-hans) is tested elsewhere."""
    with translation.override("en"):
        yield


@pytest.fixture
def importer(actor):
    """Import bytes as a file; the customer service role by default."""

    def run(content: bytes, filename: str = "orders.csv", role: str = "customer_service", **kwargs):
        return import_orders(fileobj=io.BytesIO(content), filename=filename, actor=actor(role), **kwargs)

    return run


@pytest.fixture(autouse=True)
def _messages_in_english(settings, monkeypatch):
    # Assertions read English messages; the Chinese catalogue is checked in tests/test_translations.py.
    settings.LANGUAGE_CODE = "en"
    monkeypatch.setenv("OMS_LANGUAGE", "en")
