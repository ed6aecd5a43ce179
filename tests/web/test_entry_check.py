"""The second person's check of hand-entered orders (双人复核)."""

import html

import pytest
from django.urls import reverse

from oms.orders.models import EntryCheck, Order
from oms.orders.status import OrderStatus


@pytest.fixture
def draft(client_for, entry_data):
    """A draft entered by the customer_service user."""
    client_for("customer_service").post("/orders/new/", entry_data())
    return Order.objects.get()


@pytest.fixture
def cs2(make_user):
    return make_user("cs2", "customer_service")


def detail(client, order) -> str:
    return html.unescape(client.get(reverse("web:order_detail", args=[order.order_no])).content.decode())


def test_the_queue_lists_drafts_with_who_entered_them(client_for, draft):
    response = client_for("operations").get(reverse("web:draft_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert draft.order_no in body
    assert "customer_service" in body
    assert "Awaiting second check" in body


def test_confirm_by_the_creator_is_refused_and_changes_nothing(client_for, draft):
    client = client_for("customer_service")
    response = client.post(reverse("web:order_confirm", args=[draft.order_no]), follow=True)
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert "must be checked by someone other than the person who entered or last edited it" in body
    draft.refresh_from_db()
    assert draft.status == OrderStatus.DRAFT
    assert draft.entry_check == EntryCheck.AWAITING
    assert not draft.events.filter(action="entry_confirmed").exists()


def test_confirm_by_a_second_user_moves_the_order_on(client_for, draft, cs2):
    client = client_for(cs2)
    response = client.post(reverse("web:order_confirm", args=[draft.order_no]), {"note": "核对无误"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == OrderStatus.PENDING_REVIEW  # paid offline order goes to review
    assert draft.entry_check == EntryCheck.CONFIRMED
    assert draft.checked_by == cs2
    body = detail(client, draft)
    assert "Entry confirmed" in body
    assert "Draft</span> <span class=\"arrow\">→</span> <span class=\"new\">Pending review" in body
    assert "核对无误" in body
    assert "cs2" in body and "customer_service" in body


def test_check_buttons_show_only_for_checkers_on_awaiting_drafts(client_for, draft):
    assert reverse("web:order_confirm", args=[draft.order_no]) in detail(client_for("operations"), draft)
    assert reverse("web:order_confirm", args=[draft.order_no]) not in detail(client_for("finance"), draft)


def test_a_user_without_the_check_permission_gets_403(client_for, draft):
    response = client_for("warehouse").post(reverse("web:order_confirm", args=[draft.order_no]))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == OrderStatus.DRAFT


def test_send_back_requires_a_comment(client_for, draft):
    response = client_for("operations").post(reverse("web:order_return", args=[draft.order_no]), {"comment": "  "})
    assert response.status_code == 400
    assert response.context["return_form"].errors["comment"]
    draft.refresh_from_db()
    assert draft.entry_check == EntryCheck.AWAITING


def test_send_back_with_a_comment_shows_it_and_offers_the_creator_an_edit(client_for, draft):
    client_for("operations").post(reverse("web:order_return", args=[draft.order_no]), {"comment": "电话少一位"})
    draft.refresh_from_db()
    assert draft.entry_check == EntryCheck.RETURNED
    body = detail(client_for("customer_service"), draft)
    assert "电话少一位" in body
    assert reverse("web:order_edit", args=[draft.order_no]) in body
    assert "Entry sent back" in body


def test_the_creator_cannot_send_back_their_own_entry(client_for, draft):
    client_for("customer_service").post(reverse("web:order_return", args=[draft.order_no]), {"comment": "oops"})
    draft.refresh_from_db()
    assert draft.entry_check == EntryCheck.AWAITING


def test_after_an_edit_the_editor_may_not_confirm_but_the_creator_still_may_not_either(
    client_for, draft, entry_data, cs2
):
    client_for("operations").post(reverse("web:order_return", args=[draft.order_no]), {"comment": "城市不对"})
    client_for(cs2).post(reverse("web:order_edit", args=[draft.order_no]), entry_data(ship_city="宁波市"))
    draft.refresh_from_db()
    assert draft.entry_check == EntryCheck.AWAITING
    for who in ("customer_service", cs2):
        client_for(who).post(reverse("web:order_confirm", args=[draft.order_no]))
        draft.refresh_from_db()
        assert draft.status == OrderStatus.DRAFT
    client_for("operations").post(reverse("web:order_confirm", args=[draft.order_no]))
    draft.refresh_from_db()
    assert draft.status == OrderStatus.PENDING_REVIEW
