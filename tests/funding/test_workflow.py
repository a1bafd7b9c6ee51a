import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from funding.choices import AllocationMethod, ApplicationStatus
from funding.models import Application, Call
from funding.services.workflow import TRANSITIONS, application_transition
from portal.choices import Role
from portal.models import AuditEvent, Notification
from tests.factories import OrganisationFactory, make_user
from tests.funding.factories import make_reservation

pytestmark = pytest.mark.django_db


@pytest.fixture
def application():
    reservation = make_reservation("1000.00")
    call = Call.objects.create(
        code="test",
        action=reservation.action,
        reservation=reservation,
        title="Avviso di prova",
        allocation_method=AllocationMethod.FIXED,
    )
    applicant = OrganisationFactory(email="ente@example.org")
    make_user(Role.APPLICANT, applicant, email="staff@example.org")
    return Application.objects.create(
        call=call, applicant=applicant, status=ApplicationStatus.SUBMITTED, protocol_number="2020/1"
    )


def test_decision_is_audited_and_emailed_once(application, django_capture_on_commit_callbacks):
    official = make_user(Role.REGIONAL_OFFICIAL)
    with django_capture_on_commit_callbacks(execute=True):
        application_transition(
            actor=official,
            application=application,
            to_status=ApplicationStatus.INADMISSIBLE,
            reason="Fuori termine",
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INADMISSIBLE
    assert application.decision_reason == "Fuori termine"
    event = AuditEvent.objects.get(action="application.inadmissible")
    assert event.before == {"status": "submitted"}
    assert event.actor == official
    assert sorted(m.to[0] for m in mail.outbox) == ["ente@example.org", "staff@example.org"]
    assert "Non ammissibile" in mail.outbox[0].subject or "Inadmissible" in mail.outbox[0].subject
    assert Notification.objects.filter(sent_at__isnull=False).count() == 2

    from portal.tasks import send_notification

    for notification in Notification.objects.all():  # a redelivered task sends nothing twice
        assert send_notification.apply(args=[notification.pk]).get() is False
    assert len(mail.outbox) == 2


def test_forbidden_transition_changes_nothing(application):
    with pytest.raises(ValidationError) as excinfo:
        application_transition(actor=None, application=application, to_status=ApplicationStatus.LIQUIDATED)
    assert excinfo.value.code == "invalid_transition"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not AuditEvent.objects.filter(action__startswith="application.").exists()


def test_terminal_states_have_no_way_out():
    for status in (ApplicationStatus.WITHDRAWN, ApplicationStatus.REVOKED, ApplicationStatus.INADMISSIBLE):
        assert TRANSITIONS[status] == frozenset()
    assert set(TRANSITIONS) == set(ApplicationStatus.values)
