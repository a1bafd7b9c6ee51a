"""The deliverable's life: internal review, files with versions, submission by the coordinator,
acceptance or revision by an official, due dates that only move forward; dissemination decides who
sees the file."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.choices import Role
from portal.models import AuditEvent
from projects.choices import DeliverableStatus as S
from projects.models import Deliverable, DeliverableEvent, DeliverableFile
from projects.selectors import file_visible
from projects.services import deliverables as svc
from projects.services.files import check_deliverable_file
from projects.services.workplan import deliverable_create
from tests.factories import OrganisationFactory, make_user
from tests.projects.factories import dtype, level, make_project, make_work_plan, manager_of, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    coordinator = OrganisationFactory(name="Comune di Torino")
    project = make_project(coordinator=coordinator, partners=1)
    _wp1, _wp2, d11, d21 = make_work_plan(project)
    partner_org = project.partners.get(number=2).organisation
    return {
        "project": project,
        "d11": d11,
        "d21": d21,
        "coord_pm": manager_of(coordinator),
        "partner_pm": manager_of(partner_org),
        "reviewer": make_user(Role.APPLICANT, partner_org),
        "official": make_user(Role.REGIONAL_OFFICIAL),
        "auditor": make_user(Role.AUDITOR),
        "outsider": manager_of(OrganisationFactory()),
    }


def statuses(deliverable):
    return list(DeliverableEvent.objects.filter(deliverable=deliverable).values_list("kind", "to_status"))


def test_the_whole_life_from_preparation_to_accepted(setup):
    d, pm = setup["d11"], setup["coord_pm"]
    d = svc.deliverable_request_review(actor=pm, deliverable=d, reviewer=setup["reviewer"])
    with pytest.raises(ValidationError) as excinfo:
        svc.deliverable_review_decide(actor=setup["reviewer"], deliverable=d, approve=False, comments=" ")
    assert "comments" in excinfo.value.message_dict
    d = svc.deliverable_review_decide(
        actor=setup["reviewer"], deliverable=d, approve=False, comments="Add the risk register"
    )
    assert d.status == S.PREPARATION
    d = svc.deliverable_request_review(actor=pm, deliverable=d, reviewer=setup["reviewer"])
    d = svc.deliverable_review_decide(actor=setup["reviewer"], deliverable=d, approve=True)
    assert d.status == S.PENDING
    first = svc.deliverable_upload(actor=pm, deliverable=d, uploaded_file=pdf_upload("handbook v1.pdf"))
    second = svc.deliverable_upload(actor=pm, deliverable=d, uploaded_file=pdf_upload("handbook v2.pdf"))
    assert [f.version for f in DeliverableFile.objects.filter(deliverable=d).order_by("version")] == [1, 2]
    assert DeliverableFile.objects.get(pk=first.pk).is_current is False
    assert DeliverableFile.objects.get(pk=second.pk).is_current is True
    assert default_storage.exists(first.file.name)  # earlier versions are kept
    d = svc.deliverable_submit(actor=pm, deliverable=Deliverable.objects.get(pk=d.pk))
    assert (d.status, d.submitted_on) == (S.SUBMITTED, timezone.localdate())
    with pytest.raises(ValidationError) as excinfo:
        svc.deliverable_upload(actor=pm, deliverable=d, uploaded_file=pdf_upload("v3.pdf"))
    assert (
        "sostituito" in excinfo.value.message_dict["file"][0]
        or "replaced" in excinfo.value.message_dict["file"][0]
    )
    d = svc.deliverable_accept(actor=setup["official"], deliverable=d)
    assert (d.status, d.accepted_on) == (S.ACCEPTED, timezone.localdate())
    assert [k for k, _s in statuses(d)] == [
        "created", "review_requested", "review_returned", "review_requested", "review_approved",
        "file_uploaded", "file_uploaded", "submitted", "accepted",
    ]  # fmt: skip
    assert (
        AuditEvent.objects.filter(action__startswith="projects.deliverable.", target_id=str(d.pk)).count()
        == 9
    )


def test_revision_goes_back_to_pending_with_the_reason(setup):
    d, pm = setup["d11"], setup["coord_pm"]
    Deliverable.objects.filter(pk=d.pk).update(status=S.PENDING)
    svc.deliverable_upload(actor=pm, deliverable=d, uploaded_file=pdf_upload())
    d = svc.deliverable_submit(actor=pm, deliverable=d)
    with pytest.raises(ValidationError):
        svc.deliverable_request_revision(actor=setup["official"], deliverable=d, reason="")
    d = svc.deliverable_request_revision(
        actor=setup["official"], deliverable=d, reason="Section 3 is missing"
    )
    assert (d.status, d.revision_reason, d.submitted_on) == (S.PENDING, "Section 3 is missing", None)
    assert statuses(d)[-1] == ("revision_requested", S.PENDING)


def test_only_the_coordinators_manager_submits_and_only_officials_accept(setup):
    d21 = setup["d21"]  # led by partner 2
    Deliverable.objects.filter(pk=d21.pk).update(status=S.PENDING)
    svc.deliverable_upload(actor=setup["partner_pm"], deliverable=d21, uploaded_file=pdf_upload())
    for user in (
        setup["partner_pm"],
        setup["official"],
        setup["auditor"],
        setup["outsider"],
        setup["reviewer"],
    ):
        with pytest.raises(PermissionDenied):
            svc.deliverable_submit(actor=user, deliverable=d21)
    d21 = svc.deliverable_submit(actor=setup["coord_pm"], deliverable=d21)
    for user in (setup["coord_pm"], setup["partner_pm"], setup["auditor"]):
        with pytest.raises(PermissionDenied):
            svc.deliverable_accept(actor=user, deliverable=d21)
    assert Deliverable.objects.get(pk=d21.pk).status == S.SUBMITTED
    with pytest.raises(
        PermissionDenied
    ):  # the partner's manager does not upload for the coordinator's deliverable
        svc.deliverable_upload(
            actor=setup["partner_pm"], deliverable=setup["d11"], uploaded_file=pdf_upload()
        )


def test_transitions_out_of_order_are_refused_and_change_nothing(setup):
    d = setup["d11"]
    with pytest.raises(ValidationError) as excinfo:
        svc.deliverable_submit(actor=setup["coord_pm"], deliverable=d)
    assert "In preparazione" in excinfo.value.messages[0]
    with pytest.raises(ValidationError):
        svc.deliverable_upload(actor=setup["coord_pm"], deliverable=d, uploaded_file=pdf_upload())
    with pytest.raises(PermissionDenied):
        svc.deliverable_review_decide(actor=setup["official"], deliverable=d, approve=True)
    assert Deliverable.objects.get(pk=d.pk).status == S.PREPARATION
    assert not DeliverableFile.objects.exists()
    outsider = make_user(Role.APPLICANT, OrganisationFactory())
    with pytest.raises(ValidationError) as excinfo:
        svc.deliverable_request_review(actor=setup["coord_pm"], deliverable=d, reviewer=outsider)
    assert "reviewer" in excinfo.value.message_dict


def test_due_date_moves_forward_only_while_pending_or_draft_with_a_reason(setup):
    d, pm = setup["d11"], setup["coord_pm"]
    later = d.due_date + datetime.timedelta(days=30)
    with pytest.raises(ValidationError) as excinfo:
        svc.deliverable_move_due(actor=pm, deliverable=d, due_date=later, reason="Agreed with the PO")
    assert "due_date" in excinfo.value.message_dict  # still in preparation
    Deliverable.objects.filter(pk=d.pk).update(status=S.PENDING)
    with pytest.raises(ValidationError) as excinfo:
        svc.deliverable_move_due(actor=pm, deliverable=d, due_date=later, reason="")
    assert "reason" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        svc.deliverable_move_due(actor=pm, deliverable=d, due_date=d.due_date, reason="x")
    assert "30/06/2025" in excinfo.value.message_dict["due_date"][0]
    with pytest.raises(PermissionDenied):
        svc.deliverable_move_due(actor=setup["partner_pm"], deliverable=d, due_date=later, reason="x")
    moved = svc.deliverable_move_due(actor=pm, deliverable=d, due_date=later, reason="Agreed with the PO")
    assert moved.due_date == later
    assert statuses(moved)[-1][0] == "due_date_moved"


def test_overdue_everywhere_means_open_and_past_due(setup):
    d = Deliverable.objects.get(pk=setup["d11"].pk)
    assert d.is_overdue(datetime.date(2025, 7, 1))
    assert not d.is_overdue(datetime.date(2025, 6, 30))
    d.status = S.SUBMITTED
    assert not d.is_overdue(datetime.date(2026, 1, 1))


def test_dissemination_decides_who_sees_the_file(setup):
    project, d11, d21 = setup["project"], setup["d11"], setup["d21"]
    pm, official = setup["coord_pm"], setup["official"]
    anonymous = type("Anon", (), {"is_authenticated": False})()
    for d in (d11, d21):
        Deliverable.objects.filter(pk=d.pk).update(status=S.PENDING)
        svc.deliverable_upload(actor=pm, deliverable=d, uploaded_file=pdf_upload())
        svc.deliverable_submit(actor=pm, deliverable=Deliverable.objects.get(pk=d.pk))
    d11 = Deliverable.objects.get(pk=d11.pk)
    assert not file_visible(user=anonymous, deliverable=d11)  # public only once accepted
    assert not file_visible(user=setup["outsider"], deliverable=d11)
    d11 = svc.deliverable_accept(actor=official, deliverable=d11)
    assert file_visible(user=anonymous, deliverable=d11)
    d21 = svc.deliverable_accept(actor=official, deliverable=Deliverable.objects.get(pk=d21.pk))
    assert not file_visible(user=anonymous, deliverable=d21)  # SEN: the consortium, officials, auditors
    assert not file_visible(user=setup["outsider"], deliverable=d21)
    for user in (pm, setup["partner_pm"], setup["reviewer"], official, setup["auditor"]):
        assert file_visible(user=user, deliverable=d21)

    classified = deliverable_create(
        actor=None, work_package=d11.work_package, title="Threat assessment", lead=d11.lead,
        type=dtype(project, "SECURITY"), dissemination=level(project, "R-UE/EU-R"), due_month=10,
    )  # fmt: skip
    Deliverable.objects.filter(pk=classified.pk).update(status=S.PENDING)
    classified.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        svc.deliverable_upload(actor=pm, deliverable=classified, uploaded_file=pdf_upload())
    assert "metadati" in excinfo.value.message_dict["file"][0]
    classified = svc.deliverable_record_custody(
        actor=pm, deliverable=classified, held_at="Registry EU-R, Prefettura di Torino"
    )
    classified = svc.deliverable_submit(actor=pm, deliverable=classified)
    assert classified.status == S.SUBMITTED
    assert not file_visible(user=official, deliverable=classified)
    assert not DeliverableFile.objects.filter(deliverable=classified).exists()


def _zip(parts: dict[str, bytes], first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if first:
            archive.writestr(first, parts.pop(first), compress_type=zipfile.ZIP_STORED)
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_bytes(**extra) -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>", **extra})


def xlsx_bytes() -> bytes:
    import openpyxl

    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "ok"
    workbook.save(buffer)
    return buffer.getvalue()


def odt_bytes() -> bytes:
    return _zip(
        {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"},
        first="mimetype",
    )


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("report.docx", docx_bytes()),
        ("data.xlsx", xlsx_bytes()),
        ("text.odt", odt_bytes()),
        ("dataset.csv", b"comune;officers\nTorino;1650\n"),
        ("bundle.zip", _zip({"a.txt": b"hello"})),
    ],
)
def test_the_accepted_formats_pass_by_content(name, data):
    checked = check_deliverable_file(SimpleUploadedFile(name, data))
    assert checked.name == name


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("script.exe", b"MZ", "PDF, DOCX"),
        ("fake.docx", b"just text", "DOCX"),
        ("macro.docx", docx_bytes(**{"word/vbaProject.bin": b"x"}), "macro"),
        ("noparts.docx", _zip({"a.txt": b"x"}), "DOCX"),
        ("wrong.odt", _zip({"content.xml": b"x"}), "ODT"),
        ("slip.zip", _zip({"../../etc/passwd": b"x"}), "sicuro"),
        ("bomb.zip", _zip({"zeros": b"\0" * 5_000_000}), "sicuro"),
        ("latin1.csv", "città;è\n".encode("latin-1"), "UTF-8"),
        ("page.csv", b"<html><script>alert(1)</script></html>", "CSV"),
        ("image.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 50, "PDF"),
        ("polyglot.zip", b"%PDF-1.4\n" + _zip({"a": b"b"}), ""),
    ],
)
def test_unsafe_or_mislabelled_files_are_refused(name, data, fragment, settings):
    with pytest.raises(ValidationError) as excinfo:
        check_deliverable_file(SimpleUploadedFile(name, data))
    assert fragment.lower() in excinfo.value.message_dict["file"][0].lower()


def test_a_refused_upload_leaves_nothing_behind(setup, settings):
    d = setup["d11"]
    Deliverable.objects.filter(pk=d.pk).update(status=S.PENDING)
    with pytest.raises(ValidationError):
        svc.deliverable_upload(
            actor=setup["coord_pm"],
            deliverable=d,
            uploaded_file=SimpleUploadedFile("x.pdf", b"%PDF-1.4 broken"),
        )
    assert not DeliverableFile.objects.exists()
    assert Deliverable.objects.get(pk=d.pk).status == S.PENDING
    media = settings.MEDIA_ROOT
    assert not any(p.is_file() for p in media.rglob("*")) if media.exists() else True
