"""Codici fiscali of the bodies that receive grants (issue 9, item 14): art. 27 of D.Lgs. 33/2013
publishes each beneficiary with its tax code, and the reference data give one only to a few bodies.

An official imports a CSV of ISTAT code and codice fiscale (both checked, every bad row reported
with its line, nothing saved unless every row is right), and sees the bodies still without one.
Persons (taxi licensees) are published by name only, so they are not asked for here."""

import csv
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.audit import AuditEntry, audit_record_many
from portal.choices import OrganisationKind
from portal.models import Comune, Organisation, User
from portal.permissions import MANAGE_PROGRAMME, require
from portal.validators import normalise_tax_code, validate_tax_code

PERSON_KINDS = (OrganisationKind.TAXI_LICENSEE,)
MAX_BYTES = 1_000_000

ERROR_FILE = _("The file must be a CSV in UTF-8 with two columns: ISTAT code and codice fiscale.")
ERROR_TOO_LARGE = _("The file is larger than 1 MB.")
ERROR_EMPTY = _("The file has no rows.")
ERROR_ISTAT = _("Line %(line)s: “%(value)s” is not an ISTAT code (6 digits, e.g. 001272).")
ERROR_NO_COMUNE = _("Line %(line)s: no comune has the ISTAT code %(value)s.")
ERROR_NO_BODY = _("Line %(line)s: the comune %(value)s has no organisation in the portal.")
ERROR_TAX_CODE = _(
    "Line %(line)s: “%(value)s” is not a valid codice fiscale of a body (11 digits, check digit)."
)
ERROR_TWICE = _("Line %(line)s: the ISTAT code %(value)s is already on line %(first)s.")
ERROR_TAX_CODE_TWICE = _("Line %(line)s: the codice fiscale %(value)s is already on line %(first)s.")
ERROR_TAKEN = _("Line %(line)s: the codice fiscale %(value)s already belongs to %(other)s.")


@dataclass(frozen=True)
class ImportResult:
    changed: int
    unchanged: int


def bodies_without_tax_code() -> QuerySet[Organisation]:
    """Active bodies (not persons) with no codice fiscale: their grants cannot be published."""
    return (
        Organisation.objects.filter(is_active=True, tax_code="")
        .exclude(kind__in=PERSON_KINDS)
        .select_related("comune")
        .order_by("kind", "name")
    )


def _rows(data: bytes) -> list[tuple[int, str, str]]:
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": ERROR_TOO_LARGE})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": ERROR_FILE}) from exc
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    for line, record in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        cells = [c.strip() for c in record]
        if not any(cells):
            continue
        if len(cells) < 2:
            raise ValidationError({"file": ERROR_FILE})
        if line == 1 and not cells[0].isdigit():
            continue  # a header
        rows.append((line, cells[0], cells[1]))
    if not rows:
        raise ValidationError({"file": ERROR_EMPTY})
    return rows


def tax_codes_import(*, actor: User, data: bytes) -> ImportResult:
    """Set the codici fiscali of the comuni's organisations; all rows or none, audited."""
    require(actor, MANAGE_PROGRAMME)
    rows = _rows(data)
    errors: list[str] = []
    seen: dict[str, int] = {}
    wanted: dict[str, tuple[int, str]] = {}
    codes: dict[str, int] = {}
    for line, istat, raw in rows:
        istat = istat.zfill(6) if istat.isdigit() and len(istat) <= 6 else istat
        tax_code = normalise_tax_code(raw)
        if not (istat.isdigit() and len(istat) == 6):
            errors.append(gettext(ERROR_ISTAT) % {"line": line, "value": istat})
            continue
        if istat in seen:
            errors.append(gettext(ERROR_TWICE) % {"line": line, "value": istat, "first": seen[istat]})
            continue
        seen[istat] = line
        try:
            if len(tax_code) != 11:
                raise ValidationError("body")
            validate_tax_code(tax_code)
        except ValidationError:
            errors.append(gettext(ERROR_TAX_CODE) % {"line": line, "value": raw})
            continue
        if tax_code in codes:
            errors.append(
                gettext(ERROR_TAX_CODE_TWICE) % {"line": line, "value": tax_code, "first": codes[tax_code]}
            )
            continue
        codes[tax_code] = line
        wanted[istat] = (line, tax_code)
    with transaction.atomic():
        bodies = {
            o.comune.istat_code: o
            for o in Organisation.objects.select_for_update()
            .filter(kind=OrganisationKind.MUNICIPALITY, comune__istat_code__in=wanted)
            .select_related("comune")
            .order_by("pk")
        }
        known = set(Comune.objects.filter(istat_code__in=wanted).values_list("istat_code", flat=True))
        owners = dict(
            Organisation.objects.filter(tax_code__in=[t for _, t in wanted.values()]).values_list(
                "tax_code", "name"
            )
        )
        changes = []
        for istat, (line, tax_code) in wanted.items():
            body = bodies.get(istat)
            if body is None:
                message = ERROR_NO_BODY if istat in known else ERROR_NO_COMUNE
                errors.append(gettext(message) % {"line": line, "value": istat})
                continue
            other = owners.get(tax_code)
            if other is not None and other != body.name:
                errors.append(gettext(ERROR_TAKEN) % {"line": line, "value": tax_code, "other": other})
                continue
            if body.tax_code != tax_code:
                changes.append((body, tax_code))
        if errors:
            raise ValidationError({"file": [ValidationError(e) for e in sorted(errors, key=_line_of)]})
        audits = []
        for body, tax_code in changes:
            audits.append(
                AuditEntry(
                    action="organisation.tax_code.imported",
                    actor=actor,
                    organisation=body,
                    target=body,
                    before={"tax_code": body.tax_code},
                    after={"tax_code": tax_code},
                )
            )
            body.tax_code = tax_code
            body.save(update_fields=["tax_code", "updated_at"])
        audit_record_many(audits)
    return ImportResult(changed=len(changes), unchanged=len(wanted) - len(changes))


def _line_of(message: str) -> int:
    digits = "".join(ch for ch in message.split(":")[0] if ch.isdigit())
    return int(digits or 0)
