import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from portal.audit import audit_record, audit_verify_chain
from portal.models import AuditEvent
from portal.models.base import AppendOnlyError
from tests.factories import TEST_PASSWORD, make_user
from tests.utils import is_postgres, requires_postgres

pytestmark = pytest.mark.django_db


def test_login_and_failed_login_are_recorded(client):
    user = make_user()
    client.post(reverse("account_login"), {"login": user.email, "password": "wrong-password"})
    failed = AuditEvent.objects.filter(action="auth.login_failed").first()
    assert failed is not None
    assert failed.after == {"login": user.email}
    assert failed.actor is None
    assert failed.request_id
    assert failed.ip_address == "127.0.0.1"
    assert failed.source == "web"

    client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    login = AuditEvent.objects.get(action="auth.login")
    assert login.actor == user


def test_request_id_header_is_kept_and_returned(client):
    user = make_user()
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": TEST_PASSWORD},
        HTTP_X_REQUEST_ID="abc-123",
    )
    assert response["X-Request-ID"] == "abc-123"
    assert AuditEvent.objects.get(action="auth.login").request_id == "abc-123"


def test_events_cannot_be_changed_or_deleted():
    event = audit_record(action="test.event", after={"n": 1})
    event.action = "test.changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


@requires_postgres
def test_postgres_refuses_raw_updates():
    event = audit_record(action="test.event")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE portal_auditevent SET action = 'forged' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_chain_verifies_and_names_first_broken_link():
    first = audit_record(action="test.one", after={"amount": "10.00"})
    second = audit_record(action="test.two", after={"amount": "20.00"})
    audit_record(action="test.three")
    report = audit_verify_chain()
    assert report.ok
    assert report.checked >= 3
    assert second.prev_hash == first.hash

    with connection.cursor() as cursor:
        if is_postgres():  # a forger with superuser rights can bypass the append-only trigger
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE portal_auditevent SET after = %s WHERE id = %s", ['{"amount": "99.00"}', second.pk]
        )
        if is_postgres():
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    report = audit_verify_chain()
    assert not report.ok
    assert report.first_broken_seq == second.seq


def test_verify_command_reports_status(capsys):
    from django.core.management import call_command

    audit_record(action="test.one")
    call_command("audit_verify")
    assert "intact" in capsys.readouterr().out
