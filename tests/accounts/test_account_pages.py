"""The back office's account pages: list, create, edit roles and scopes, deactivate, reset password,
unlock — each change audited with old → new — and the security log."""

import pytest
from django.test import Client
from django.urls import reverse

from oms.accounts.models import User
from oms.audit.models import AuditEvent
from oms.channels.models import Channel
from oms.inventory.models import Warehouse
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.AXES_ENABLED = True


@pytest.fixture
def admin_client(users):
    client = Client()
    client.force_login(users["admin"])
    return client


@pytest.fixture
def places(db):
    a = Warehouse.objects.create(code="HZ", name="杭州仓")
    b = Warehouse.objects.create(code="SH", name="上海仓")
    channel, _ = Channel.objects.get_or_create(code="taobao", defaults={"name": "淘宝"})
    return a, b, channel


def create(client, **overrides):
    data = {"username": "wangfang", "full_name": "王芳", "employee_no": "E1001", "team": "warehouse",
            "email": "", "password": "start-pass-2026", "roles": ["warehouse"]}
    data.update(overrides)
    return client.post(reverse("web:account_new"), data)


def test_an_administrator_creates_an_account_with_roles_and_scopes(admin_client, places):
    hz, _sh, taobao = places
    response = create(admin_client, warehouses=[hz.pk], channels=[taobao.pk], is_supervisor="on")
    assert response.status_code == 302
    user = User.objects.get(username="wangfang")
    assert (user.full_name, user.employee_no, user.team, user.is_supervisor) == ("王芳", "E1001", "warehouse", True)
    assert user.role_codes() == ("warehouse",) and user.must_change_password
    assert list(user.warehouses.values_list("code", flat=True)) == ["HZ"]
    event = AuditEvent.objects.get(order=None, action="user_created")
    assert event.actor_username == "admin"
    assert event.data["username"] == "wangfang" and event.data["warehouses"] == ["HZ"]
    assert "start-pass-2026" not in str(event.data)


def test_the_form_refuses_a_weak_password_and_a_taken_employee_number(admin_client, places):
    weak = create(admin_client, password="short1")
    assert weak.status_code == 400 and not User.objects.filter(username="wangfang").exists()
    create(admin_client)
    taken = create(admin_client, username="other", employee_no="E1001")
    assert taken.status_code == 409 and "belongs to another account" in taken.content.decode()


def test_the_list_shows_people_with_their_roles_lock_and_second_factor(admin_client, places):
    create(admin_client)
    for _ in range(5):
        Client().post("/login/", {"username": "wangfang", "password": "wrong-pass-9"})
    body = admin_client.get(reverse("web:account_list")).content.decode()
    assert "王芳" in body and "E1001" in body and "Locked" in body
    assert 'data-user="wangfang"' in body


def test_editing_roles_scopes_and_team_is_audited_old_to_new(admin_client, places, users):
    hz, sh, _taobao = places
    create(admin_client, warehouses=[hz.pk])
    user = User.objects.get(username="wangfang")
    response = admin_client.post(reverse("web:account_edit", args=[user.pk]), {
        "full_name": "王芳", "employee_no": "E1001", "team": "logistics", "email": "",
        "roles": ["warehouse", "logistics"], "warehouses": [sh.pk],
    })
    assert response.status_code == 302
    user = User.objects.get(username="wangfang")
    assert user.role_codes() == ("warehouse", "logistics") and user.team == "logistics"
    event = AuditEvent.objects.get(order=None, action="user_changed")
    assert event.changes == {"team": ["warehouse", "logistics"], "roles": [["warehouse"], ["warehouse", "logistics"]],
                             "warehouses": [["HZ"], ["SH"]]}
    assert event.data == {"username": "wangfang"}


def test_deactivating_and_reactivating_keep_the_account_and_are_audited(admin_client, places):
    create(admin_client)
    user = User.objects.get(username="wangfang")
    admin_client.post(reverse("web:account_deactivate", args=[user.pk]))
    assert not User.objects.get(pk=user.pk).is_active
    assert Client().post("/login/", {"username": "wangfang", "password": "start-pass-2026"}).status_code == 200
    admin_client.post(reverse("web:account_reactivate", args=[user.pk]))
    assert User.objects.get(pk=user.pk).is_active
    events = AuditEvent.objects.filter(order=None, data__username="wangfang", action__startswith="user_")
    assert list(events.values_list("action", flat=True)) == ["user_created", "user_deactivated", "user_reactivated"]


def test_an_administrator_cannot_deactivate_their_own_account(admin_client, users):
    admin_client.post(reverse("web:account_deactivate", args=[users["admin"].pk]))
    assert User.objects.get(username="admin").is_active


def test_an_administrator_cannot_take_away_their_own_administrator_role(admin_client, users):
    admin = users["admin"]
    response = admin_client.post(reverse("web:account_edit", args=[admin.pk]), {
        "full_name": "Admin", "employee_no": "", "team": "", "email": "", "roles": ["operations"],
    })
    assert response.status_code == 422 and "your own administrator role" in response.content.decode()
    assert User.objects.get(pk=admin.pk).role_codes() == ("admin",)
    assert not AuditEvent.objects.filter(action="user_changed").exists()


def test_the_last_active_administrator_keeps_the_role_and_stays_active(users, make_user):
    from oms.accounts.actor import Actor
    from oms.accounts.administration import set_active, update_account
    from oms.core.errors import BusinessRuleViolation

    # A superuser from the command line manages accounts without holding the administrator role.
    root = User.objects.create_superuser("root", password=PASSWORD)
    only_admin = users["admin"]
    with pytest.raises(BusinessRuleViolation):
        update_account(user_id=only_admin.pk, actor=Actor.of(root), full_name="", employee_no="", team="",
                       is_supervisor=False, email="", roles=["operations"], warehouse_ids=[], channel_ids=[])
    with pytest.raises(BusinessRuleViolation):
        set_active(user_id=only_admin.pk, active=False, actor=Actor.of(root))
    assert User.objects.get(pk=only_admin.pk).is_active
    # With a second administrator, the first may be demoted by someone else.
    second = make_user("admin2", "admin")
    update_account(user_id=only_admin.pk, actor=Actor.of(second), full_name="", employee_no="", team="",
                   is_supervisor=False, email="", roles=["operations"], warehouse_ids=[], channel_ids=[])
    assert User.objects.get(pk=only_admin.pk).role_codes() == ("operations",)


def test_an_integration_client_limited_to_a_channel_stays_limited_when_created_or_edited(admin_client, places):
    _hz, _sh, taobao = places
    response = create(admin_client, username="shop", full_name="Taobao shop", employee_no="", team="", password="",
                      roles=["integration"], channels=[taobao.pk])
    assert response.status_code == 302
    shop = User.objects.get(username="shop")
    assert not shop.all_channels and not shop.may_act_for_channel(taobao.pk + 1000)
    response = admin_client.post(reverse("web:account_edit", args=[shop.pk]), {
        "full_name": "Taobao shop", "employee_no": "", "team": "", "email": "", "roles": ["integration"],
        "channels": [taobao.pk],
    })
    assert response.status_code == 302
    shop = User.objects.get(pk=shop.pk)
    assert not shop.all_channels and shop.may_act_for_channel(taobao.pk)
    # Clearing the channel list is what opens every channel, and that is audited.
    admin_client.post(reverse("web:account_edit", args=[shop.pk]), {
        "full_name": "Taobao shop", "employee_no": "", "team": "", "email": "", "roles": ["integration"]})
    assert User.objects.get(pk=shop.pk).all_channels
    event = AuditEvent.objects.filter(action="user_changed").latest("id")
    assert event.changes["all_channels"] == [False, True]


def test_a_password_reset_forces_a_change_at_the_next_sign_in(admin_client, users):
    response = admin_client.post(reverse("web:account_password_reset", args=[users["finance"].pk]),
                                 {"password": "reset-pass-2026"})
    assert response.status_code == 302
    client = Client()
    client.post("/login/", {"username": "finance", "password": "reset-pass-2026"})
    assert client.get(reverse("web:order_list"))["Location"] == reverse("web:password_change")
    assert AuditEvent.objects.filter(order=None, action="password_reset", data__username="finance").count() == 1


def test_unlock_from_the_account_page(admin_client, users):
    for _ in range(5):
        Client().post("/login/", {"username": "finance", "password": "wrong-pass-9"})
    page = admin_client.get(reverse("web:account_edit", args=[users["finance"].pk])).content.decode()
    assert "Unlock" in page
    admin_client.post(reverse("web:account_unlock", args=[users["finance"].pk]))
    assert Client().post("/login/", {"username": "finance", "password": PASSWORD}).status_code == 302
    assert AuditEvent.objects.filter(order=None, action="user_unlocked", data__username="finance").exists()


def test_account_pages_are_for_administrators_only(users):
    client = Client()
    client.force_login(users["operations"])
    assert client.get(reverse("web:account_list")).status_code == 403
    assert client.post(reverse("web:account_unlock", args=[users["finance"].pk])).status_code == 403


def test_the_security_log_lists_events_without_an_order_newest_first_and_filters(users):
    Client().post("/login/", {"username": "finance", "password": "wrong-pass-9"})
    Client().post("/login/", {"username": "finance", "password": PASSWORD})
    client = Client()
    client.force_login(users["admin"])
    body = client.get(reverse("web:security_log")).content.decode()
    assert body.index('data-action="signed_in"') < body.index('data-action="sign_in_failed"')
    only_failed = client.get(reverse("web:security_log"), {"action": "sign_in_failed", "user": "finance"})
    text = only_failed.content.decode()
    assert 'data-action="sign_in_failed"' in text and 'data-action="signed_in"' not in text
    cs = Client()
    cs.force_login(users["customer_service"])
    assert cs.get(reverse("web:security_log")).status_code == 403


def test_the_security_log_also_lists_reveals_of_personal_data_with_the_order(users, api, order_payload):
    from oms.accounts.actor import Actor
    from oms.orders.reveal import reveal_personal_data

    order_no = api("integration").post("/api/v1/orders", order_payload(), format="json").json()["order_no"]
    reveal_personal_data(order_no=order_no, actor=Actor.of(users["customer_service"]), reason="buyer called")
    client = Client()
    client.force_login(users["admin"])

    body = client.get(reverse("web:security_log"), {"action": "personal_data_revealed"}).content.decode()

    assert 'data-action="personal_data_revealed"' in body and order_no in body
    assert "13800138000" not in body


def test_the_navigation_leads_administrators_to_the_account_pages(admin_client):
    body = admin_client.get(reverse("web:account_list")).content.decode()
    assert f'href="{reverse("web:account_list")}"' in body and 'href="/admin/"' not in body


def test_a_reset_to_a_weak_password_is_refused_next_to_the_field(admin_client, users):
    response = admin_client.post(reverse("web:account_password_reset", args=[users["finance"].pk]),
                                 {"password": "short"})
    assert response.status_code == 400 and "Use at least 10 characters." in response.content.decode()
    assert not User.objects.get(username="finance").must_change_password


def test_oms_createuser_makes_a_named_account_that_must_change_its_password(db, capsys):
    from oms.cli import main

    assert main(["createuser", "zhou", "--role", "finance", "--full-name", "周", "--employee-no", "F7"]) == 0
    generated = capsys.readouterr().out.rsplit("password: ", 1)[1].strip()
    user = User.objects.get(username="zhou")
    assert user.check_password(generated) and user.must_change_password
    assert (user.full_name, user.employee_no) == ("周", "F7")
    event = AuditEvent.objects.get(order=None, action="user_created")
    assert event.actor_username == "system" and event.data["username"] == "zhou"
