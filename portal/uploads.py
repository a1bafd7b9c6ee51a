"""Safe upload checks that every app shares: a file is judged by its content, not only by its name.

The checks, in order: size; the declared type (from the name's extension) is PDF, JPEG or PNG and
accepted by the caller; the file is exactly one format (no polyglot: no data before %PDF-, no PDF,
ZIP or HTML hidden inside or after an image, nothing after a PDF's %%EOF); the magic bytes match the
declared type; a PDF parses completely with pypdf and holds no active content (JavaScript, launch
actions, embedded files: names compared decoded, so /J#61vaScript is caught too); an image decodes
fully with Pillow. Nothing is written here: callers store the CheckedFile (funding's documents,
projects' deliverable files, whose other formats reuse the size limit, the polyglot detector and the
file-name sanitiser).
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
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _


class FileType(models.TextChoices):
    """The types every upload may have (funding.choices.DocumentType keeps the same values)."""

    PDF = "pdf", "PDF"
    JPEG = "jpeg", "JPEG"
    PNG = "png", "PNG"


CONTENT_TYPES = {
    FileType.PDF: "application/pdf",
    FileType.JPEG: "image/jpeg",
    FileType.PNG: "image/png",
}
EXTENSIONS = {".pdf": FileType.PDF, ".jpg": FileType.JPEG, ".jpeg": FileType.JPEG}
EXTENSIONS[".png"] = FileType.PNG
CANONICAL_EXTENSION = {FileType.PDF: ".pdf", FileType.JPEG: ".jpg", FileType.PNG: ".png"}

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


@dataclass(frozen=True)
class CheckedFile:
    type: str
    content_type: str
    name: str
    data: bytes
    sha256: str


def upload_refused(message, code: str, **params) -> ValidationError:
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
def detected_formats(data: bytes) -> set[str]:
    """Every format the bytes could be taken for, by the readers that would open them."""
    head = data[:HEAD]
    found = set()
    if PDF_MAGIC in head:
        found.add(FileType.PDF)
    if data.startswith(JPEG_MAGIC):
        found.add(FileType.JPEG)
    if data.startswith(PNG_MAGIC):
        found.add(FileType.PNG)
    if data.startswith(b"PK\x03\x04") or zipfile.is_zipfile(io.BytesIO(data)):
        found.add("zip")
    if HTML_MARKERS.search(head):
        found.add("html")
    if found & {FileType.JPEG, FileType.PNG} and IMAGE_HIDDEN.search(data):
        found.add("hidden")
    return found


def _check_pdf(data: bytes) -> None:
    if not data.rstrip(PDF_TAIL_PADDING).endswith(b"%%EOF"):
        if b"%%EOF" in data[-4096:]:
            raise upload_refused(ERROR_PDF_TRAILING, "pdf_trailing", marker=PDF_END_MARKER)
        raise upload_refused(ERROR_PDF_TRUNCATED, "pdf_truncated", marker=PDF_END_MARKER)
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import IndirectObject, StreamObject

    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if reader.is_encrypted:
            raise upload_refused(ERROR_PDF_ENCRYPTED, "pdf_encrypted")
        if len(reader.pages) < 1:
            raise upload_refused(ERROR_PDF_DAMAGED, "pdf_damaged")
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
            raise upload_refused(ERROR_PDF_ACTIVE, "pdf_active")
        for page in reader.pages:
            page.get_contents()
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise upload_refused(ERROR_PDF_DAMAGED, "pdf_damaged") from exc
    except RecursionError as exc:
        raise upload_refused(ERROR_PDF_DAMAGED, "pdf_damaged") from exc


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

    expected = {FileType.JPEG: "JPEG", FileType.PNG: "PNG"}[doc_type]
    ending = JPEG_END if doc_type == FileType.JPEG else PNG_END
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != expected:
                    raise upload_refused(ERROR_CONTENT_MISMATCH, "mismatch", type=doc_type.upper())
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise upload_refused(
                        ERROR_IMAGE_TOO_BIG, "image_too_big", pixels=MAX_IMAGE_PIXELS // 1_000_000
                    )
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # decodes every pixel: a truncated image fails here
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise upload_refused(
            ERROR_IMAGE_TOO_BIG, "image_too_big", pixels=MAX_IMAGE_PIXELS // 1_000_000
        ) from exc
    except Exception as exc:  # Pillow raises many kinds (OSError, SyntaxError, struct.error...)
        raise upload_refused(ERROR_IMAGE_DAMAGED, "image_damaged") from exc
    if not data.endswith(ending):
        if _end_marker_seen(data, doc_type):
            raise upload_refused(ERROR_IMAGE_TRAILING, "image_trailing")
        raise upload_refused(ERROR_IMAGE_DAMAGED, "image_damaged")  # cut short: no end marker at all


def _end_marker_seen(data: bytes, doc_type: str) -> bool:
    """Whether the image's end marker occurs before the end of the file (so something follows it).

    In JPEG scan data every 0xFF byte is stuffed or a restart marker, so FFD9 after the first
    start-of-scan (FFDA) can only be the end of the image."""
    if doc_type == FileType.PNG:
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
        raise upload_refused(
            ERROR_TOO_LARGE, "too_large", size=filesizeformat(size), max=filesizeformat(limit)
        )
    doc_type = declared_type(getattr(uploaded_file, "name", ""))
    if doc_type is None:
        raise upload_refused(ERROR_TYPE_NOT_ALLOWED, "type_not_allowed")
    if accepted_types is not None and doc_type not in accepted_types:
        labels = ", ".join(FileType(t).label for t in accepted_types)
        raise upload_refused(
            ERROR_TYPE_NOT_ACCEPTED, "type_not_accepted", document=document_name, types=labels
        )
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise upload_refused(
            ERROR_TOO_LARGE, "too_large", size=f"> {filesizeformat(limit)}", max=filesizeformat(limit)
        )
    if not data:
        raise upload_refused(ERROR_EMPTY, "empty")
    formats = detected_formats(data)
    if len(formats) > 1 or (FileType.PDF in formats and not data.startswith(PDF_MAGIC)):
        raise upload_refused(ERROR_POLYGLOT, "polyglot")
    if formats != {doc_type}:
        raise upload_refused(ERROR_CONTENT_MISMATCH, "mismatch", type=FileType(doc_type).label)
    if doc_type == FileType.PDF:
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
