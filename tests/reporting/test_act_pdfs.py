"""The act's PDFs: rendered once after adoption (in Italian), stored whole, served from storage to
whoever may see the allocation; failures, retries, dead workers and officials' second tries."""

import datetime
import hashlib
import io
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from funding.choices import AllocationMethod, AnnexStatus
from funding.models import Allocation, Commitment
from funding.services import allocation as services
from funding.services.allocation import act_pdfs as annex
from portal.choices import Role
from portal.models import AuditEvent
from tests.factories import OrganisationFactory, make_user
from tests.funding.factories import make_admitted, make_allocation_call
from tests.funding.test_scenarios import covid_call, programme  # noqa: F401 (a fixture)
from tests.utils import api_client_for

pytestmark = [pytest.mark.django_db, pytest.mark.annex]

TODAY = timezone.localdate()
T0 = timezone.now() - datetime.timedelta(days=30)
API = "/api/v1/allocations"


@pytest.fixture
def official():
    return make_user(Role.REGIONAL_OFFICIAL)


def taxi_allocation(official, n=3):
    call = make_allocation_call(
        method=AllocationMethod.PERCENTAGE_CAPPED,
        amount="2500.00",
        params={"percentage": "70", "cap": "1200.00", "ranking": "submitted_at", "allow_partial_last": True},
        eligible_basis="net",
        title="Registratori per i taxi",
    )
    for i in range(n):
        make_admitted(
            call,
            OrganisationFactory(name=f"Tassista {i}"),
            submitted_at=T0 + datetime.timedelta(minutes=i),
            quote_net=Decimal("1500.00"),
            quote_vat=Decimal("330.00"),
        )
    return services.allocation_propose(actor=official, call=call)


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """Run what a service schedules for after its transaction commits (the test's never does)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def adopted(official, after_commit):
    def adopt(**kwargs):
        allocation = taxi_allocation(official, **kwargs)
        with after_commit():
            services.allocation_adopt(actor=official, allocation=allocation, act_number="600", act_date=TODAY)
        return Allocation.objects.select_related("call").get(pk=allocation.pk)

    return adopt


def stored_files(allocation) -> list[str]:
    try:
        return sorted(default_storage.listdir(f"allocations/{allocation.pk}")[1])
    except FileNotFoundError:
        return []


def pdf_text(fieldfile) -> str:
    with fieldfile.open("rb") as f:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(f.read())).pages)


def test_adoption_stores_the_pdfs_once_in_italian_and_a_second_hook_changes_nothing(adopted, after_commit):
    with translation.override("en"):  # the official works in English; the act is Italian
        allocation = adopted()
    assert allocation.annex_status == AnnexStatus.DONE
    assert allocation.annex_pdf.name.startswith(f"allocations/{allocation.pk}/allegato-")
    assert allocation.ranking_pdf.name.startswith(f"allocations/{allocation.pk}/graduatoria-")
    with allocation.annex_pdf.open("rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == allocation.annex_sha256
    annex_text, ranking_text = pdf_text(allocation.annex_pdf), pdf_text(allocation.ranking_pdf)
    assert "Allegato al riparto" in annex_text
    assert f"Approvato con DD n. 600 del {TODAY:%d/%m/%Y}" in annex_text
    assert "Totale" in annex_text
    assert "2.500,00" in annex_text
    assert "pagina 1 di 1" in annex_text
    assert "Graduatoria" in ranking_text
    assert "Finanziata in parte" in ranking_text
    generated = AuditEvent.objects.filter(action="allocation.annex_generated")
    assert generated.count() == 1
    assert generated.get().after["annex"]["sha256"] == allocation.annex_sha256
    files, events = stored_files(allocation), AuditEvent.objects.count()

    with after_commit():
        annex.annex_schedule(allocation_id=allocation.pk)
    annex.annex_generate(allocation_id=allocation.pk)  # a redelivered task message, too

    again = Allocation.objects.get(pk=allocation.pk)
    assert (again.annex_pdf.name, again.annex_sha256, again.annex_attempts) == (
        allocation.annex_pdf.name,
        allocation.annex_sha256,
        1,
    )
    assert stored_files(allocation) == files
    assert len(files) == 2
    assert AuditEvent.objects.count() == events


def test_the_covid_annex_has_the_1181_comuni_and_the_exact_total(programme, official, after_commit):  # noqa: F811
    allocation = services.allocation_propose(actor=official, call=covid_call(programme["COVID"]))
    with after_commit():
        services.allocation_adopt(
            actor=official, allocation=allocation, act_number="129/2020", act_date=TODAY
        )
    allocation.refresh_from_db()
    assert allocation.annex_status == AnnexStatus.DONE
    assert not allocation.ranking_pdf
    with allocation.annex_pdf.open("rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    first, last = reader.pages[0].extract_text(), reader.pages[-1].extract_text()
    pages = len(reader.pages)
    assert "Approvato con DD n. 129/2020" in first
    assert "Peso: popolazione residente al 01/01/2022" in first
    assert "Esito: Finanziata (in ogni riga)" in first
    assert "Totale 4.256.350 499.999,88" in last
    assert "1.181 righe" in last
    assert f"pagina {pages} di {pages}" in last


# --- Downloads: who may ------------------------------------------------------------------------------
@pytest.fixture
def world(official, adopted):
    allocation = adopted()
    beneficiary = allocation.rows.first().beneficiary
    return {
        "allocation": allocation,
        "official": official,
        "auditor": make_user(Role.AUDITOR),
        "administrator": make_user(Role.ADMINISTRATOR),
        "beneficiary": make_user(Role.APPLICANT, beneficiary),
        "stranger": make_user(Role.APPLICANT),
        "inventory": make_user(Role.INVENTORY_MANAGER),
    }


def page_url(allocation, document="annex"):
    return reverse("funding:allocation_document", args=[allocation.pk, document])


@pytest.mark.parametrize(
    ("who", "page", "api"),
    [
        ("anonymous", 302, 403),
        ("beneficiary", 403, 403),
        ("stranger", 403, 403),
        ("inventory", 403, 403),
        ("official", 200, 200),
        ("auditor", 200, 200),
        ("administrator", 200, 200),
    ],
)
def test_download_permission_matrix_and_a_denied_call_changes_nothing(client, world, who, page, api):
    allocation = world["allocation"]
    user = world.get(who)
    if user is not None:
        client.force_login(user)
    events = AuditEvent.objects.count()
    response = client.get(page_url(allocation))
    assert response.status_code == page
    api_response = api_client_for(user).get(f"{API}/{allocation.pk}/annex-pdf/")
    assert api_response.status_code in ((401, 403) if api == 403 else (api,))
    if page == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith('attachment; filename="allegato-')
        assert response["ETag"] == f'"{allocation.annex_sha256}"'
        body = b"".join(response.streaming_content)
        assert hashlib.sha256(body).hexdigest() == allocation.annex_sha256
        assert b"".join(api_response.streaming_content) == body
        downloads = AuditEvent.objects.filter(action="allocation.annex_downloaded", actor=user)
        assert downloads.count() == 2
        assert downloads.first().after == {"document": "annex", "sha256": allocation.annex_sha256}
    else:
        if page == 302:
            assert response["Location"].startswith(reverse("account_login"))
        assert AuditEvent.objects.count() == events
    assert stored_files(allocation) == sorted(
        [allocation.annex_pdf.name.rsplit("/", 1)[1], allocation.ranking_pdf.name.rsplit("/", 1)[1]]
    )


def test_the_ranking_pdf_and_the_allocation_page(client, world):
    allocation = world["allocation"]
    client.force_login(world["auditor"])
    response = client.get(page_url(allocation, "ranking"))
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == allocation.ranking_sha256
    page = client.get(reverse("funding:allocation_detail", args=[allocation.pk])).content.decode()
    assert 'data-testid="annex-link"' in page
    assert 'data-testid="ranking-link"' in page
    assert "Genera il PDF" not in page
    detail = api_client_for(world["auditor"]).get(f"{API}/{allocation.pk}/").json()
    assert detail["act_pdfs"]["status"] == "done"
    assert detail["act_pdfs"]["annex_url"].endswith(f"/allocations/{allocation.pk}/annex-pdf/")
    assert detail["act_pdfs"]["ranking_sha256"] == allocation.ranking_sha256


# --- Not yet, failed, asked again -------------------------------------------------------------------
def test_not_yet_generated_is_said_clearly(client, official, adopted, monkeypatch):
    monkeypatch.setattr(annex, "enqueue", lambda *args: None)  # the worker has not run yet
    allocation = adopted()
    assert allocation.annex_status == AnnexStatus.PENDING
    client.force_login(official)
    response = client.get(page_url(allocation), follow=True)
    assert "Il PDF dell\u2019atto non è ancora pronto" in response.content.decode()
    assert 'data-testid="annex-pending"' in response.content.decode()
    api = api_client_for(official).get(f"{API}/{allocation.pk}/annex-pdf/")
    assert api.status_code == 404
    assert api.json()["code"] == "pending"
    assert api["Retry-After"] == "60"


def test_a_failure_is_recorded_never_raised_and_only_officials_regenerate(
    client, official, adopted, after_commit, monkeypatch
):
    from reporting.renderers import pdf

    def broken(document, fileobj, *, progress=None):
        fileobj.write(b"%PDF-half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(pdf, "write", broken)
    allocation = adopted()  # adoption commits whatever happens to its PDF
    assert Commitment.objects.filter(reservation=allocation.call.reservation_id).count() == 3
    assert allocation.annex_status == AnnexStatus.FAILED
    assert allocation.annex_error == "impaginazione non riuscita (RuntimeError)"
    assert not allocation.annex_pdf
    assert stored_files(allocation) == []
    assert AuditEvent.objects.filter(action="allocation.annex_failed").count() == 1

    auditor = make_user(Role.AUDITOR)
    client.force_login(auditor)
    page = client.get(reverse("funding:allocation_detail", args=[allocation.pk])).content.decode()
    assert "Non è stato possibile generare il PDF" in page
    assert "Genera il PDF dell\u2019atto" not in page  # auditors read, they do not act
    events = AuditEvent.objects.count()
    assert (
        client.post(reverse("funding:allocation_document_regenerate", args=[allocation.pk])).status_code
        == 403
    )
    assert api_client_for(auditor).post(f"{API}/{allocation.pk}/pdf-regenerate/").status_code == 403
    assert AuditEvent.objects.count() == events
    assert Allocation.objects.get(pk=allocation.pk).annex_status == AnnexStatus.FAILED

    monkeypatch.undo()
    client.force_login(official)
    assert (
        "Genera il PDF dell\u2019atto"
        in client.get(reverse("funding:allocation_detail", args=[allocation.pk])).content.decode()
    )
    with after_commit():
        response = api_client_for(official).post(f"{API}/{allocation.pk}/pdf-regenerate/")
    assert response.status_code == 202
    assert response.json()["status"] == "pending"  # queued; the embedded mode runs it on commit
    allocation.refresh_from_db()
    assert (allocation.annex_status, allocation.annex_attempts) == (AnnexStatus.DONE, 1)
    assert AuditEvent.objects.filter(action="allocation.annex_requested", actor=official).count() == 1
    # Done now: asking again is refused and changes nothing.
    again = api_client_for(official).post(f"{API}/{allocation.pk}/pdf-regenerate/")
    assert again.status_code == 400
    assert Allocation.objects.get(pk=allocation.pk).annex_pdf.name == allocation.annex_pdf.name


# --- Workers that die or come back -------------------------------------------------------------------
def test_a_dead_workers_leftover_is_removed_and_never_referenced(adopted, monkeypatch):
    monkeypatch.setattr(annex, "enqueue", lambda *args: None)
    allocation = adopted()
    # A first worker claimed it, saved a half file, and died before referencing it.
    Allocation.objects.filter(pk=allocation.pk).update(
        annex_status=AnnexStatus.RUNNING,
        annex_attempts=1,
        annex_lease_until=timezone.now() - datetime.timedelta(seconds=1),
    )
    leftover = default_storage.save(
        f"allocations/{allocation.pk}/allegato-half-1.pdf", ContentFile(b"%PDF-1.7 half")
    )
    run = annex.annex_generate(allocation_id=allocation.pk)
    assert run.rendered
    allocation.refresh_from_db()
    assert allocation.annex_attempts == 2
    assert not default_storage.exists(leftover)
    assert stored_files(allocation) == sorted(
        [allocation.annex_pdf.name.rsplit("/", 1)[1], allocation.ranking_pdf.name.rsplit("/", 1)[1]]
    )


def test_a_live_worker_is_left_alone(adopted, monkeypatch):
    monkeypatch.setattr(annex, "enqueue", lambda *args: None)
    allocation = adopted()
    until = timezone.now() + datetime.timedelta(minutes=5)
    Allocation.objects.filter(pk=allocation.pk).update(
        annex_status=AnnexStatus.RUNNING, annex_attempts=1, annex_lease_until=until
    )
    run = annex.annex_generate(allocation_id=allocation.pk)
    assert (run.rendered, run.busy_until) == (False, until)
    assert stored_files(allocation) == []


def test_a_worker_presumed_dead_that_comes_back_deletes_its_own_files(adopted, monkeypatch):
    from reporting.renderers import pdf

    monkeypatch.setattr(annex, "enqueue", lambda *args: None)
    allocation = adopted()
    real_write = pdf.write

    def taken_over_meanwhile(document, fileobj, *, progress=None):
        rows = real_write(document, fileobj, progress=progress)
        Allocation.objects.filter(pk=allocation.pk).update(annex_attempts=2)  # another worker's claim
        return rows

    monkeypatch.setattr(pdf, "write", taken_over_meanwhile)
    run = annex.annex_generate(allocation_id=allocation.pk)
    assert not run.rendered
    assert stored_files(allocation) == []
    assert not Allocation.objects.get(pk=allocation.pk).annex_pdf


def test_the_cleanup_sends_again_what_was_left_queued(adopted, monkeypatch):
    sent = []
    monkeypatch.setattr(annex, "enqueue", lambda task, *args: sent.append(args))
    allocation = adopted()
    assert sent == [(allocation.pk,)]
    assert annex.annex_requeue_stale() == {"requeued": 0, "abandoned": 0}  # not late yet
    Allocation.objects.filter(pk=allocation.pk).update(
        annex_lease_until=timezone.now() - datetime.timedelta(1)
    )
    assert annex.annex_requeue_stale() == {"requeued": 1, "abandoned": 0}
    assert sent == [(allocation.pk,), (allocation.pk,)]
    Allocation.objects.filter(pk=allocation.pk).update(
        annex_status=AnnexStatus.RUNNING,
        annex_attempts=annex.MAX_ATTEMPTS,
        annex_lease_until=timezone.now() - datetime.timedelta(1),
    )
    assert annex.annex_requeue_stale() == {"requeued": 0, "abandoned": 1}
    assert Allocation.objects.get(pk=allocation.pk).annex_status == AnnexStatus.FAILED
