import pytest
from django.db import IntegrityError, InternalError, connection, transaction

from oms.audit.models import AuditEvent, ImmutableEvent
from oms.channels.selectors import channel_lookup
from oms.orders.intake.services import intake_order
from oms.orders.intake.validation import parse_intake


@pytest.fixture
def event(actor, order_payload):
    command = parse_intake(order_payload(), channel_lookup=channel_lookup)
    return intake_order(command=command, actor=actor("integration")).order.events.get()


def test_an_event_records_who_in_which_role_and_when(event):
    assert event.actor_username == "integration"
    assert event.actor_roles == "integration"
    assert event.at is not None
    assert event.data["source"] == "api"


def test_the_model_refuses_to_edit_or_delete_an_event(event):
    event.note = "tampered"
    with pytest.raises(ImmutableEvent):
        event.save()
    with pytest.raises(ImmutableEvent):
        event.delete()


def test_the_database_refuses_to_edit_an_event_even_past_the_model(event):
    with pytest.raises((IntegrityError, InternalError, Exception)) as excinfo, transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(note="tampered")
    assert "never" in str(excinfo.value)
    assert AuditEvent.objects.get(pk=event.pk).note == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps row DELETE open for test flushes")
def test_postgresql_refuses_to_delete_an_event_even_past_the_model(event):
    # The model refuses first (core/no_delete.py); plain SQL reaches the database trigger.
    with pytest.raises(Exception) as excinfo, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert "never" in str(excinfo.value)
    assert AuditEvent.objects.filter(pk=event.pk).exists()
