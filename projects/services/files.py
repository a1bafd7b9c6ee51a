"""Checks of a deliverable's file: PDF, DOCX, ODT, XLSX, CSV or ZIP, judged by content.

PDFs go through the portal's safe upload checks as they are (portal.uploads.check_file:
size, polyglots, a complete parse, no active content). The other formats reuse the same size limit,
the same polyglot detector and the same file-name sanitiser, then check their own structure: an
office document or a ZIP must be one sound archive (every CRC right, no encrypted entry, no path
that climbs out, not a zip bomb) with the parts its format requires and no macros; a CSV must be
UTF-8 text that the csv module reads to the end.
"""

import csv
import hashlib
import io
import re
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from portal import uploads
from portal.uploads import CheckedFile, FileType, sanitise_filename

PDF, DOCX, ODT, XLSX, CSV, ZIP = "pdf", "docx", "odt", "xlsx", "csv", "zip"
CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ODT: "application/vnd.oasis.opendocument.text",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv",
    ZIP: "application/zip",
}
LABELS = {PDF: "PDF", DOCX: "DOCX", ODT: "ODT", XLSX: "XLSX", CSV: "CSV", ZIP: "ZIP"}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
REQUIRED_PARTS = {
    DOCX: ("[Content_Types].xml", "word/document.xml"),
    XLSX: ("[Content_Types].xml", "xl/workbook.xml"),
}
MACRO_PARTS = re.compile(r"(^|/)(vbaProject\.bin|vbaData\.xml)$|^Basic/|^Scripts/", re.I)
MAX_ENTRIES = 10_000
MAX_EXPANSION = 100  # uncompressed size at most this many times the archive

ERROR_DELIVERABLE_TYPE = _("A deliverable's file is a PDF, DOCX, ODT, XLSX, CSV or ZIP file.")
ERROR_MISMATCH = _("The content of the file is not a %(type)s, as its name says.")
ERROR_ARCHIVE_DAMAGED = _("The %(type)s file is damaged (its archive cannot be read completely).")
ERROR_ARCHIVE_UNSAFE = _(
    "The %(type)s file holds entries that could be unsafe to open (encrypted entries, paths outside the "
    "archive, or far more data than its size): it is refused."
)
ERROR_MACROS = _("The %(type)s file contains macros: save it without macros and upload it again.")
ERROR_CSV_ENCODING = _("The CSV file is not UTF-8 text: save it again as “CSV UTF-8”.")
ERROR_CSV_DAMAGED = _("The CSV file cannot be read as comma- or semicolon-separated values.")


def _refuse(message, code: str, **params) -> ValidationError:
    return ValidationError({"file": ValidationError(message, code=code, params=params or None)})


def _extension(name: str) -> str | None:
    match = re.search(r"\.([A-Za-z0-9]+)$", (name or "").strip())
    ext = match.group(1).lower() if match else ""
    return ext if ext in CONTENT_TYPES else None


def _read(uploaded_file) -> bytes:
    limit = settings.UPLOAD_MAX_BYTES
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise _refuse(
            uploads.ERROR_TOO_LARGE,
            "too_large",
            size=filesizeformat(size),
            max=filesizeformat(limit),
        )
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise _refuse(
            uploads.ERROR_TOO_LARGE,
            "too_large",
            size=f"> {filesizeformat(limit)}",
            max=filesizeformat(limit),
        )
    if not data:
        raise _refuse(uploads.ERROR_EMPTY, "empty")
    return data


def _check_archive(data: bytes, kind: str) -> None:
    label = LABELS[kind]
    formats = uploads.detected_formats(data)  # the same polyglot detector as every upload
    if formats != {"zip"} or not data.startswith(b"PK\x03\x04"):
        if len(formats) > 1:
            raise _refuse(uploads.ERROR_POLYGLOT, "polyglot")
        raise _refuse(ERROR_MISMATCH, "mismatch", type=label)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            total = sum(e.file_size for e in entries)
            unsafe = (
                len(entries) > MAX_ENTRIES
                or total > MAX_EXPANSION * len(data) + 1_000_000
                or any(e.flag_bits & 0x1 for e in entries)
                or any(
                    e.filename.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", e.filename)
                    for e in entries
                )
            )
            if unsafe:
                raise _refuse(ERROR_ARCHIVE_UNSAFE, "archive_unsafe", type=label)
            if archive.testzip() is not None:
                raise _refuse(ERROR_ARCHIVE_DAMAGED, "archive_damaged", type=label)
            names = {e.filename for e in entries}
            if kind in (DOCX, XLSX, ODT) and any(MACRO_PARTS.search(n) for n in names):
                raise _refuse(ERROR_MACROS, "macros", type=label)
            if kind in REQUIRED_PARTS and not set(REQUIRED_PARTS[kind]) <= names:
                raise _refuse(ERROR_MISMATCH, "mismatch", type=label)
            if kind == ODT and (
                not entries
                or entries[0].filename != "mimetype"
                or archive.read("mimetype").strip() != ODT_MIMETYPE
            ):
                raise _refuse(ERROR_MISMATCH, "mismatch", type=label)
    except ValidationError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        NotImplementedError,
        RuntimeError,
    ) as exc:
        raise _refuse(ERROR_ARCHIVE_DAMAGED, "archive_damaged", type=label) from exc


def _check_csv(data: bytes) -> None:
    if uploads.detected_formats(data):  # a PDF, image, archive or HTML page named .csv
        raise _refuse(ERROR_MISMATCH, "mismatch", type="CSV")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse(ERROR_CSV_ENCODING, "csv_encoding") from exc
    if "\x00" in text:
        raise _refuse(ERROR_CSV_ENCODING, "csv_encoding")
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    try:
        rows = sum(1 for _row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise _refuse(ERROR_CSV_DAMAGED, "csv_damaged") from exc
    if rows == 0:
        raise _refuse(uploads.ERROR_EMPTY, "empty")


def check_deliverable_file(uploaded_file) -> CheckedFile:
    """Read and check an upload for a deliverable; ValidationError on "file" when refused."""
    kind = _extension(getattr(uploaded_file, "name", ""))
    if kind is None:
        raise _refuse(ERROR_DELIVERABLE_TYPE, "type_not_allowed")
    if kind == PDF:
        return uploads.check_file(uploaded_file=uploaded_file, accepted_types=[FileType.PDF])
    data = _read(uploaded_file)
    if kind == CSV:
        _check_csv(data)
    else:
        _check_archive(data, kind)
    return CheckedFile(
        type=kind,
        content_type=CONTENT_TYPES[kind],
        name=sanitise_filename(uploaded_file.name),
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
    )
