"""Applications (domande): drafts, data per kind of call, submission before the deadline (Europe/Rome)
with a protocol number, review, withdrawal, revocation, e-mails on decisions, selectors and pages."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from funding.choices import ApplicationForm, ApplicationStatus, CallStatus
from funding.home import applicant_queue
from funding.models import Application, Document
from funding.selectors import (
    application_list,
    application_missing,
    application_review_queue,
    application_timeline,
)
from funding.services import applications as services
from funding.services.documents import document_upload
from funding.services.workflow import application_transition
from portal.choices import OrganisationKind, Role
from portal.models import AuditEvent, Notification
from tests.factories import MunicipalityFactory, OrganisationFactory, make_user
from tests.funding.factories_calls import (
    TAXI_DATA,
    make_applicant,
    make_call,
    make_draft,
    make_submitted,
    make_taxi_applicant,
    make_taxi_call,
    upload,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture
def official():
    return make_user(Role.REGIONAL_OFFICIAL)


def counts():
    return (
        Application.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
        Document.objects.count(),
    )


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def attach_all(user, application):
    for required in application.call.required_documents.filter(stage="application", mandatory=True):
        document_upload(
            actor=user, application=application, required_document=required, uploaded_file=upload()
        )


# --- Create ---------------------------------------------------------------------------------------
def test_create_a_draft():
    call = make_call()
    user, org = make_applicant()
    application = services.application_create(actor=user, call=call, applicant=org)
    assert application.status == ApplicationStatus.DRAFT
    assert application.created_by == user
    assert application.protocol_number == ""
    event = AuditEvent.objects.get(action="application.created")
    assert event.organisation == org
    assert event.actor == user


@pytest.mark.parametrize("who", ["anonymous", "other_org", "official", "auditor", "wrong_role_same_org"])
def test_only_an_applicant_of_that_organisation_creates(who):
    call = make_call()
    org = MunicipalityFactory()
    actor = {
        "anonymous": None,
        "other_org": make_applicant()[0],
        "official": make_user(Role.REGIONAL_OFFICIAL),
        "auditor": make_user(Role.AUDITOR),
        "wrong_role_same_org": make_user(Role.EU_PROJECT_MANAGER, org),
    }[who]
    before = counts()
    with pytest.raises(PermissionDenied):
        services.application_create(actor=actor, call=call, applicant=org)
    assert counts() == before


def test_create_checks_eligibility_status_and_deadline():
    call = make_call(eligible_kinds=[OrganisationKind.TAXI_LICENSEE])
    user, org = make_applicant()
    with pytest.raises(ValidationError) as excinfo:
        services.application_create(actor=user, call=call, applicant=org)
    assert errors_of(excinfo)["applicant"] == [str(services.ERROR_NOT_ELIGIBLE % {"organisation": org.name})]
    draft_call = make_call(status=CallStatus.DRAFT)
    with pytest.raises(ValidationError) as excinfo:
        services.application_create(actor=user, call=draft_call, applicant=org)
    assert excinfo.value.code == "not_published"
    open_call = make_call()
    with pytest.raises(ValidationError) as excinfo:
        services.application_create(
            actor=user, call=open_call, applicant=org, now=open_call.closes_at + datetime.timedelta(seconds=1)
        )
    assert excinfo.value.code == "deadline"
    assert not Application.objects.exists()


def test_listed_organisation_is_eligible_whatever_its_kind():
    org = OrganisationFactory(kind=OrganisationKind.PROVINCE)
    call = make_call(eligible_kinds=[], eligible_organisations=[org])
    user, _ = make_applicant(org)
    assert services.application_create(actor=user, call=call, applicant=org).pk


def test_one_active_application_per_organisation_and_call():
    call = make_call()
    user, org = make_applicant()
    first = services.application_create(actor=user, call=call, applicant=org)
    with pytest.raises(ValidationError) as excinfo:
        services.application_create(actor=user, call=call, applicant=org)
    assert errors_of(excinfo)["applicant"] == [
        str(services.ERROR_ALREADY_APPLIED % {"organisation": org.name})
    ]
    services.application_withdraw(actor=user, application=first)
    second = services.application_create(actor=user, call=call, applicant=org)  # after a rinuncia
    assert second.pk != first.pk


def test_a_race_on_create_ends_in_the_same_clear_refusal():
    call = make_call()
    user, org = make_applicant()
    services.application_create(actor=user, call=call, applicant=org)
    # The check passed (another request had not committed yet): the constraint decides.
    with (
        mock.patch.object(Application.objects, "filter", return_value=Application.objects.none()),
        pytest.raises(ValidationError) as excinfo,
    ):
        services.application_create(actor=user, call=call, applicant=org)
    assert "applicant" in errors_of(excinfo)
    assert Application.objects.count() == 1


# --- Update ----------------------------------------------------------------------------------------
def test_taxi_data_are_normalised_and_audited():
    call = make_taxi_call()
    user, org = make_taxi_applicant()
    application = make_draft(call, user, org)
    assert application.licence_number == "TO-0101"  # from the organisation
    services.application_update(
        actor=user,
        application=application,
        vehicle_plate="ab 123 cd",
        recorder_make=" Acme ",
        conformity_standard="UNI EN ISO 9001",
        quote_net="800.00",
        quote_vat="0",
    )
    application.refresh_from_db()
    assert application.vehicle_plate == "AB123CD"
    assert application.recorder_make == "Acme"
    assert application.quote_net == Decimal("800.00")
    assert application.quote_vat == Decimal("0.00")
    event = AuditEvent.objects.get(action="application.updated")
    assert event.after["vehicle_plate"] == "AB123CD"
    assert event.before["vehicle_plate"] == ""


def test_taxi_rules_name_their_field():
    call = make_taxi_call()
    user, org = make_taxi_applicant()
    application = make_draft(call, user, org)
    with pytest.raises(ValidationError) as excinfo:
        services.application_update(
            actor=user,
            application=application,
            licence_number="TO-9999",
            vehicle_plate="12345",
            conformity_standard="a norma di legge",
            quote_net="-5",
            quote_vat="abc",
            declared_weight=3,
        )
    errors = errors_of(excinfo)
    assert errors["licence_number"] == [
        str(services.ERROR_LICENCE_MISMATCH % {"organisation": org.name, "licence": "TO-0101"})
    ]
    assert errors["conformity_standard"] == [str(services.ERROR_CONFORMITY)]
    assert "quote_net" in errors
    assert "quote_vat" in errors
    assert "declared_weight" in errors  # not asked by a taxi call
    application.refresh_from_db()
    assert application.licence_number == "TO-0101"
    assert not AuditEvent.objects.filter(action="application.updated").exists()
    with pytest.raises(ValidationError) as excinfo:
        services.application_update(actor=user, application=application, vehicle_plate="12345")
    assert "vehicle_plate" in errors_of(excinfo)


@pytest.mark.parametrize("norm", ["CEI 79-56", "uni en 50155", "EN 50498", "Conforme UNI 11"])
def test_conformity_mentions_cei_uni_or_en(norm):
    call = make_taxi_call()
    user, org = make_taxi_applicant()
    application = make_draft(call, user, org)
    services.application_update(actor=user, application=application, conformity_standard=norm)


def test_licence_comparison_ignores_spaces_and_case():
    call = make_taxi_call()
    user, org = make_taxi_applicant()
    application = make_draft(call, user, org)
    services.application_update(actor=user, application=application, licence_number=" to-0101 ")
    application.refresh_from_db()
    assert application.licence_number == "TO-0101"


def test_declared_weight_call():
    call = make_call(application_form=ApplicationForm.DECLARED_WEIGHT)
    user, org = make_applicant()
    application = make_draft(call, user, org)
    for bad in (0, -3, "12.5", "tanti"):
        with pytest.raises(ValidationError) as excinfo:
            services.application_update(actor=user, application=application, declared_weight=bad)
        assert errors_of(excinfo)["declared_weight"] == [str(services.ERROR_WEIGHT)]
    services.application_update(actor=user, application=application, declared_weight="42")
    application.refresh_from_db()
    assert application.declared_weight == 42
    with pytest.raises(ValidationError) as excinfo:
        services.application_update(actor=user, application=application, vehicle_plate="AB123CD")
    assert "vehicle_plate" in errors_of(excinfo)


def test_update_by_another_organisation_is_denied_and_changes_nothing():
    call = make_call(application_form=ApplicationForm.DECLARED_WEIGHT)
    application = make_draft(call)
    intruder, _ = make_applicant()
    before = counts()
    with pytest.raises(PermissionDenied):
        services.application_update(actor=intruder, application=application, declared_weight=5)
    assert counts() == before


# --- Submit ---------------------------------------------------------------------------------------
def test_submit_assigns_protocol_and_time():
    call = make_call(code="bodycam")
    user, org = make_applicant()
    application = make_draft(call, user, org)
    attach_all(user, application)
    now = timezone.now()
    with mock.patch("django.utils.timezone.now", return_value=now):
        services.application_submit(actor=user, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.submitted_at == now
    year = timezone.localtime(now).year
    assert application.protocol_number == f"bodycam/{year}/0001"
    event = AuditEvent.objects.get(action="application.submitted")
    assert event.after["protocol_number"] == application.protocol_number
    second = make_submitted(call)
    assert second.protocol_number == f"bodycam/{year}/0002"


def test_protocol_year_is_the_year_in_rome():
    # 31 December 2030, 23:30 UTC is already 1 January 2031 in Rome.
    opens = datetime.datetime(2030, 12, 1, tzinfo=UTC)
    closes = datetime.datetime(2031, 1, 31, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=opens):
        call = make_call(code="capodanno", opens_at=opens, closes_at=closes)
    user, org = make_applicant()
    with mock.patch("django.utils.timezone.now", return_value=opens):
        application = services.application_create(actor=user, call=call, applicant=org)
    attach_all(user, application)
    services.application_submit(
        actor=user, application=application, now=datetime.datetime(2030, 12, 31, 23, 30, tzinfo=UTC)
    )
    assert application.protocol_number == "capodanno/2031/0001"


def test_deadline_boundary_in_rome():
    # The deadline is 30 April 2031 at 12:00 in Rome (summer time: 10:00 UTC).
    closes = datetime.datetime(2031, 4, 30, 10, 0, tzinfo=UTC)
    opens = datetime.datetime(2031, 4, 1, 8, 0, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=opens):
        call = make_call(opens_at=opens, closes_at=closes)
    on_time_user, on_time_org = make_applicant()
    late_user, late_org = make_applicant()
    with mock.patch("django.utils.timezone.now", return_value=opens):
        on_time = services.application_create(actor=on_time_user, call=call, applicant=on_time_org)
        late = services.application_create(actor=late_user, call=call, applicant=late_org)
    attach_all(on_time_user, on_time)
    attach_all(late_user, late)
    # Exactly 12:00:00 in Rome: accepted.
    with mock.patch("django.utils.timezone.now", return_value=closes):
        services.application_submit(actor=on_time_user, application=on_time)
    assert on_time.status == ApplicationStatus.SUBMITTED
    # One second later: refused, with the deadline in Italian time.
    before = counts()
    with (
        mock.patch("django.utils.timezone.now", return_value=closes + datetime.timedelta(seconds=1)),
        pytest.raises(ValidationError) as excinfo,
    ):
        services.application_submit(actor=late_user, application=late)
    assert excinfo.value.code == "deadline"
    assert "30/04/2031 12:00" in excinfo.value.messages[0]
    assert counts() == before
    late.refresh_from_db()
    assert late.status == ApplicationStatus.DRAFT
    assert late.protocol_number == ""


def test_not_before_the_opening():
    opens = timezone.now() + datetime.timedelta(days=1)
    call = make_call(opens_at=opens, closes_at=opens + datetime.timedelta(days=5))
    user, org = make_applicant()
    application = services.application_create(actor=user, call=call, applicant=org)  # drafts are fine
    attach_all(user, application)
    with pytest.raises(ValidationError) as excinfo:
        services.application_submit(actor=user, application=application)
    assert excinfo.value.code == "not_open"
    services.application_submit(actor=user, application=application, now=opens)
    assert application.status == ApplicationStatus.SUBMITTED


def test_closed_call_refuses_submissions(official):
    call = make_call()
    user, org = make_applicant()
    application = make_draft(call, user, org)
    attach_all(user, application)
    from funding.services.calls import call_close

    call_close(actor=official, call=call)
    with pytest.raises(ValidationError) as excinfo:
        services.application_submit(actor=user, application=application)
    assert excinfo.value.code == "not_published"


def test_submit_lists_missing_documents_and_fields():
    call = make_taxi_call()
    user, org = make_taxi_applicant()
    application = make_draft(call, user, org)
    before = counts()
    with pytest.raises(ValidationError) as excinfo:
        services.application_submit(actor=user, application=application)
    errors = errors_of(excinfo)
    assert errors["documents"] == [str(services.ERROR_DOCUMENT_MISSING % {"document": "Preventivo di spesa"})]
    assert errors["vehicle_plate"] == ["Questo avviso richiede “targa del veicolo”."]
    for name in ("recorder_make", "recorder_model", "conformity_standard", "quote_net", "quote_vat"):
        assert name in errors
    assert "licence_number" not in errors  # filled in from the organisation
    assert "libretto" not in str(errors)  # optional document
    assert counts() == before


def test_submit_rechecks_the_licence_of_the_organisation():
    call = make_taxi_call()
    user, org = make_taxi_applicant()
    application = make_draft(call, user, org, **TAXI_DATA)
    attach_all(user, application)
    org.licence_number = "TO-0202"
    org.save()
    with pytest.raises(ValidationError) as excinfo:
        services.application_submit(actor=user, application=application)
    assert "licence_number" in errors_of(excinfo)


def test_submit_twice_is_refused():
    call = make_call()
    user, org = make_applicant()
    application = make_submitted(call, user, org)
    with pytest.raises(ValidationError) as excinfo:
        services.application_submit(actor=user, application=application)
    assert excinfo.value.code == "not_draft"
    with pytest.raises(ValidationError):
        services.application_update(actor=user, application=application)


@pytest.mark.parametrize("who", ["anonymous", "other_org", "official"])
def test_submit_denied_changes_nothing(who):
    call = make_call()
    user, org = make_applicant()
    application = make_draft(call, user, org)
    attach_all(user, application)
    actor = {
        "anonymous": None,
        "other_org": make_applicant()[0],
        "official": make_user(Role.REGIONAL_OFFICIAL),
    }[who]
    before = counts()
    with pytest.raises(PermissionDenied):
        services.application_submit(actor=actor, application=application)
    assert counts() == before
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


# --- Review, withdraw, revoke ----------------------------------------------------------------------------
def test_inadmissible_needs_a_reason_and_is_emailed(official, django_capture_on_commit_callbacks):
    call = make_call()
    application = make_submitted(call, organisation=MunicipalityFactory(email="comune@example.org"))
    with pytest.raises(ValidationError) as excinfo:
        services.application_review(actor=official, application=application, admissible=False, reason="  ")
    assert errors_of(excinfo)["reason"] == [str(services.ERROR_REASON_REQUIRED)]
    with django_capture_on_commit_callbacks(execute=True):
        services.application_review(
            actor=official, application=application, admissible=False, reason="Firma mancante", notes="nota"
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INADMISSIBLE
    assert application.decision_reason == "Firma mancante"
    assert application.review_notes == "nota"
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert "comune@example.org" in recipients
    assert any("Firma mancante" in m.body for m in mail.outbox)
    assert any(application.protocol_number in m.subject for m in mail.outbox)


def test_admissible_with_score_only_on_score_ranked_calls(official, django_capture_on_commit_callbacks):
    plain = make_submitted(make_call())
    with pytest.raises(ValidationError) as excinfo:
        services.application_review(actor=official, application=plain, admissible=True, score="80")
    assert errors_of(excinfo)["score"] == [str(services.ERROR_SCORE_NOT_RANKED)]
    ranked_call = make_call(allocation_params={"ranking": "score"})
    ranked = make_submitted(ranked_call)
    with pytest.raises(ValidationError) as excinfo:
        services.application_review(actor=official, application=ranked, admissible=True, score="-1")
    assert errors_of(excinfo)["score"] == [str(services.ERROR_SCORE_RANGE)]
    with pytest.raises(ValidationError) as excinfo:
        services.application_review(
            actor=official, application=ranked, admissible=False, reason="No", score="10"
        )
    assert errors_of(excinfo)["score"] == [str(services.ERROR_SCORE_INADMISSIBLE)]
    with django_capture_on_commit_callbacks(execute=True):
        services.application_review(actor=official, application=ranked, admissible=True, score="87.5")
    ranked.refresh_from_db()
    assert ranked.status == ApplicationStatus.ADMISSIBLE
    assert ranked.score == Decimal("87.50")
    assert len(mail.outbox) >= 1
    assert AuditEvent.objects.get(action="application.admissible").after["score"] == "87.50"


@pytest.mark.parametrize("role", [None, Role.APPLICANT, Role.AUDITOR, Role.INVENTORY_MANAGER])
def test_review_is_for_officials_only(role):
    application = make_submitted(make_call())
    actor = make_user(role) if role else None
    if role == Role.APPLICANT:  # even the applicant of that organisation
        actor = make_user(Role.APPLICANT, application.applicant)
    before = counts()
    with pytest.raises(PermissionDenied):
        services.application_review(actor=actor, application=application, admissible=True)
    assert counts() == before
    assert len(mail.outbox) == 0


def test_withdraw_by_the_applicant(django_capture_on_commit_callbacks):
    call = make_call()
    user, org = make_applicant()
    application = make_submitted(call, user, org)
    other, _ = make_applicant()
    with pytest.raises(PermissionDenied):
        services.application_withdraw(actor=other, application=application)
    with pytest.raises(PermissionDenied):
        services.application_withdraw(actor=make_user(Role.REGIONAL_OFFICIAL), application=application)
    services.application_withdraw(actor=user, application=application, reason="Non più necessario")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert application.protocol_number  # kept
    with pytest.raises(ValidationError) as excinfo:
        services.application_withdraw(actor=user, application=application)
    assert excinfo.value.code == "invalid_transition"


def test_revoke_needs_reason_and_a_grant(official, django_capture_on_commit_callbacks):
    application = make_submitted(make_call())
    with pytest.raises(ValidationError) as excinfo:
        services.application_revoke(actor=official, application=application, reason="")
    assert errors_of(excinfo)["reason"] == [str(services.ERROR_REASON_REQUIRED)]
    with pytest.raises(ValidationError) as excinfo:  # a submitted application has no grant to revoke
        services.application_revoke(actor=official, application=application, reason="Falsa dichiarazione")
    assert excinfo.value.code == "invalid_transition"
    application_transition(actor=None, application=application, to_status=ApplicationStatus.ADMISSIBLE)
    application_transition(actor=None, application=application, to_status=ApplicationStatus.GRANTED)
    mail.outbox.clear()
    with pytest.raises(PermissionDenied):
        services.application_revoke(
            actor=make_user(Role.APPLICANT, application.applicant), application=application, reason="x"
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.application_revoke(actor=official, application=application, reason="Falsa dichiarazione")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REVOKED
    assert any("Falsa dichiarazione" in m.body for m in mail.outbox)


# --- Selectors -------------------------------------------------------------------------------------------
def test_application_list_is_scoped():
    call = make_call()
    mine_user, mine_org = make_applicant()
    mine = make_draft(call, mine_user, mine_org)
    theirs = make_draft(call)
    assert set(application_list(user=mine_user)) == {mine}
    for role in (Role.REGIONAL_OFFICIAL, Role.AUDITOR):
        assert set(application_list(user=make_user(role))) == {mine, theirs}
    assert not application_list(user=make_user(Role.INVENTORY_MANAGER)).exists()
    from django.contrib.auth.models import AnonymousUser

    assert not application_list(user=AnonymousUser()).exists()


def test_application_list_filters(official):
    taxi_call = make_taxi_call(code="taxi")
    other_call = make_call(code="altro")
    taxi_user, taxi_org = make_taxi_applicant()
    taxi_app = make_submitted(taxi_call, taxi_user, taxi_org, **TAXI_DATA)
    comune_app = make_submitted(other_call)
    draft = make_draft(other_call)
    assert set(application_list(user=official, filters={"call": "taxi"})) == {taxi_app}
    assert set(application_list(user=official, filters={"applicant_kind": "municipality"})) == {
        comune_app,
        draft,
    }
    assert set(application_list(user=official, filters={"status": ["draft"]})) == {draft}
    today = timezone.localdate()
    assert set(
        application_list(
            user=official, filters={"submitted_from": today.isoformat(), "submitted_to": today.isoformat()}
        )
    ) == {taxi_app, comune_app}
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert not application_list(user=official, filters={"submitted_from": tomorrow}).exists()
    assert set(application_list(user=official, filters={"q": "taxi/"})) == {taxi_app}


def test_review_queue(official):
    call = make_call()
    first = make_submitted(call)
    second = make_submitted(call)
    make_draft(call)
    assert list(application_review_queue(user=official)) == [first, second]
    services.application_review(actor=official, application=first, admissible=True)
    assert list(application_review_queue(user=official)) == [second]
    assert list(application_review_queue(user=official, filters={"status": ["admissible"]})) == [first]
    assert not application_review_queue(user=make_applicant()[0]).exists()


def test_what_is_missing_and_days_left():
    closes = datetime.datetime(2031, 5, 10, 10, 0, tzinfo=UTC)  # 12:00 in Rome
    opens = datetime.datetime(2031, 5, 1, 8, 0, tzinfo=UTC)
    with mock.patch("django.utils.timezone.now", return_value=opens):
        call = make_taxi_call(opens_at=opens, closes_at=closes)
        user, org = make_taxi_applicant()
        application = services.application_create(actor=user, call=call, applicant=org)
    now = datetime.datetime(2031, 5, 7, 22, 30, tzinfo=UTC)  # 8 May, 00:30 in Rome
    missing = application_missing(application=application, now=now)
    assert missing.days_left == 2
    assert [name for name, _ in missing.fields] == [
        "vehicle_plate",
        "recorder_make",
        "recorder_model",
        "conformity_standard",
        "quote_net",
        "quote_vat",
    ]
    assert [d.code for d in missing.documents] == ["preventivo"]
    assert missing.is_open
    assert not missing.complete
    services.application_update(actor=user, application=application, **TAXI_DATA)
    attach_all(user, application)
    application.refresh_from_db()
    missing = application_missing(application=application, now=now)
    assert missing.complete
    late = application_missing(application=application, now=closes + datetime.timedelta(hours=1))
    assert late.deadline_passed
    assert late.days_left == 0


def test_timeline_from_audit_events(official, django_capture_on_commit_callbacks):
    call = make_call()
    user, org = make_applicant()
    application = make_submitted(call, user, org)
    services.application_review(
        actor=official, application=application, admissible=False, reason="Fuori tema"
    )
    labels = [e.label for e in application_timeline(user=user, application=application)]
    assert labels == ["Bozza creata", "Documento caricato", "Presentata", "Non ammissibile"]
    entries = application_timeline(user=user, application=application)
    assert entries[-1].reason == "Fuori tema"
    assert entries[-1].actor != official.email  # applicants see "the Region", not the official's address
    assert entries[0].actor == user.email
    assert application_timeline(user=official, application=application)[-1].actor == official.email
    assert entries[1].detail == "domanda.pdf"
    assert entries[2].detail == application.protocol_number
    assert application_timeline(user=make_applicant()[0], application=application) == []


def test_dashboard_shows_open_calls_and_what_is_missing():
    open_call = make_call(title="Aperto")
    make_call(title="Per i taxi", eligible_kinds=[OrganisationKind.TAXI_LICENSEE])
    make_call(title="In bozza", status=CallStatus.DRAFT)
    user, org = make_applicant()
    application = make_draft(make_call(title="Già iniziato"), user, org)
    dashboard = applicant_queue(user=user)
    titles = [item.call.title for item in dashboard.open_calls]
    assert "Aperto" in titles
    assert "Già iniziato" in titles
    assert "Per i taxi" not in titles
    assert "In bozza" not in titles
    started = next(item for item in dashboard.open_calls if item.call == application.call)
    assert started.organisations == []
    assert started.applications == [application]
    aperto = next(item for item in dashboard.open_calls if item.call == open_call)
    assert aperto.organisations == [org]
    [draft] = dashboard.drafts
    assert draft.application == application
    assert [d.code for d in draft.documents] == ["domanda"]


# --- Pages -------------------------------------------------------------------------------------------------
def test_applicant_flow_through_the_pages(client):
    call = make_taxi_call()
    user, org = make_taxi_applicant()
    client.force_login(user)
    home = client.get("/").content.decode()
    assert call.title in home
    response = client.post(reverse("funding:application_start", args=[call.code]))
    application = Application.objects.get(call=call, applicant=org)
    assert response["Location"] == reverse("funding:application_edit", args=[application.pk])
    # A wrong value is shown on its field, tied to it for screen readers.
    response = client.post(
        reverse("funding:application_edit", args=[application.pk]),
        {**{k: str(v) for k, v in TAXI_DATA.items()}, "conformity_standard": "a norma"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-describedby="id_conformity_standard-errors"' in html
    assert str(services.ERROR_CONFORMITY) in html
    response = client.post(
        reverse("funding:application_edit", args=[application.pk]), {k: str(v) for k, v in TAXI_DATA.items()}
    )
    assert response.status_code == 302
    required = call.required_documents.get(code="preventivo")
    response = client.post(
        reverse("funding:document_upload", args=[application.pk]),
        {"required_document": required.pk, "file": upload("preventivo.pdf")},
    )
    assert response.status_code == 302
    response = client.post(reverse("funding:application_submit", args=[application.pk]), {"confirmed": "1"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    detail = client.get(reverse("funding:application_detail", args=[application.pk])).content.decode()
    assert application.protocol_number in detail
    assert "preventivo.pdf" in detail


def test_submit_page_shows_what_is_missing(client):
    call = make_call()
    user, org = make_applicant()
    application = make_draft(call, user, org)
    client.force_login(user)
    response = client.post(reverse("funding:application_submit", args=[application.pk]))
    assert response.status_code == 400
    assert "Domanda firmata" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


@pytest.mark.parametrize(
    ("who", "detail", "edit", "review"),
    [
        ("anonymous", 302, 302, 302),
        ("other_org", 404, 404, 403),
        ("inventory", 403, 403, 403),
        ("applicant", 200, 200, 403),
        ("auditor", 200, 403, 403),
        ("official", 200, 403, 200),
    ],
)
def test_application_pages_matrix(client, who, detail, edit, review):
    call = make_call(application_form=ApplicationForm.DECLARED_WEIGHT)
    user, org = make_applicant()
    application = make_draft(call, user, org)
    users = {
        "anonymous": None,
        "other_org": make_applicant()[0],
        "inventory": make_user(Role.INVENTORY_MANAGER),
        "applicant": user,
        "auditor": make_user(Role.AUDITOR),
        "official": make_user(Role.REGIONAL_OFFICIAL),
    }
    if users[who] is not None:
        client.force_login(users[who])
    assert client.get(reverse("funding:application_detail", args=[application.pk])).status_code == detail
    assert client.get(reverse("funding:application_edit", args=[application.pk])).status_code == edit
    assert client.get(reverse("funding:application_review", args=[application.pk])).status_code == review


@pytest.mark.parametrize("who", ["anonymous", "other_org", "auditor", "official"])
def test_applicant_actions_denied_change_nothing(client, who):
    call = make_call(application_form=ApplicationForm.DECLARED_WEIGHT)
    user, org = make_applicant()
    application = make_draft(call, user, org, declared_weight=10)
    attach_all(user, application)
    users = {
        "anonymous": None,
        "other_org": make_applicant()[0],
        "auditor": make_user(Role.AUDITOR),
        "official": make_user(Role.REGIONAL_OFFICIAL),
    }
    if users[who] is not None:
        client.force_login(users[who])
    before = counts()
    posts = [
        (reverse("funding:application_edit", args=[application.pk]), {"declared_weight": "99"}),
        (reverse("funding:application_submit", args=[application.pk]), {"confirmed": "1"}),
        (reverse("funding:application_withdraw", args=[application.pk]), {"reason": "x"}),
        (reverse("funding:document_upload", args=[application.pk]), {"file": upload()}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code in (302, 403, 404), url
    assert counts() == before
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.declared_weight == 10


def test_review_page_records_the_decision(client, official, django_capture_on_commit_callbacks):
    application = make_submitted(make_call())
    client.force_login(official)
    queue = client.get(reverse("funding:review_queue")).content.decode()
    assert application.protocol_number in queue
    response = client.post(reverse("funding:application_review", args=[application.pk]), {"admissible": "0"})
    assert response.status_code == 400
    assert 'id="id_reason-errors"' in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("funding:application_review", args=[application.pk]),
            {"admissible": "0", "reason": "Documentazione incompleta"},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INADMISSIBLE
    assert len(mail.outbox) >= 1


def test_review_queue_filters_on_the_page(client, official):
    taxi_call = make_taxi_call(code="taxi")
    taxi_user, taxi_org = make_taxi_applicant()
    taxi_app = make_submitted(taxi_call, taxi_user, taxi_org, **TAXI_DATA)
    comune_app = make_submitted(make_call(code="comuni"))
    client.force_login(official)
    html = client.get(reverse("funding:review_queue"), {"applicant_kind": "taxi_licensee"}).content.decode()
    assert taxi_app.protocol_number in html
    assert comune_app.protocol_number not in html
    html = client.get(reverse("funding:review_queue"), {"call": "comuni"}).content.decode()
    assert comune_app.protocol_number in html
    assert taxi_app.protocol_number not in html
    assert client.get(reverse("funding:review_queue"), {"submitted_from": "not-a-date"}).status_code == 200


def test_withdraw_and_revoke_pages(client, official, django_capture_on_commit_callbacks):
    user, org = make_applicant()
    application = make_submitted(make_call(), user, org)
    client.force_login(user)
    response = client.post(reverse("funding:application_withdraw", args=[application.pk]), {"reason": ""})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    granted = make_submitted(make_call())
    application_transition(actor=None, application=granted, to_status=ApplicationStatus.ADMISSIBLE)
    application_transition(actor=None, application=granted, to_status=ApplicationStatus.GRANTED)
    client.force_login(official)
    response = client.post(reverse("funding:application_revoke", args=[granted.pk]), {"reason": ""})
    assert response.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("funding:application_revoke", args=[granted.pk]), {"reason": "Falso"})
    assert response.status_code == 302
    granted.refresh_from_db()
    assert granted.status == ApplicationStatus.REVOKED


def test_application_pages_in_english(client):
    user, org = make_applicant()
    application = make_draft(make_call(), user, org)
    client.force_login(user)
    html = client.get(
        reverse("funding:application_detail", args=[application.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Submit the application" in html
    assert "Timeline" in html
