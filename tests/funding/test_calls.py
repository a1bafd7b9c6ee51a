"""Calls (avvisi): the services' rules, the order of statuses, the public pages (no login) and the
officials' management pages, with their permission matrix."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from funding.choices import AllocationMethod, ApplicationForm, CallStatus, DocumentStage, DocumentType
from funding.models import Call, RequiredDocument
from funding.services import calls as services
from funding.services.ledger import commitment_create
from portal.choices import OrganisationKind, Role
from portal.models import AuditEvent
from tests.factories import MunicipalityFactory, OrganisationFactory, make_user
from tests.funding.factories import ACT, ActionFactory, make_reservation
from tests.funding.factories_calls import make_applicant, make_call

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")


@pytest.fixture
def official():
    return make_user(Role.REGIONAL_OFFICIAL)


def draft(official=None, **kwargs):
    reservation = kwargs.pop("reservation", None) or make_reservation("5000.00")
    now = timezone.now()
    values = {
        "code": "taxi-2021",
        "action": reservation.action,
        "reservation": reservation,
        "title": "Registratori di eventi per i taxi di Torino",
        "allocation_method": AllocationMethod.PERCENTAGE_CAPPED,
        "application_form": ApplicationForm.TAXI_RECORDER,
        "eligible_kinds": [OrganisationKind.TAXI_LICENSEE],
        "opens_at": now - datetime.timedelta(hours=1),
        "closes_at": now + datetime.timedelta(days=30),
    }
    values.update(kwargs)
    return services.call_create(actor=official, **values)


def field_errors(excinfo) -> dict:
    return excinfo.value.message_dict


# --- Services -------------------------------------------------------------------------------------
def test_create_is_a_draft_and_audited(official):
    call = draft(official)
    assert call.status == CallStatus.DRAFT
    event = AuditEvent.objects.get(action="call.created")
    assert event.actor == official
    assert event.after["code"] == "taxi-2021"
    assert event.after["eligible_kinds"] == ["taxi_licensee"]


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.AUDITOR, Role.INVENTORY_MANAGER, None])
def test_only_officials_create_calls_and_a_denied_call_changes_nothing(role):
    user = make_user(role)
    reservation = make_reservation("5000.00")
    before = (Call.objects.count(), AuditEvent.objects.count())
    with pytest.raises(PermissionDenied):
        draft(user, reservation=reservation)
    assert (Call.objects.count(), AuditEvent.objects.count()) == before


def test_create_refuses_incoherent_data(official):
    other_action = ActionFactory()
    with pytest.raises(ValidationError) as excinfo:
        draft(
            official,
            code="manage",
            action=other_action,
            eligible_kinds=["martians"],
        )
    assert field_errors(excinfo)["eligible_kinds"] == ["“martians” non è un tipo di organizzazione."]
    with pytest.raises(ValidationError) as excinfo:
        draft(official, code="manage", action=other_action)
    errors = field_errors(excinfo)
    assert str(services.ERROR_CODE_RESERVED % {"code": "manage"}) in errors["code"]
    assert str(services.ERROR_RESERVATION_ACTION) in errors["reservation"]
    now = timezone.now()
    with pytest.raises(ValidationError) as excinfo:
        draft(official, opens_at=now, closes_at=now - datetime.timedelta(minutes=1))
    assert field_errors(excinfo)["closes_at"] == [str(services.ERROR_CLOSES_BEFORE_OPENS)]
    assert not Call.objects.exists()


def test_code_is_unique(official):
    draft(official)
    with pytest.raises(ValidationError) as excinfo:
        draft(official)
    assert "code" in field_errors(excinfo)


def test_update_only_in_draft(official):
    call = draft(official)
    services.call_update(actor=official, call=call, title="Nuovo titolo", eligible_organisations=[])
    call.refresh_from_db()
    assert call.title == "Nuovo titolo"
    event = AuditEvent.objects.get(action="call.updated")
    assert event.before == {"title": "Registratori di eventi per i taxi di Torino"}
    assert event.after == {"title": "Nuovo titolo"}
    services.required_document_add(actor=official, call=call, code="quote", name="Preventivo")
    services.call_publish(actor=official, call=call)
    with pytest.raises(ValidationError) as excinfo:
        services.call_update(actor=official, call=call, title="Ancora")
    assert excinfo.value.code == "not_draft"
    with pytest.raises(ValidationError):
        services.required_document_add(actor=official, call=call, code="more", name="Altro")
    call.refresh_from_db()
    assert call.title == "Nuovo titolo"


def test_update_refuses_unknown_fields(official):
    call = draft(official)
    with pytest.raises(ValidationError) as excinfo:
        services.call_update(actor=official, call=call, status=CallStatus.AWARDED)
    assert "status" in field_errors(excinfo)


def test_publish_lists_every_missing_piece(official):
    call = draft(official, opens_at=None, closes_at=None, eligible_kinds=[])
    with pytest.raises(ValidationError) as excinfo:
        services.call_publish(actor=official, call=call)
    errors = field_errors(excinfo)
    assert errors["opens_at"] == [str(services.ERROR_OPENS_MISSING)]
    assert errors["closes_at"] == [str(services.ERROR_CLOSES_MISSING)]
    assert errors["required_documents"] == [str(services.ERROR_NO_REQUIRED_DOCUMENTS)]
    assert errors["eligible_kinds"] == [str(services.ERROR_NO_ELIGIBLE)]
    call.refresh_from_db()
    assert call.status == CallStatus.DRAFT
    assert not AuditEvent.objects.filter(action="call.published").exists()


def test_publish_refuses_a_past_deadline(official):
    now = timezone.now()
    call = draft(
        official, opens_at=now - datetime.timedelta(days=3), closes_at=now - datetime.timedelta(days=1)
    )
    services.required_document_add(actor=official, call=call, code="quote", name="Preventivo")
    with pytest.raises(ValidationError) as excinfo:
        services.call_publish(actor=official, call=call)
    assert "closes_at" in field_errors(excinfo)


def test_publish_needs_money_on_the_reservation(official):
    reservation = make_reservation("1000.00")
    commitment_create(
        actor=None,
        reservation=reservation,
        beneficiary=OrganisationFactory(),
        amount=Decimal("1000.00"),
        act=ACT,
    )
    call = draft(official, reservation=reservation)
    services.required_document_add(actor=official, call=call, code="quote", name="Preventivo")
    with pytest.raises(ValidationError) as excinfo:
        services.call_publish(actor=official, call=call)
    assert field_errors(excinfo)["reservation"] == [
        str(services.ERROR_RESERVATION_EMPTY % {"available": "€ 0,00"})
    ]


def test_a_reservation_funds_one_running_call(official):
    first = make_call()
    second = draft(official, reservation=first.reservation, code="second")
    services.required_document_add(actor=official, call=second, code="quote", name="Preventivo")
    with pytest.raises(ValidationError) as excinfo:
        services.call_publish(actor=official, call=second)
    assert (
        str(services.ERROR_RESERVATION_IN_USE % {"call": first.title}) in field_errors(excinfo)["reservation"]
    )


def test_a_population_split_needs_no_dates_nor_documents(official):
    call = draft(
        official,
        requires_application=False,
        allocation_method=AllocationMethod.POPULATION,
        application_form=ApplicationForm.GENERIC,
        eligible_kinds=[OrganisationKind.MUNICIPALITY],
        opens_at=None,
        closes_at=None,
        reference_date=datetime.date(2019, 1, 1),
    )
    services.call_publish(actor=official, call=call)
    assert call.status == CallStatus.PUBLISHED
    assert call.published_at is not None


def test_status_follows_the_order_one_step_at_a_time(official):
    call = make_call()
    with pytest.raises(ValidationError) as excinfo:
        services.call_set_status(actor=official, call=call, to_status=CallStatus.AWARDED)
    assert excinfo.value.code == "invalid_status"
    with pytest.raises(ValidationError):
        services.call_set_status(actor=official, call=call, to_status=CallStatus.DRAFT)
    services.call_close(actor=official, call=call)
    for status in (CallStatus.RANKED, CallStatus.AWARDED, CallStatus.CLOSED_OUT):
        services.call_set_status(actor=official, call=call, to_status=status, extra={"allocation": 7})
    call.refresh_from_db()
    assert call.status == CallStatus.CLOSED_OUT
    with pytest.raises(ValidationError) as excinfo:
        services.call_set_status(actor=official, call=call, to_status=CallStatus.CLOSED_OUT)
    assert excinfo.value.code == "invalid_status"
    actions = list(
        AuditEvent.objects.filter(action__startswith="call.", target_id=str(call.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions[-4:] == ["call.closed", "call.ranked", "call.awarded", "call.closed_out"]
    closed = AuditEvent.objects.get(action="call.closed", target_id=str(call.pk))
    assert closed.after == {"status": "closed", "before_deadline": True}
    assert AuditEvent.objects.get(action="call.awarded", target_id=str(call.pk)).after["allocation"] == 7


def test_set_status_is_for_officials_only():
    call = make_call()
    user, _org = make_applicant()
    with pytest.raises(PermissionDenied):
        services.call_set_status(actor=user, call=call, to_status=CallStatus.CLOSED)
    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED


def test_required_documents_need_an_accepted_type(official):
    call = draft(official)
    with pytest.raises(ValidationError) as excinfo:
        services.required_document_add(actor=official, call=call, code="x", name="X", accepted_types=[])
    assert field_errors(excinfo)["accepted_types"] == [str(services.ERROR_ACCEPTED_TYPES)]
    with pytest.raises(ValidationError):
        services.required_document_add(actor=official, call=call, code="x", name="X", accepted_types=["docx"])
    document = services.required_document_add(
        actor=official,
        call=call,
        code="invoice",
        name="Fattura",
        accepted_types=[DocumentType.PDF, DocumentType.PNG, DocumentType.PDF],
        stage=DocumentStage.REPORT,
    )
    assert document.accepted_types == ["pdf", "png"]
    services.required_document_remove(actor=official, required_document=document)
    assert not RequiredDocument.objects.filter(call=call).exists()
    assert AuditEvent.objects.filter(action="call.required_document.removed").count() == 1


def test_eligibility_by_kind_or_by_name():
    listed = OrganisationFactory(kind=OrganisationKind.PROVINCE)
    call = make_call(eligible_kinds=[OrganisationKind.MUNICIPALITY], eligible_organisations=[listed])
    assert services.organisation_is_eligible(call=call, organisation=MunicipalityFactory())
    assert services.organisation_is_eligible(call=call, organisation=listed)
    assert not services.organisation_is_eligible(
        call=call, organisation=OrganisationFactory(kind=OrganisationKind.PROVINCE)
    )


def test_is_open_includes_both_ends():
    call = make_call()
    assert services.call_is_open(call, now=call.opens_at)
    assert services.call_is_open(call, now=call.closes_at)
    assert not services.call_is_open(call, now=call.closes_at + datetime.timedelta(microseconds=1))
    assert not services.call_is_open(call, now=call.opens_at - datetime.timedelta(seconds=1))


# --- Public pages (no login) ----------------------------------------------------------------------
def test_public_list_and_detail_without_login(client):
    published = make_call(title="Avviso pubblicato")
    closed = make_call(title="Avviso chiuso", status=CallStatus.CLOSED)
    hidden = make_call(title="Bozza riservata", status=CallStatus.DRAFT)
    response = client.get(reverse("funding:call_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Avviso pubblicato" in html
    assert "Avviso chiuso" in html
    assert "Chiuso" in html  # marked as such
    assert "Bozza riservata" not in html
    detail = client.get(reverse("funding:call_detail", args=[published.code]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "Domanda firmata" in html  # required documents
    assert "L.R. 23/2007" in html  # legal references
    assert "10.000,00" in html  # funds of the call
    assert "Scadenza" in html
    assert client.get(reverse("funding:call_detail", args=[hidden.code])).status_code == 404
    assert client.get(reverse("funding:call_detail", args=[closed.code])).status_code == 200
    filtered = client.get(reverse("funding:call_list"), {"status": "closed"}).content.decode()
    assert "Avviso chiuso" in filtered
    assert "Avviso pubblicato" not in filtered


def test_public_list_in_english(client):
    make_call(title="Avviso pubblicato")
    html = client.get(reverse("funding:call_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Calls for contributions" in html


def test_dates_are_shown_in_italian_time(client):
    # 31 October 2030, 12:00 in Rome is 11:00 UTC (winter time).
    closes = datetime.datetime(2030, 10, 31, 11, 0, tzinfo=datetime.UTC)
    call = make_call(closes_at=closes)
    html = client.get(reverse("funding:call_detail", args=[call.code])).content.decode()
    assert "31 Ottobre 2030" in html
    assert "12:00" in html


def test_applicant_sees_the_apply_button_only_when_eligible(client):
    call = make_call()
    user, _org = make_applicant()
    client.force_login(user)
    assert (
        "Presenta una domanda"
        in client.get(reverse("funding:call_detail", args=[call.code])).content.decode()
    )
    taxi_user, _ = make_applicant(OrganisationFactory(kind=OrganisationKind.OTHER))
    client.force_login(taxi_user)
    assert (
        "Presenta una domanda"
        not in client.get(reverse("funding:call_detail", args=[call.code])).content.decode()
    )


# --- Management pages -------------------------------------------------------------------------------
MANAGE_GET = ["funding:call_manage_list", "funding:call_create"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, 302), (Role.APPLICANT, 403), (Role.INVENTORY_MANAGER, 403), (Role.REGIONAL_OFFICIAL, 200)],
)
def test_management_pages_matrix(client, role, expected):
    call = make_call(status=CallStatus.DRAFT)
    if role is not None:
        client.force_login(make_user(role))
    urls = [
        reverse("funding:call_manage_list"),
        reverse("funding:call_create"),
        reverse("funding:call_manage_detail", args=[call.code]),
        reverse("funding:call_edit", args=[call.code]),
    ]
    for url in urls:
        assert client.get(url).status_code == expected, url


def test_auditor_reads_but_cannot_write(client):
    call = make_call(status=CallStatus.DRAFT)
    client.force_login(make_user(Role.AUDITOR))
    assert client.get(reverse("funding:call_manage_list")).status_code == 200
    assert client.get(reverse("funding:call_manage_detail", args=[call.code])).status_code == 200
    before = AuditEvent.objects.count()
    assert client.get(reverse("funding:call_create")).status_code == 403
    assert client.post(reverse("funding:call_publish", args=[call.code])).status_code == 403
    assert client.post(reverse("funding:call_close", args=[call.code])).status_code == 403
    assert (
        client.post(
            reverse("funding:required_document_add", args=[call.code]), {"doc-code": "x", "doc-name": "X"}
        ).status_code
        == 403
    )
    call.refresh_from_db()
    assert call.status == CallStatus.DRAFT
    assert AuditEvent.objects.count() == before


def test_anonymous_and_applicant_cannot_publish(client):
    call = make_call(status=CallStatus.DRAFT)
    response = client.post(reverse("funding:call_publish", args=[call.code]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    user, _ = make_applicant()
    client.force_login(user)
    assert client.post(reverse("funding:call_publish", args=[call.code])).status_code == 403
    call.refresh_from_db()
    assert call.status == CallStatus.DRAFT


def test_official_creates_a_call_with_local_dates(client, official):
    reservation = make_reservation("300000.00")
    client.force_login(official)
    response = client.post(
        reverse("funding:call_create"),
        {
            "code": "taxi-2030",
            "title": "Registratori per i taxi",
            "action": reservation.action.pk,
            "reservation": reservation.pk,
            "opens_at": "2030-03-30T09:00",  # CEST starts on 31 March 2030: still UTC+1
            "closes_at": "2030-04-30T12:00",  # UTC+2
            "requires_application": "on",
            "application_form": ApplicationForm.TAXI_RECORDER,
            "eligible_kinds": [OrganisationKind.TAXI_LICENSEE],
            "allocation_method": AllocationMethod.PERCENTAGE_CAPPED,
            "allocation_params": '{"percentage": "50", "cap": "1000.00", "ranking": "submitted_at"}',
            "eligible_basis": "net",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    call = Call.objects.get(code="taxi-2030")
    assert call.opens_at == datetime.datetime(2030, 3, 30, 8, 0, tzinfo=datetime.UTC)
    assert call.closes_at == datetime.datetime(2030, 4, 30, 10, 0, tzinfo=datetime.UTC)
    assert call.allocation_params["cap"] == "1000.00"
    assert call.created_by == official
    # The required document, then publication.
    response = client.post(
        reverse("funding:required_document_add", args=[call.code]),
        {
            "doc-code": "quote",
            "doc-name": "Preventivo",
            "doc-mandatory": "on",
            "doc-accepted_types": ["pdf"],
            "doc-stage": "application",
        },
    )
    assert response.status_code == 302
    client.post(reverse("funding:call_publish", args=[call.code]))
    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED
    html = client.get(reverse("funding:call_manage_detail", args=[call.code])).content.decode()
    assert "Chiudi l'avviso" in html


def test_create_form_shows_service_errors_on_fields(client, official):
    reservation = make_reservation("1000.00")
    client.force_login(official)
    response = client.post(
        reverse("funding:call_create"),
        {
            "code": "new",
            "title": "X",
            "action": reservation.action.pk,
            "reservation": reservation.pk,
            "opens_at": "2030-05-01T12:00",
            "closes_at": "2030-04-01T12:00",
            "application_form": ApplicationForm.GENERIC,
            "allocation_method": AllocationMethod.FIXED,
            "eligible_basis": "gross",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_code-errors"' in html
    assert 'aria-describedby="id_closes_at-errors"' in html
    assert not Call.objects.exists()


def test_publish_page_shows_what_is_missing(client, official):
    call = draft(official, eligible_kinds=[])
    client.force_login(official)
    response = client.post(reverse("funding:call_publish", args=[call.code]), follow=True)
    html = response.content.decode()
    assert "Indica chi può presentare domanda" in html
    call.refresh_from_db()
    assert call.status == CallStatus.DRAFT


def test_reservation_local_time_boundary_helpers():
    value = datetime.datetime(2030, 12, 31, 23, 30, tzinfo=datetime.UTC)
    assert services.local_time(value).year == 2031
    assert services.local_time(value).tzinfo.key == "Europe/Rome"
    assert services.format_local(value) in ("01/01/2031 00:30", "1/1/2031 0:30", "01/01/2031 0:30")
    assert services.local_time(value) == value.astimezone(ROME)
