"""Accounts in a real browser: an administrator creates an account, the new person signs in, must
change the first password, and then reaches their start page."""

import pytest

from oms.accounts.models import User
from oms.audit.models import AuditEvent
from tests.conftest import PASSWORD
from tests.e2e.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit(page, form: str) -> None:
    with page.expect_navigation():
        page.click(f"{form} button[type=submit]")


def test_a_new_account_changes_its_first_password_and_reaches_the_order_list(new_page, users, screenshot_dir):
    page = new_page()
    sign_in(page, "admin", PASSWORD)
    page.click("nav.mainnav >> text=Accounts")
    page.wait_for_url("**/accounts/")
    page.click("text=New account")
    page.fill("input[name=username]", "zhaomin")
    page.fill("input[name=full_name]", "赵敏")
    page.fill("input[name=employee_no]", "E2001")
    page.select_option("select[name=team]", "customer_service")
    page.fill("input[name=password]", "start-pass-2026")
    page.check("input[name=roles][value=customer_service]")
    submit(page, "section.card form")
    assert "the person must change the password" in page.content()
    page.screenshot(path=str(screenshot_dir / "account-created.png"), caret="initial")
    submit(page, "form.logout")

    sign_in(page, "zhaomin", "start-pass-2026")
    page.wait_for_url("**/account/password/")
    assert "Please choose a new password" in page.content()
    page.fill("input[name=old_password]", "start-pass-2026")
    page.fill("input[name=new_password]", "zhaomin-own-77")
    page.fill("input[name=new_password_again]", "zhaomin-own-77")
    submit(page, "section.card form")
    page.wait_for_url("**/orders/")
    assert page.locator("h1").first.is_visible()
    page.screenshot(path=str(screenshot_dir / "first-sign-in-done.png"), caret="initial")

    # The enrolment page's QR code is an SVG data URI the strict CSP allows; it must load as an image.
    page.goto("/account/two-factor/")
    page.wait_for_function("document.querySelector('img.totp-qr').naturalWidth > 0")
    assert page.locator("code.totp-secret").inner_text().strip()
    page.screenshot(path=str(screenshot_dir / "two-factor-enrol.png"), caret="initial")

    user = User.objects.get(username="zhaomin")
    assert not user.must_change_password and user.check_password("zhaomin-own-77")
    actions = set(AuditEvent.objects.filter(order=None).values_list("action", flat=True))
    assert {"user_created", "signed_in", "password_changed"} <= actions
    assert page.problems == []
