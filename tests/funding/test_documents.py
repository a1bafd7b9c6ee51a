"""Documents: content checks (magic bytes, complete PDFs, no polyglots, decodable images), size and
type limits, sanitised names, SHA-256, versions, storage through the storage API, and downloads only
for those who may see the application."""

import hashlib
import io
import zipfile
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from funding.choices import ApplicationStatus, DocumentType
from funding.models import Document
from funding.services import documents as services
from funding.services.documents import check_file, document_upload, sanitise_filename
from funding.services.workflow import application_transition
from portal.choices import Role
from portal.models import AuditEvent
from tests.factories import make_user
from tests.funding.factories_calls import (
    image_bytes,
    make_applicant,
    make_call,
    make_draft,
    make_submitted,
    pdf_bytes,
    upload,
)

pytestmark = pytest.mark.django_db

ALL_TYPES = [DocumentType.PDF, DocumentType.JPEG, DocumentType.PNG]


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def refusal(data: bytes, name: str, accepted=None) -> str:
    with pytest.raises(ValidationError) as excinfo:
        check_file(uploaded_file=SimpleUploadedFile(name, data), accepted_types=accepted)
    [error] = excinfo.value.error_dict["file"]
    return error.code


@pytest.fixture
def draft_app():
    call = make_call(
        documents=(
            ("domanda", "Domanda firmata", True, [DocumentType.PDF]),
            ("foto", "Fotografia", False, ALL_TYPES),
        )
    )
    user, org = make_applicant()
    return user, make_draft(call, user, org)


# --- Content checks --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("a.pdf", pdf_bytes(2), "application/pdf"),
        ("a.jpg", image_bytes("jpeg"), "image/jpeg"),
        ("a.JPEG", image_bytes("jpeg"), "image/jpeg"),
        ("a.png", image_bytes("png"), "image/png"),
    ],
)
def test_valid_files_pass(name, data, content_type):
    checked = check_file(uploaded_file=SimpleUploadedFile(name, data), accepted_types=ALL_TYPES)
    assert checked.content_type == content_type
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


def test_a_real_pdf_from_weasyprint_passes():
    from weasyprint import HTML

    data = HTML(string="<h1>Fattura</h1><p>Importo € 976,00</p>").write_pdf()
    assert check_file(uploaded_file=SimpleUploadedFile("fattura.pdf", data)).type == DocumentType.PDF


def test_a_pdf_with_trailing_whitespace_after_eof_passes():
    assert check_file(uploaded_file=SimpleUploadedFile("a.pdf", pdf_bytes() + b"\r\n\x00\x00")).type == "pdf"


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_truncated_pdf_is_refused(cut):
    data = pdf_bytes(3)
    assert refusal(data[: int(len(data) * cut)], "a.pdf") == "pdf_truncated"


def test_truncated_pdf_with_a_fake_eof_is_refused():
    data = pdf_bytes(3)
    assert refusal(data[: len(data) // 2] + b"\n%%EOF\n", "a.pdf") == "pdf_damaged"


def test_pdf_with_a_broken_cross_reference_is_refused():
    data = pdf_bytes().replace(b"xref", b"xre!")
    assert refusal(data, "a.pdf") == "pdf_damaged"


def test_encrypted_pdf_is_refused():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt("segreta")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert refusal(buffer.getvalue(), "a.pdf") == "pdf_encrypted"


def test_data_after_the_pdf_end_is_refused():
    assert refusal(pdf_bytes(5) + b"\x00" + b"other data " * 100, "a.pdf") == "pdf_trailing"


def _pdf_with(change) -> bytes:
    """A blank PDF whose writer `change` adds something to, written with or without object streams."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    change(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _open_action(kind: str):
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    def change(writer):
        action = DictionaryObject({NameObject("/S"): NameObject(f"/{kind}")})
        if kind == "Launch":
            action[NameObject("/F")] = TextStringObject("calc.exe")
        else:
            action[NameObject("/JS")] = TextStringObject("app.alert(1)")
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)

    return change


def _document_javascript(writer):
    """A /JavaScript name tree in the catalog's /Names: run when the document opens."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    action = writer._add_object(
        DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
        )
    )
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("open"), action])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})


ACTIVE_PDFS = {
    "document-level JavaScript": _document_javascript,
    "a JavaScript action": _open_action("JavaScript"),
    "a Launch action": _open_action("Launch"),
    "an embedded file": lambda w: w.add_attachment("payload.exe", b"MZ not really"),
}


@pytest.mark.parametrize("what", ACTIVE_PDFS)
def test_pdf_with_active_content_is_refused(what):
    data = _pdf_with(ACTIVE_PDFS[what])
    assert refusal(data, "a.pdf") == "pdf_active"
    with pytest.raises(ValidationError) as excinfo:
        check_file(uploaded_file=SimpleUploadedFile("a.pdf", data))
    assert excinfo.value.error_dict["file"][0].message == services.ERROR_PDF_ACTIVE
    with translation.override("it"):
        assert str(services.ERROR_PDF_ACTIVE).startswith("Il PDF contiene contenuti attivi")


def test_active_content_hidden_behind_an_escaped_name_is_refused():
    """/J#61vaScript is /JavaScript to every reader: names are compared decoded. (The action's string
    loses as many spaces as the names gain characters, so the cross-reference offsets still hold.)"""
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    def change(writer):
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("x;" + " " * 8)}
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)

    data = _pdf_with(change)
    escaped = data.replace(b"/S /JavaScript", b"/S /J#61vaScript").replace(b"/JS (", b"/J#53 (")
    escaped = escaped.replace(b"        )", b"    )")
    assert len(escaped) == len(data)
    assert b"/JS " not in escaped
    assert b"/JavaScript" not in escaped
    assert refusal(escaped, "a.pdf") == "pdf_active"


@pytest.mark.parametrize(
    "data",
    [
        b"GARBAGE\n" + pdf_bytes(),  # data before %PDF- (readers look in the first KiB)
        image_bytes("jpeg")[:200] + pdf_bytes(),  # a JPEG header, then a PDF
        b"<html><body>x</body></html>\n" + pdf_bytes(),  # HTML, then a PDF
    ],
)
def test_polyglots_starting_with_something_else_are_refused(data):
    assert refusal(data, "a.pdf") == "polyglot"


def test_jpeg_with_a_pdf_inside_is_refused():
    jpeg = image_bytes("jpeg")
    # A comment segment (FFFE) right after SOI carrying a PDF: both readers accept the file.
    payload = pdf_bytes()
    comment = b"\xff\xfe" + (len(payload) + 2).to_bytes(2, "big") + payload
    polyglot = jpeg[:2] + comment + jpeg[2:]
    assert refusal(polyglot, "a.jpg", ALL_TYPES) == "polyglot"


def test_image_followed_by_a_zip_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    assert refusal(image_bytes("png") + buffer.getvalue(), "a.png", ALL_TYPES) == "polyglot"
    assert refusal(pdf_bytes() + buffer.getvalue(), "a.pdf") == "polyglot"


def test_image_followed_by_a_pdf_is_refused():
    assert refusal(image_bytes("jpeg") + pdf_bytes(), "a.jpg", ALL_TYPES) == "polyglot"


def test_image_with_trailing_data_is_refused():
    assert refusal(image_bytes("png") + b"trailing bytes", "a.png", ALL_TYPES) == "image_trailing"


def test_html_named_pdf_is_refused():
    assert refusal(b"<!DOCTYPE html><html><script>alert(1)</script></html>", "a.pdf") in (
        "polyglot",
        "mismatch",
    )


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.pdf", image_bytes("png")),  # a PNG named .pdf
        ("a.png", image_bytes("jpeg")),  # a JPEG named .png
        ("a.jpg", pdf_bytes()),  # a PDF named .jpg
        ("a.pdf", b"just some text that is not a PDF at all"),
    ],
)
def test_magic_bytes_must_match_the_declared_type(name, data):
    assert refusal(data, name, ALL_TYPES) == "mismatch"


def noisy(kind: str) -> bytes:
    import random

    from PIL import Image

    rng = random.Random(7)
    image = Image.frombytes("RGB", (120, 90), bytes(rng.randrange(256) for _ in range(120 * 90 * 3)))
    buffer = io.BytesIO()
    image.save(buffer, format=kind.upper())
    return buffer.getvalue()


@pytest.mark.parametrize(("kind", "name"), [("jpeg", "a.jpg"), ("png", "a.png")])
def test_truncated_image_is_refused(kind, name):
    data = noisy(kind)
    assert refusal(data[: len(data) // 2], name, ALL_TYPES) == "image_damaged"


@pytest.mark.parametrize("name", ["a.docx", "a.exe", "a.svg", "a.html", "README", "a.pdf.exe", "a.gif"])
def test_only_pdf_jpeg_png_names(name):
    assert refusal(pdf_bytes(), name) == "type_not_allowed"


def test_type_not_accepted_by_the_required_document():
    assert refusal(image_bytes("png"), "a.png", [DocumentType.PDF]) == "type_not_accepted"


def test_too_large(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    assert refusal(pdf_bytes(20), "a.pdf") == "too_large"
    # Also when the size is not known in advance (a stream).
    stream = SimpleUploadedFile("a.pdf", pdf_bytes(20))
    stream.size = None
    with pytest.raises(ValidationError) as excinfo:
        check_file(uploaded_file=stream)
    assert excinfo.value.error_dict["file"][0].code == "too_large"


def test_empty_file():
    assert refusal(b"", "a.pdf") == "empty"


# --- Names -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "doc_type", "expected"),
    [
        ("C:\\Users\\mario\\Desktop\\fattura.pdf", "pdf", "fattura.pdf"),
        ("../../etc/passwd.pdf", "pdf", "passwd.pdf"),
        ("fat\x00tu\x1fra.pdf", "pdf", "fattura.pdf"),
        ("fattura\u202efdp.exe.pdf", "pdf", "fatturafdp.exe.pdf"),  # right-to-left override removed
        ('a<b>c:d"e|f?g*.pdf', "pdf", "a_b_c_d_e_f_g_.pdf"),
        ("   .hidden.pdf  ", "pdf", "hidden.pdf"),
        ("CON.pdf", "pdf", "_CON.pdf"),
        ("Dichiarazione dell'ente.PDF", "pdf", "Dichiarazione dell'ente.pdf"),
        ("foto.jpeg", "jpeg", "foto.jpeg"),
        ("foto.JPG", "jpeg", "foto.jpg"),
        (".pdf", "pdf", "pdf.pdf"),
        ("...", "pdf", "documento.pdf"),
        ("città di Cuneo.pdf", "pdf", "città di Cuneo.pdf"),
    ],
)
def test_names_are_sanitised(raw, doc_type, expected):
    assert sanitise_filename(raw, doc_type=doc_type) == expected


def test_long_names_are_cut_keeping_the_extension():
    name = sanitise_filename("x" * 500 + ".pdf", doc_type="pdf")
    assert len(name) == services.NAME_MAX_LENGTH
    assert name.endswith(".pdf")


# --- Upload ----------------------------------------------------------------------------------------------
def test_upload_stores_through_storage_with_hash_and_audit(draft_app, settings):
    user, application = draft_app
    required = application.call.required_documents.get(code="domanda")
    data = pdf_bytes()
    document = document_upload(
        actor=user,
        application=application,
        required_document=required,
        uploaded_file=SimpleUploadedFile("../Domanda firmata.pdf", data),
    )
    assert document.original_name == "Domanda firmata.pdf"
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert document.size == len(data)
    assert document.content_type == "application/pdf"
    assert document.uploaded_by == user
    assert document.is_current
    assert document.file.name.startswith(f"documents/{application.pk}/")
    assert "Domanda" not in document.file.name  # random names on storage
    assert default_storage.exists(document.file.name)
    with default_storage.open(document.file.name, "rb") as handle:
        assert handle.read() == data
    event = AuditEvent.objects.get(action="document.uploaded")
    assert event.after["sha256"] == document.sha256
    assert event.after["required_document"] == "domanda"


def test_a_new_upload_replaces_the_previous_one_which_is_kept(draft_app):
    user, application = draft_app
    required = application.call.required_documents.get(code="domanda")
    first = document_upload(
        actor=user, application=application, required_document=required, uploaded_file=upload()
    )
    second = document_upload(
        actor=user, application=application, required_document=required, uploaded_file=upload("v2.pdf")
    )
    first.refresh_from_db()
    assert not first.is_current
    assert second.is_current
    assert Document.objects.filter(application=application).count() == 2
    assert default_storage.exists(first.file.name)
    assert AuditEvent.objects.order_by("-seq").filter(action="document.uploaded").first().after[
        "replaces"
    ] == [first.pk]


def test_a_bad_upload_leaves_nothing_behind(draft_app, settings):
    user, application = draft_app
    required = application.call.required_documents.get(code="domanda")
    before = (Document.objects.count(), AuditEvent.objects.count(), len(stored_files(settings)))
    for bad in (
        SimpleUploadedFile("a.pdf", pdf_bytes()[:100]),
        SimpleUploadedFile("a.png", image_bytes("png")),  # not accepted for this document
        SimpleUploadedFile("a.exe", b"MZ..."),
    ):
        with pytest.raises(ValidationError) as excinfo:
            document_upload(
                actor=user, application=application, required_document=required, uploaded_file=bad
            )
        assert "file" in excinfo.value.error_dict
    assert (Document.objects.count(), AuditEvent.objects.count(), len(stored_files(settings))) == before
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_a_failure_after_storing_removes_the_file(draft_app, settings):
    user, application = draft_app
    with (
        mock.patch("funding.services.documents.audit_record_many", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        document_upload(actor=user, application=application, uploaded_file=upload())
    assert not Document.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize("who", ["anonymous", "other_org", "official", "auditor"])
def test_upload_denied_changes_nothing(draft_app, settings, who):
    _user, application = draft_app
    actor = {
        "anonymous": None,
        "other_org": make_applicant()[0],
        "official": make_user(Role.REGIONAL_OFFICIAL),
        "auditor": make_user(Role.AUDITOR),
    }[who]
    before = (Document.objects.count(), AuditEvent.objects.count())
    with pytest.raises(PermissionDenied):
        document_upload(actor=actor, application=application, uploaded_file=upload())
    assert (Document.objects.count(), AuditEvent.objects.count()) == before
    assert stored_files(settings) == []


def test_no_application_documents_after_submission():
    call = make_call()
    user, org = make_applicant()
    application = make_submitted(call, user, org)
    required = call.required_documents.get(code="domanda")
    count = Document.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        document_upload(
            actor=user, application=application, required_document=required, uploaded_file=upload()
        )
    assert excinfo.value.error_dict["file"][0].code == "application_locked"
    assert Document.objects.count() == count


def test_report_documents_only_once_granted():
    call = make_call(report_documents=(("fattura", "Fattura", True, [DocumentType.PDF]),))
    user, org = make_applicant()
    application = make_submitted(call, user, org)
    invoice = call.required_documents.get(code="fattura")
    with pytest.raises(ValidationError) as excinfo:
        document_upload(
            actor=user, application=application, required_document=invoice, uploaded_file=upload()
        )
    assert excinfo.value.error_dict["file"][0].code == "report_stage"
    application_transition(actor=None, application=application, to_status=ApplicationStatus.ADMISSIBLE)
    application_transition(actor=None, application=application, to_status=ApplicationStatus.GRANTED)
    document = document_upload(
        actor=user, application=application, required_document=invoice, uploaded_file=upload()
    )
    assert document.required_document == invoice


def test_required_document_of_another_call_is_refused(draft_app):
    user, application = draft_app
    foreign = make_call().required_documents.first()
    with pytest.raises(ValidationError) as excinfo:
        document_upload(
            actor=user, application=application, required_document=foreign, uploaded_file=upload()
        )
    assert "required_document" in excinfo.value.error_dict


def test_upload_page_shows_the_error_on_the_field(client, draft_app, settings):
    user, application = draft_app
    required = application.call.required_documents.get(code="domanda")
    client.force_login(user)
    response = client.post(
        reverse("funding:document_upload", args=[application.pk]),
        {"required_document": required.pk, "file": SimpleUploadedFile("a.pdf", pdf_bytes()[:50])},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'aria-describedby="file-{required.pk}-errors"' in html
    assert "non termina con il marcatore %%EOF" in html
    assert not Document.objects.exists()
    assert stored_files(settings) == []


def test_upload_without_a_file_is_refused_by_the_service_and_shown_on_the_field(client, draft_app, settings):
    user, application = draft_app
    required = application.call.required_documents.get(code="domanda")
    with pytest.raises(ValidationError) as excinfo:
        document_upload(actor=user, application=application, required_document=required, uploaded_file=None)
    assert excinfo.value.message_dict == {"file": [str(services.ERROR_NO_FILE)]}
    client.force_login(user)
    response = client.post(
        reverse("funding:document_upload", args=[application.pk]), {"required_document": required.pk}
    )
    assert response.status_code == 400
    assert f'aria-describedby="file-{required.pk}-errors"' in response.content.decode()
    assert "Scegli un file da caricare." in response.content.decode()
    assert not Document.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="document.").exists()
    assert stored_files(settings) == []


# --- Download ---------------------------------------------------------------------------------------------
@pytest.fixture
def stored(draft_app):
    user, application = draft_app
    document = document_upload(
        actor=user,
        application=application,
        uploaded_file=SimpleUploadedFile("Relazione «finale».pdf", pdf_bytes()),
    )
    return user, application, document


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("other_org", 404),
        ("inventory", 403),
        ("applicant", 200),
        ("auditor", 200),
        ("official", 200),
    ],
)
def test_download_matrix(client, stored, who, expected):
    user, _application, document = stored
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
    response = client.get(reverse("funding:document_download", args=[document.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "Relazione" in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == document.file.open("rb").read()


def test_media_is_not_served_publicly(client, stored):
    _user, _application, document = stored
    assert client.get(f"/media/{document.file.name}").status_code == 404
    assert client.get(f"/media-not-public/{document.file.name}").status_code == 404
