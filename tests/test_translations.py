"""Simplified Chinese ships complete; the compiled catalogues match their sources."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.test import Client

LOCALE = Path(__file__).resolve().parent.parent / "oms" / "locale"
ZH_PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sdr]|\{\w*\}")


def test_every_chinese_entry_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(ZH_PO))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_chinese_translations_keep_their_placeholders():
    wrong = []
    for entry in polib.pofile(str(ZH_PO)).translated_entries():
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            if sorted(PLACEHOLDER.findall(entry.msgid)) != sorted(PLACEHOLDER.findall(text)):
                wrong.append(entry.msgid)
    assert wrong == []


@pytest.mark.parametrize("po_path", sorted(LOCALE.glob("*/LC_MESSAGES/django.po")), ids=lambda p: p.parts[-3])
def test_the_committed_mo_file_matches_its_po_file(po_path):
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    compiled = {(e.msgctxt, e.msgid): e.msgstr or dict(e.msgstr_plural) for e in mo}
    expected = {
        (e.msgctxt, e.msgid): e.msgstr or dict(e.msgstr_plural)
        for e in polib.pofile(str(po_path)).translated_entries()
    }
    assert {k: v for k, v in expected.items() if k[1]} == {k: v for k, v in compiled.items() if k[1]}


def test_the_catalogue_covers_every_marked_string(tmp_path):
    """Extract the strings again (GNU gettext) and check none is missing from the shipped catalogue."""
    if shutil.which("xgettext") is None:
        if os.environ.get("OMS_REQUIRE_GETTEXT") == "1":
            pytest.fail("GNU gettext (Debian package gettext) is required for this check")
        pytest.skip("GNU gettext (Debian package gettext) is not installed")
    package = Path(__file__).resolve().parent.parent / "oms"
    copy = tmp_path / "oms"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "oms.config.settings"}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete", "--no-location"],
        cwd=copy, env=env, check=True, capture_output=True,
    )
    fresh = {(e.msgctxt, e.msgid) for e in polib.pofile(str(copy / "locale/zh_Hans/LC_MESSAGES/django.po"))}
    shipped = {(e.msgctxt, e.msgid) for e in polib.pofile(str(ZH_PO))}
    assert sorted(m for _c, m in fresh - shipped) == []


def test_pages_speak_chinese_by_default_and_english_on_request(db):
    client = Client()
    assert "登录" in client.get("/login/").content.decode()
    client.cookies["django_language"] = "en"
    assert "Sign in" in client.get("/login/").content.decode()


def test_api_errors_follow_the_requested_language(api):
    client = api("integration")
    zh = client.post("/api/v1/orders", {"channel": "taobao"}, format="json").json()
    en = client.post("/api/v1/orders", {"channel": "taobao"}, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert zh["error"]["details"]["external_id"] == ["此项为必填项。"]
    assert en["error"]["details"]["external_id"] == ["This field is required."]


def test_pages_ignore_the_browsers_language_until_the_user_switches(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "登录" in client.get("/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert "Sign in" in client.get("/login/").content.decode()
