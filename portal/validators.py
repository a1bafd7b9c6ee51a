"""Validators for Italian identifiers, backed by python-stdnum (check digits included)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import iban
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import codicefiscale, iva

ERROR_TAX_CODE = _("Enter a valid codice fiscale: 16 characters for a person or 11 digits for a body.")
ERROR_PERSON_TAX_CODE = _(
    "Enter a valid personal codice fiscale: 16 characters with a correct check character."
)
ERROR_VAT_NUMBER = _("Enter a valid partita IVA: 11 digits with a correct check digit.")
ERROR_IBAN = _("Enter a valid IBAN.")


def normalise_tax_code(value: str) -> str:
    return codicefiscale.compact(value or "")


def validate_tax_code(value: str) -> None:
    """Codice fiscale of a person (16 chars) or a body (11 digits, the partita IVA rule)."""
    compact = normalise_tax_code(value)
    try:
        if len(compact) == 11:
            iva.validate(compact)
        else:
            codicefiscale.validate(compact)
    except StdnumError as exc:
        raise ValidationError(ERROR_TAX_CODE, code="invalid_tax_code") from exc


def validate_person_tax_code(value: str) -> None:
    """A person's codice fiscale: 16 characters with a correct check character."""
    compact = normalise_tax_code(value)
    if len(compact) != 16 or not codicefiscale.is_valid(compact):
        raise ValidationError(ERROR_PERSON_TAX_CODE, code="invalid_person_tax_code")


def validate_vat_number(value: str) -> None:
    try:
        iva.validate(value or "")
    except StdnumError as exc:
        raise ValidationError(ERROR_VAT_NUMBER, code="invalid_vat_number") from exc


def validate_iban(value: str) -> None:
    try:
        iban.validate(value or "")
    except StdnumError as exc:
        raise ValidationError(ERROR_IBAN, code="invalid_iban") from exc
