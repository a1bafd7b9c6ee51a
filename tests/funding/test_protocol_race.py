"""Concurrency: applicants submitting at the same instant get distinct, gap-free protocol numbers.

Each submission runs in its own thread with its own connection; the row lock on the call (SELECT ...
FOR UPDATE on PostgreSQL, the IMMEDIATE transaction on SQLite) serialises the numbering."""

import pytest
from django.utils import timezone

from funding.choices import ApplicationStatus
from funding.models import Application
from funding.services.applications import application_submit
from portal.audit import audit_verify_chain
from tests.funding.factories_calls import make_applicant, make_call, make_draft, upload
from tests.funding.test_ledger_race import race

SUBMITTERS = 12


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_unique_protocol_numbers(comuni, capsys):
    from funding.services.documents import document_upload

    call = make_call(code="race")
    drafts = []
    for _ in range(SUBMITTERS):
        user, org = make_applicant()
        application = make_draft(call, user, org)
        required = call.required_documents.get(code="domanda")
        document_upload(
            actor=user, application=application, required_document=required, uploaded_file=upload()
        )
        drafts.append((user, application))

    def submit(i):
        user, application = drafts[i]
        return application_submit(actor=user, application=application)

    results = race(submit, SUBMITTERS)
    errors = [r for r in results if not isinstance(r, Application)]
    assert errors == []
    year = timezone.localtime().year
    numbers = sorted(Application.objects.filter(call=call).values_list("protocol_number", flat=True))
    assert numbers == [f"race/{year}/{i:04d}" for i in range(1, SUBMITTERS + 1)]
    assert Application.objects.filter(call=call, status=ApplicationStatus.SUBMITTED).count() == SUBMITTERS
    assert audit_verify_chain().ok
    with capsys.disabled():
        print(f"\n[race] submissions: {SUBMITTERS} at once, protocol numbers {numbers[0]} … {numbers[-1]}")
