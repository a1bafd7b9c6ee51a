"""Uploaded documents: checked by content (not only by name), stored through Django's storage API,
recorded with their SHA-256, never deleted (a new upload makes the previous one not current).

The checks, in order: size; the declared type (from the name's extension) is PDF, JPEG or PNG and
accepted by the required document; the file is exactly one format (no polyglot: no data before
%PDF-, no PDF, ZIP or HTML hidden inside or after an image, nothing after a PDF's %%EOF); the
magic bytes match the declared type; a PDF parses completely with pypdf and holds no active content
(JavaScript, launch actions, embedded files: names compared decoded, so /J#61vaScript is caught too);
an image decodes fully with Pillow. Only then is anything written, and a failure afterwards removes
the stored file.
"""

import hashlib
import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from funding.choices import ApplicationStatus, DocumentStage, DocumentType, ExpenseReportStatus
from funding.models import Application, Document, ExpenseLine, ExpenseReport, RequiredDocument
from funding.services.applications import require_applicant_of
from portal.audit import AuditEntry, audit_record_many
from portal.models import Organisation, User

CONTENT_TYPES = {
    DocumentType.PDF: "application/pdf",
    DocumentType.JPEG: "image/jpeg",
    DocumentType.PNG: "image/png",
}
EXTENSIONS = {".pdf": DocumentType.PDF, ".jpg": DocumentType.JPEG, ".jpeg": DocumentType.JPEG}
EXTENSIONS[".png"] = DocumentType.PNG
CANONICAL_EXTENSION = {DocumentType.PDF: ".pdf", DocumentType.JPEG: ".jpg", DocumentType.PNG: ".png"}

PDF_MAGIC = b"%PDF-"
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
JPEG_END = b"\xff\xd9"
# Readers look for %PDF- in the first KiB and browsers sniff HTML in the first 512 bytes.
HEAD = 1024
HTML_MARKERS = re.compile(rb"<(?:!doctype|html|head|body|script|iframe|svg|object|embed|meta)[\s>/]", re.I)
IMAGE_HIDDEN = re.compile(rb"%PDF-|PK\x03\x04[\x0a\x14\x2d]\x00|<(?:script|html)[\s>/]", re.I)
# Bytes a PDF writer may leave after the final %%EOF.
PDF_TAIL_PADDING = b" \t\r\n\x00\x0c"
MAX_IMAGE_PIXELS = 60_000_000
NAME_MAX_LENGTH = 120
RESERVED_CHARACTERS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.I)

ERROR_EMPTY = _("The file is empty.")
ERROR_TOO_LARGE = _("The file is %(size)s: the largest accepted is %(max)s.")
ERROR_TYPE_NOT_ALLOWED = _("Only PDF, JPEG and PNG files are accepted (.pdf, .jpg, .jpeg, .png).")
ERROR_TYPE_NOT_ACCEPTED = _("“%(document)s” accepts only: %(types)s.")
ERROR_CONTENT_MISMATCH = _("The content of the file is not a %(type)s, as its name says.")
ERROR_POLYGLOT = _(
    "The file can be read as more than one format (for example a PDF hidden in an image): it is refused "
    "for safety. Save it again as a plain PDF, JPEG or PNG."
)
ERROR_PDF_TRUNCATED = _(
    "The PDF is incomplete (it does not end with the %(marker)s marker): it may have been cut short."
)
ERROR_PDF_TRAILING = _("The PDF has data after its end (%(marker)s): save it again as a plain PDF.")
PDF_END_MARKER = "%%EOF"
ERROR_PDF_DAMAGED = _("The PDF is damaged and cannot be read.")
ERROR_PDF_ENCRYPTED = _("The PDF is protected by a password: upload it without protection.")
ERROR_PDF_ACTIVE = _(
    "The PDF contains active content (JavaScript, a command to launch or an embedded file): it is "
    "refused for safety. Print it again to PDF, or save it as PDF/A, and upload that file."
)
# Keys, and values of /S (action type) and /Type, that make a PDF run or carry something.
PDF_ACTIVE_KEYS = frozenset({"/JavaScript", "/JS", "/Launch", "/EmbeddedFile", "/EmbeddedFiles"})
PDF_ACTIVE_VALUES = frozenset({"/JavaScript", "/Launch", "/EmbeddedFile"})
ERROR_IMAGE_DAMAGED = _("The image is damaged or incomplete.")
ERROR_IMAGE_TRAILING = _("The image has data after its end: save it again as a plain JPEG or PNG.")
ERROR_IMAGE_TOO_BIG = _("The image is too large (more than %(pixels)s million pixels).")
ERROR_WRONG_CALL = _("This document is not required by the application's call.")
ERROR_WRONG_REPORT = _("This expense line belongs to another application.")
ERROR_APPLICATION_LOCKED = _(
    "Documents of the application can be added only while it is a draft; this one is “%(status)s”."
)
ERROR_REPORT_STAGE = _("Documents of the expense report can be added only once the contribution is granted.")
ERROR_REPORT_LOCKED = _("The expense report is “%(status)s”: its documents can no longer change.")
ERROR_REPORT_UNDER_VERIFICATION = _(
    "Expense report n. %(report)s is with the Region for verification: its documents can change again "
    "only if it is returned for corrections."
)

# Statuses in which the documents of the expense report (stage "report") may be uploaded.
REPORT_STATUSES = frozenset(
    {
        ApplicationStatus.GRANTED,
        ApplicationStatus.REPORTING,
        ApplicationStatus.VERIFIED,
        ApplicationStatus.LIQUIDATED,
    }
)


@dataclass(frozen=True)
class CheckedFile:
    type: str
    content_type: str
    name: str
    data: bytes
    sha256: str


def _refuse(message, code: str, **params) -> ValidationError:
    return ValidationError({"file": ValidationError(message, code=code, params=params or None)})


# --- Names ---------------------------------------------------------------------------------------------
def sanitise_filename(name: str, *, doc_type: str | None = None) -> str:
    """A name safe to show and to send in Content-Disposition: no path, no control or bidi characters,
    no reserved characters, at most NAME_MAX_LENGTH characters, ending in the type's extension."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]  # a path from an old browser or a crafted client
    # Control, format (bidi overrides such as U+202E), surrogate and unassigned characters.
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = RESERVED_CHARACTERS.sub("_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    extension = CANONICAL_EXTENSION[doc_type] if doc_type else (f".{ext.lower()}" if ext else "")
    if doc_type and f".{ext.lower()}" in EXTENSIONS and EXTENSIONS[f".{ext.lower()}"] == doc_type:
        extension = f".{ext.lower()}"
    stem = stem.strip(" .") or "documento"
    if WINDOWS_RESERVED.match(stem):
        stem = f"_{stem}"
    stem = stem[: NAME_MAX_LENGTH - len(extension)].rstrip(" .") or "documento"
    return f"{stem}{extension}"


def declared_type(name: str) -> str | None:
    match = re.search(r"\.[A-Za-z0-9]+$", (name or "").strip())
    return EXTENSIONS.get(match.group(0).lower()) if match else None


# --- Content -------------------------------------------------------------------------------------------
def _formats(data: bytes) -> set[str]:
    """Every format the bytes could be taken for, by the readers that would open them."""
    head = data[:HEAD]
    found = set()
    if PDF_MAGIC in head:
        found.add(DocumentType.PDF)
    if data.startswith(JPEG_MAGIC):
        found.add(DocumentType.JPEG)
    if data.startswith(PNG_MAGIC):
        found.add(DocumentType.PNG)
    if data.startswith(b"PK\x03\x04") or zipfile.is_zipfile(io.BytesIO(data)):
        found.add("zip")
    if HTML_MARKERS.search(head):
        found.add("html")
    if found & {DocumentType.JPEG, DocumentType.PNG} and IMAGE_HIDDEN.search(data):
        found.add("hidden")
    return found


def _check_pdf(data: bytes) -> None:
    if not data.rstrip(PDF_TAIL_PADDING).endswith(b"%%EOF"):
        if b"%%EOF" in data[-4096:]:
            raise _refuse(ERROR_PDF_TRAILING, "pdf_trailing", marker=PDF_END_MARKER)
        raise _refuse(ERROR_PDF_TRUNCATED, "pdf_truncated", marker=PDF_END_MARKER)
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import IndirectObject, StreamObject

    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if reader.is_encrypted:
            raise _refuse(ERROR_PDF_ENCRYPTED, "pdf_encrypted")
        if len(reader.pages) < 1:
            raise _refuse(ERROR_PDF_DAMAGED, "pdf_damaged")
        # Resolve every object of the cross-reference table and decode every stream.
        active = False
        for generation, objects in reader.xref.items():
            for number in objects:
                obj = reader.get_object(IndirectObject(number, generation, reader))
                if isinstance(obj, StreamObject):
                    obj.get_data()
                active = active or _is_active(obj)
        for number in reader.xref_objStm:
            active = active or _is_active(reader.get_object(IndirectObject(number, 0, reader)))
        active = active or _is_active(reader.trailer)
        if active:
            raise _refuse(ERROR_PDF_ACTIVE, "pdf_active")
        for page in reader.pages:
            page.get_contents()
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise _refuse(ERROR_PDF_DAMAGED, "pdf_damaged") from exc
    except RecursionError as exc:
        raise _refuse(ERROR_PDF_DAMAGED, "pdf_damaged") from exc


def _is_active(obj, depth: int = 0) -> bool:
    """Whether a PDF object, or a direct object inside it, names active content. Indirect references
    are not followed: every indirect object is visited by the caller."""
    from pypdf.generic import ArrayObject, DictionaryObject

    if depth > 64:  # deeper than any real PDF nests direct objects
        return True
    if isinstance(obj, DictionaryObject):
        if PDF_ACTIVE_KEYS.intersection(obj.keys()):
            return True
        for key in ("/S", "/Type", "/Subtype"):
            if str(obj.get(key, "")) in PDF_ACTIVE_VALUES:
                return True
        return any(_is_active(value, depth + 1) for value in obj.values())
    if isinstance(obj, ArrayObject):
        return any(_is_active(value, depth + 1) for value in obj)
    return False


def _check_image(data: bytes, doc_type: str) -> None:
    from PIL import Image

    expected = {DocumentType.JPEG: "JPEG", DocumentType.PNG: "PNG"}[doc_type]
    ending = JPEG_END if doc_type == DocumentType.JPEG else PNG_END
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != expected:
                    raise _refuse(ERROR_CONTENT_MISMATCH, "mismatch", type=doc_type.upper())
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise _refuse(ERROR_IMAGE_TOO_BIG, "image_too_big", pixels=MAX_IMAGE_PIXELS // 1_000_000)
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # decodes every pixel: a truncated image fails here
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refuse(ERROR_IMAGE_TOO_BIG, "image_too_big", pixels=MAX_IMAGE_PIXELS // 1_000_000) from exc
    except Exception as exc:  # Pillow raises many kinds (OSError, SyntaxError, struct.error...)
        raise _refuse(ERROR_IMAGE_DAMAGED, "image_damaged") from exc
    if not data.endswith(ending):
        if _end_marker_seen(data, doc_type):
            raise _refuse(ERROR_IMAGE_TRAILING, "image_trailing")
        raise _refuse(ERROR_IMAGE_DAMAGED, "image_damaged")  # cut short: no end marker at all


def _end_marker_seen(data: bytes, doc_type: str) -> bool:
    """Whether the image's end marker occurs before the end of the file (so something follows it).

    In JPEG scan data every 0xFF byte is stuffed or a restart marker, so FFD9 after the first
    start-of-scan (FFDA) can only be the end of the image."""
    if doc_type == DocumentType.PNG:
        return PNG_END[4:] in data
    start_of_scan = data.find(b"\xff\xda")
    return start_of_scan != -1 and data.find(JPEG_END, start_of_scan) != -1


def check_file(
    *, uploaded_file, accepted_types: list[str] | None = None, document_name: str = ""
) -> CheckedFile:
    """Read and check an upload without side effects; ValidationError on "file" when refused."""
    limit = settings.UPLOAD_MAX_BYTES
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise _refuse(ERROR_TOO_LARGE, "too_large", size=filesizeformat(size), max=filesizeformat(limit))
    doc_type = declared_type(getattr(uploaded_file, "name", ""))
    if doc_type is None:
        raise _refuse(ERROR_TYPE_NOT_ALLOWED, "type_not_allowed")
    if accepted_types is not None and doc_type not in accepted_types:
        labels = ", ".join(DocumentType(t).label for t in accepted_types)
        raise _refuse(ERROR_TYPE_NOT_ACCEPTED, "type_not_accepted", document=document_name, types=labels)
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise _refuse(
            ERROR_TOO_LARGE, "too_large", size=f"> {filesizeformat(limit)}", max=filesizeformat(limit)
        )
    if not data:
        raise _refuse(ERROR_EMPTY, "empty")
    formats = _formats(data)
    if len(formats) > 1 or (DocumentType.PDF in formats and not data.startswith(PDF_MAGIC)):
        raise _refuse(ERROR_POLYGLOT, "polyglot")
    if formats != {doc_type}:
        raise _refuse(ERROR_CONTENT_MISMATCH, "mismatch", type=DocumentType(doc_type).label)
    if doc_type == DocumentType.PDF:
        _check_pdf(data)
    else:
        _check_image(data, doc_type)
    return CheckedFile(
        type=doc_type,
        content_type=CONTENT_TYPES[doc_type],
        name=sanitise_filename(uploaded_file.name, doc_type=doc_type),
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
    )


# --- Upload ---------------------------------------------------------------------------------------------
def _check_stage(
    application: Application, required_document: RequiredDocument | None, expense_line: ExpenseLine | None
) -> None:
    report_stage = expense_line is not None or (
        required_document is not None and required_document.stage == DocumentStage.REPORT
    )
    if not report_stage:
        if application.status != ApplicationStatus.DRAFT:
            raise _refuse(
                ERROR_APPLICATION_LOCKED,
                "application_locked",
                status=ApplicationStatus(application.status).label,
            )
        return
    if application.status not in REPORT_STATUSES:
        raise _refuse(ERROR_REPORT_STAGE, "report_stage")
    submitted = report_under_verification(application)
    if submitted is not None:
        raise _refuse(ERROR_REPORT_UNDER_VERIFICATION, "report_submitted", report=submitted.pk)
    if expense_line is not None:
        report = expense_line.report
        if report.status not in (ExpenseReportStatus.DRAFT, ExpenseReportStatus.RETURNED):
            raise _refuse(
                ERROR_REPORT_LOCKED, "report_locked", status=ExpenseReportStatus(report.status).label
            )


def report_under_verification(application: Application) -> ExpenseReport | None:
    """The application's expense report waiting for the Region's verification, if any: what it was
    sent with is what the official checks, so its documents stay as they are meanwhile."""
    if application.commitment_id is None:
        return None
    return (
        ExpenseReport.objects.filter(
            commitment_id=application.commitment_id, status=ExpenseReportStatus.SUBMITTED
        )
        .order_by("-pk")
        .first()
    )


def report_documents_open(application: Application) -> bool:
    """Whether the documents of the reporting stage (the paid invoice, the installation certificate)
    may be uploaded now: the contribution is granted and no report is under verification."""
    return application.status in REPORT_STATUSES and report_under_verification(application) is None


def _line_of(expense_line: ExpenseLine, application: Application) -> bool:
    """The line's report is the application's (linked directly, or through its commitment)."""
    report = expense_line.report
    if report.application_id is not None:
        return report.application_id == application.pk
    return application.commitment_id is not None and report.commitment_id == application.commitment_id


def document_upload(
    *,
    actor: User,
    application: Application,
    required_document: RequiredDocument | None = None,
    expense_line: ExpenseLine | None = None,
    uploaded_file,
) -> Document:
    """Store a checked upload for `application` (optionally for a required document and/or an expense
    line). A new upload for the same required document (and line) makes the previous one not current;
    a line keeps every file attached to it without a required document.
    Refused uploads leave no row, no audit event and no file behind."""
    require_applicant_of(actor, application.applicant_id)
    if required_document is not None and required_document.call_id != application.call_id:
        raise ValidationError({"required_document": ERROR_WRONG_CALL})
    if expense_line is not None and not _line_of(expense_line, application):
        raise ValidationError({"expense_line": ERROR_WRONG_REPORT})
    checked = check_file(
        uploaded_file=uploaded_file,
        accepted_types=required_document.accepted_types if required_document is not None else None,
        document_name=required_document.name if required_document is not None else "",
    )

    def lock() -> tuple[Application, Organisation]:
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("applicant")
            .get(pk=application.pk)
        )
        _check_stage(locked, required_document, expense_line)
        return locked, locked.applicant

    return _save(
        actor=actor,
        checked=checked,
        lock=lock,
        required_document=required_document,
        expense_line=expense_line,
    )


def line_document_upload(*, actor: User, expense_line: ExpenseLine, uploaded_file) -> Document:
    """Store a checked upload (an invoice, a proof of payment) on an expense line of a grant that has
    no application, such as a comune's share of a population split: the beneficiary's staff upload
    it while the report is a draft or sent back. Refused uploads leave nothing behind."""
    report = expense_line.report
    require_applicant_of(actor, report.commitment.beneficiary_id)
    checked = check_file(uploaded_file=uploaded_file, accepted_types=None, document_name="")

    def lock() -> tuple[None, Organisation]:
        locked = (
            ExpenseReport.objects.select_for_update(of=("self",))
            .select_related("commitment__beneficiary")
            .get(pk=report.pk)
        )
        if locked.status not in (ExpenseReportStatus.DRAFT, ExpenseReportStatus.RETURNED):
            raise _refuse(
                ERROR_REPORT_LOCKED, "report_locked", status=ExpenseReportStatus(locked.status).label
            )
        return None, locked.commitment.beneficiary

    return _save(actor=actor, checked=checked, lock=lock, required_document=None, expense_line=expense_line)


def _save(*, actor, checked, lock, required_document, expense_line) -> Document:
    """Write the file and its row in one transaction (after `lock()` has locked and checked the owner
    and returned (application or None, organisation)); earlier versions become not current; audited.
    If anything fails, the stored file is removed again."""
    stored_name = ""
    storage = Document._meta.get_field("file").storage
    try:
        with transaction.atomic():
            application, organisation = lock()
            document = Document(
                application=application,
                required_document=required_document,
                expense_line=expense_line,
                original_name=checked.name,
                content_type=checked.content_type,
                size=len(checked.data),
                sha256=checked.sha256,
                uploaded_by=actor,
                is_current=True,
            )
            document.file.save(checked.name, ContentFile(checked.data), save=False)
            stored_name = document.file.name
            document.save()
            replaced: list[int] = []
            # A new file for a required document replaces the previous one (for the same line, if
            # any); free attachments of an invoice line (the invoice, the proof of payment...) add up.
            if required_document is not None:
                previous = Document.objects.filter(
                    application=application,
                    required_document=required_document,
                    expense_line=expense_line,
                    is_current=True,
                ).exclude(pk=document.pk)
                replaced = list(previous.values_list("pk", flat=True))
                previous.update(is_current=False)
            audit_record_many(
                [
                    AuditEntry(
                        action="document.uploaded",
                        actor=actor,
                        organisation=organisation,
                        target=document,
                        after={
                            "application": application.pk if application else None,
                            "name": checked.name,
                            "type": checked.type,
                            "size": len(checked.data),
                            "sha256": checked.sha256,
                            "required_document": required_document.code if required_document else None,
                            "expense_line": expense_line.pk if expense_line else None,
                            "replaces": replaced,
                        },
                    )
                ]
            )
    except BaseException:
        if stored_name:
            storage.delete(stored_name)
        raise
    return document
