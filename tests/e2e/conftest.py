"""Browser fixtures: Playwright's sync API driving Debian's Chromium (never a downloaded browser)."""

import os
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
LAPTOP = {"width": 1366, "height": 768}


def _unavailable(reason: str):
    if os.environ.get("OMS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (OMS_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture
def browser(monkeypatch):
    """A fresh Chromium per test, so no event loop outlives the test that needed it."""
    if not os.path.exists(CHROMIUM):
        _unavailable(f"{CHROMIUM} is missing; install Debian's chromium package to run browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    # Playwright's sync API keeps an asyncio loop on this thread; Django's ORM in the test body
    # (fixtures, assertions) is still plain synchronous code, so allow it for this test only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
            # While Playwright's loop runs, asgiref gives the ORM a separate connection for this
            # context; close it, or PostgreSQL refuses to drop the test database at the end.
            connections.close_all()


@pytest.fixture
def screenshot_dir(tmp_path) -> Path:
    """Where browser tests leave their screenshots (OMS_SCREENSHOT_DIR to keep them)."""
    path = Path(os.environ.get("OMS_SCREENSHOT_DIR") or tmp_path / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def new_page(browser, live_server, settings):
    """Open a page in a fresh context (own cookies) on a laptop-sized screen, in English.

    Collects Content-Security-Policy violations and page errors on `page.problems`. Take screenshots
    with caret="initial": Playwright's default caret hiding injects a style the strict CSP refuses.
    """
    settings.AXES_ENABLED = False
    contexts = []

    def make(language: str = "en"):
        context = browser.new_context(viewport=LAPTOP, base_url=live_server.url, locale="en-US")
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.problems = problems
        return page

    yield make
    for context in contexts:
        context.close()


def sign_in(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
