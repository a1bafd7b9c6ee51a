"""Irreversible actions take two steps (issue 9, item 20): the first POST shows what will happen and
that it cannot be undone and changes nothing; only the confirmed POST acts."""

import pytest
from django.urls import reverse

from funding.choices import AllocationStatus, ApplicationForm, ApplicationStatus, CallStatus
from funding.models import Commitment
from portal.choices import Role
from portal.models import AuditEvent
from tests.factories import make_user
from tests.funding.factories_calls import make_applicant, make_call, make_draft
from tests.funding.test_allocation_pages import TODAY, as_, world  # noqa: F401  (fixture)
from tests.funding.test_applications import attach_all

pytestmark = pytest.mark.django_db
IRREVERSIBLE = "Questa operazione non può essere annullata."


def test_closing_a_call_before_its_deadline_asks_first(client):
    call = make_call()
    user, org = make_applicant()
    make_draft(call, user, org)
    client.force_login(make_user(Role.REGIONAL_OFFICIAL))
    url = reverse("funding:call_close", args=[call.code])
    events = AuditEvent.objects.count()

    page = client.post(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert IRREVERSIBLE in text
    assert "prima della scadenza" in text  # closing before the deadline is said
    assert "1 domanda in bozza non potrà più essere inviata." in text
    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED
    assert AuditEvent.objects.count() == events

    assert client.post(url, {"confirmed": "1"}).status_code == 302
    call.refresh_from_db()
    assert call.status == CallStatus.CLOSED


def test_submitting_an_application_asks_first(client):
    call = make_call(application_form=ApplicationForm.DECLARED_WEIGHT)
    user, org = make_applicant()
    application = make_draft(call, user, org, declared_weight=10)
    attach_all(user, application)
    client.force_login(user)
    url = reverse("funding:application_submit", args=[application.pk])

    page = client.post(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert IRREVERSIBLE in text
    assert "numero di protocollo" in text
    application.refresh_from_db()
    assert (application.status, application.protocol_number) == (ApplicationStatus.DRAFT, "")

    assert client.post(url, {"confirmed": "1"}).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.protocol_number


def test_adopting_an_allocation_asks_first_with_the_act_and_the_money(client, world):  # noqa: F811
    as_(client, world, "official")
    url = reverse("funding:allocation_adopt", args=[world["allocation"].pk])
    data = {"act_number": "77/2020", "act_date": TODAY.isoformat()}

    page = client.post(url, data)
    assert page.status_code == 200
    text = page.content.decode()
    assert IRREVERSIBLE in text
    assert "DD n. 77/2020" in text
    assert "2 impegni, € 1.000,00 in tutto" in text
    assert 'name="act_number" value="77/2020"' in text
    world["allocation"].refresh_from_db()
    assert world["allocation"].status == AllocationStatus.PROPOSED
    assert not Commitment.objects.filter(reservation=world["call"].reservation).exists()

    assert client.post(url, {**data, "confirmed": "1"}).status_code == 302
    world["allocation"].refresh_from_db()
    assert world["allocation"].status == AllocationStatus.ADOPTED


def test_a_wrong_act_is_refused_before_the_confirmation(client, world):  # noqa: F811
    as_(client, world, "official")
    url = reverse("funding:allocation_adopt", args=[world["allocation"].pk])
    page = client.post(url, {"act_number": "DD 77/2020", "act_date": TODAY.isoformat()})
    assert IRREVERSIBLE not in page.content.decode()
    assert page.context["form"].errors["act_number"]
