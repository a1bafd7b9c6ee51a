"""The auditor's workspace: search the trail, read an event, verify the chain, extract events."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.audit import audit_record
from tests.factories import OrganisationFactory
from tests.utils import is_postgres

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def tamper(event, after: dict) -> None:
    """What a forger with direct database access would do (the trigger bypassed on PostgreSQL)."""
    import json

    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE portal_auditevent SET after = %s WHERE id = %s", [json.dumps(after), event.pk])
        if is_postgres():
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


@pytest.fixture
def events(official):
    org = OrganisationFactory(name="Comune di Prova")
    target = OrganisationFactory(name="Ente bersaglio")
    other = OrganisationFactory(name="Altro ente")
    return {
        "update": audit_record(
            action="organisation.updated",
            actor=official,
            organisation=org,
            target=target,
            before={"name": "Ente vecchio", "email": ""},
            after={"name": "Ente bersaglio", "email": ""},
        ),
        "other": audit_record(action="organisation.created", target=other, after={"name": "Altro ente"}),
        "login": audit_record(action="auth.login", actor=official),
    }


def page(client, **params):
    return client.get(reverse("reporting:audit_list"), params, **EN)


def test_audit_list_shows_events_with_before_and_after(client, auditor, events):
    client.force_login(auditor)
    response = page(client)
    assert response.status_code == 200
    html = response.content.decode()
    assert "organisation.updated" in html
    assert "Ente vecchio" in html
    assert "Ente bersaglio" in html
    assert 'class="table-warning"' in html  # the changed field stands out
    assert reverse("reporting:audit_detail", args=[events["update"].seq]) in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "organisation."}, {"update", "other"}),
        ({"action": "auth"}, {"login"}),
        ({"actor": "user"}, {"update", "login"}),
        ({"target_type": "organisation"}, {"update", "other"}),
        ({"target_type": "organisation", "target_id": "<update>"}, {"update"}),
    ],
)
def test_audit_search_filters(client, auditor, events, params, expected):
    if params.get("target_id") == "<update>":
        params["target_id"] = events["update"].target_id
    client.force_login(auditor)
    shown = list(page(client, **params).context["page"].object_list)
    assert {name for name, e in events.items() if e in shown} == expected


def test_audit_search_by_date_range(client, auditor, events):
    client.force_login(auditor)
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    shown = page(client, date_from=today.isoformat(), date_to=today.isoformat()).context["page"]
    assert set(events.values()) <= set(shown.object_list)
    shown = page(client, date_to=yesterday.isoformat()).context["page"]
    assert not set(events.values()) & set(shown.object_list)


def test_audit_list_is_paginated(client, auditor):
    for i in range(55):
        audit_record(action="test.bulk", after={"i": i})
    client.force_login(auditor)
    first = page(client, action="test.bulk")
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.count == 55
    html = first.content.decode()
    assert "action=test.bulk&amp;page=2" in html
    second = page(client, action="test.bulk", page=2)
    assert len(second.context["page"].object_list) == 5


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {}, **EN)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_audit_list_query_count_does_not_grow(client, auditor, official):
    org = OrganisationFactory()
    client.force_login(auditor)
    client.get(reverse("home"))  # the session's first write happens here, not in the measured request
    for i in range(10):
        audit_record(action="test.q", actor=official, organisation=org, target=org, after={"i": i})
    ten = count_queries(client, reverse("reporting:audit_list"), {"action": "test.q"})
    for i in range(90):
        audit_record(action="test.q", actor=official, organisation=org, target=org, after={"i": i})
    hundred = count_queries(client, reverse("reporting:audit_list"), {"action": "test.q"})
    assert ten == hundred


def test_audit_event_page_shows_the_hash_check(client, auditor, events):
    client.force_login(auditor)
    url = reverse("reporting:audit_detail", args=[events["update"].seq])
    html = client.get(url, **EN).content.decode()
    assert "Its content matches its hash." in html
    assert events["update"].hash in html
    tamper(events["update"], {"name": "Falso"})
    html = client.get(url, **EN).content.decode()
    assert "this event was altered" in html


def test_chain_verification_page_names_the_first_broken_link(
    client, auditor, events, eager, django_capture_on_commit_callbacks
):
    client.force_login(auditor)
    url = reverse("reporting:audit_verify")
    html = client.get(url, **EN).content.decode()
    assert "The chain is intact" in html

    # An event older than the verified checkpoint: the full re-verification (a job) finds it.
    tamper(events["other"], {"name": "Ente falsificato"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, **EN)
    assert response.status_code == 302
    response = client.get(url, **EN)
    html = response.content.decode()
    assert response.status_code == 200
    seq = events["other"].seq
    assert f"Last full re-verification, {_today()}" in html
    assert f"the chain is broken at event no. {seq}" in html
    assert "its content does not match its hash" in html
    assert reverse("reporting:audit_detail", args=[seq]) in html

    with pytest.raises(CommandError, match=f"BROKEN at event #{seq}"):
        call_command("audit_verify")


def _today() -> str:
    from django.utils import formats, translation

    with translation.override("en"):
        return formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")[:8]


def test_chain_verification_page_in_italian(client, auditor, events):
    client.force_login(auditor)
    tamper(events["login"], {"forged": True})
    html = client.get(reverse("reporting:audit_verify")).content.decode()
    assert f"La catena è interrotta all\u2019evento n. {events['login'].seq}" in html


def test_only_audit_readers_see_the_workspace(client, applicant, official, events):
    client.force_login(applicant)
    assert page(client).status_code == 403
    assert client.get(reverse("reporting:audit_verify")).status_code == 403
    assert client.get(reverse("reporting:audit_detail", args=[events["login"].seq])).status_code == 403
    client.force_login(official)
    assert page(client).status_code == 200


def test_audit_extract_of_the_search_results(client, auditor, events):
    client.force_login(auditor)
    html = page(client, action="organisation.").content.decode()
    assert 'action="/reports/run/audit.events/"' in html
    assert 'type="hidden" name="action" value="organisation."' in html
    response = client.post(
        reverse("reporting:run", args=["audit.events"]), {"action": "organisation.", "format": "csv"}
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["action"] for r in rows] == ["organisation.updated", "organisation.created"]
    updated = rows[0]
    assert updated["seq"] == str(events["update"].seq)
    assert updated["actor"] == events["update"].actor_repr
    assert updated["organisation"] == "Comune di Prova"
    assert updated["target_type"] == "portal.organisation"
    assert updated["before"] == '{"email": "", "name": "Ente vecchio"}'
    assert updated["hash"] == events["update"].hash
    assert updated["source"] == "system"


def test_audit_extract_as_pdf(client, auditor, events):
    from pypdf import PdfReader

    client.force_login(auditor)
    response = client.post(
        reverse("reporting:run", args=["audit.events"]), {"action": "organisation.", "format": "pdf"}
    )
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Estratto del registro di audit" in text
    assert "organisation.updated" in text.replace("\n", "")  # narrow columns wrap long words
    assert "Azione (inizia con): organisation." in text
    assert "pagina 1 di" in text


def test_the_whole_trail_is_counted_from_the_sequence_not_by_reading_every_event(client, auditor, official):
    client.force_login(auditor)
    for i in range(3):
        audit_record(action="test.count", actor=official, after={"i": i})
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("reporting:audit_list"), **EN)
    from portal.models import AuditEvent

    assert response.context["page"].paginator.count == AuditEvent.objects.count()
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"] and "auditevent" in q["sql"]]
    # A search counts what it finds.
    assert page(client, action="test.count").context["page"].paginator.count == 3
