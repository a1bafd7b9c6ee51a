"""The transparency register (D.Lgs. 33/2013 art. 26-27): in the catalogue, and as the public page's
open-data download."""

from django.utils.translation import gettext_lazy as _

from funding.forms.reports import TransparencyReportForm
from funding.selectors.transparency import COLUMNS as TRANSPARENCY_COLUMNS
from funding.selectors.transparency import TransparencyFilters, transparency_count, transparency_rows
from portal.permissions import EXPORT
from reporting.document import ReportDocument
from reporting.registry import Column, ColumnType, Report, register


# --- Transparency register (D.Lgs. 33/2013 art. 26-27) -----------------------------------------------------
def _transparency_filters(params) -> TransparencyFilters:
    return TransparencyFilters(
        year=params.get("year"),
        beneficiary=params.get("beneficiary") or "",
        method=params.get("method") or "",
    )


def transparency_report_rows(*, user, params):
    """Published data only, the same for everyone: the user changes nothing."""
    return transparency_rows(filters=_transparency_filters(params))


def transparency_report_count(*, user, params) -> int:
    return transparency_count(filters=_transparency_filters(params))


_TRANSPARENCY_TYPES = {
    "year": (ColumnType.CODE, False),
    "tax_code": (ColumnType.CODE, False),
    "amount": (ColumnType.MONEY, True),
    "published_at": (ColumnType.DATE, False),
}

# In the catalogue for officials and auditors, who check what was published; the public page
# (funding:transparency, no login) serves the same definition through transparency_public_document.
TRANSPARENCY = register(
    Report(
        key="funding.transparency",
        title=_("Published grants (D.Lgs. 33/2013, art. 26-27)"),
        description=_(
            "The public register of grants over 1,000 euros per beneficiary and year, with the fields of "
            "art. 27; for natural persons, no tax code."
        ),
        capability=EXPORT,
        form_class=TransparencyReportForm,
        references=(_("D.Lgs. 14 marzo 2013, n. 33, art. 26 and 27"),),
        columns=tuple(
            Column(key, label, *_TRANSPARENCY_TYPES.get(key, (ColumnType.TEXT, False)))
            for key, label in TRANSPARENCY_COLUMNS
        ),
        rows=transparency_report_rows,
        count=transparency_report_count,
        dense=True,
    )
)


def transparency_public_document(filters: TransparencyFilters) -> ReportDocument:
    """The public register as open data: the table alone (header on row 1), for anyone, no author."""
    return ReportDocument(
        report=TRANSPARENCY,
        rows=transparency_rows(filters=filters),
        title=str(TRANSPARENCY.title),
        heading=False,
    )
