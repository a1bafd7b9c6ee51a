"""The beneficiary statement: everything one organisation was granted and paid, per commitment."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from funding.choices import CommitmentStatus
from funding.forms.reports import BeneficiaryStatementReportForm
from funding.models import Programme
from funding.reports.common import (
    CHUNK_SIZE,
    act_formatter,
    chapter_text,
    grant_call_title,
    money_columns,
    programme_lines,
)
from funding.selectors import commitment_status
from portal.permissions import EXPORT_OWN
from reporting.registry import Column, ColumnType, Report, register


# --- Beneficiary statement ---------------------------------------------------------------------------
def _statement(*, user, params):
    """commitment_status is scoped to the user: an applicant reads only their own organisations."""
    return commitment_status(user=user).filter(beneficiary=params["organisation"]).order_by("act_date", "pk")


def statement_rows(*, user, params):
    rows = (
        _statement(user=user, params=params)
        .annotate(call_title=grant_call_title())
        .values_list(
            "act_type",
            "act_number",
            "act_date",
            "reservation__chapter__number",
            "reservation__chapter__article",
            "reservation__chapter__year",
            "call_title",
            "reservation__action__axis__number",
            "reservation__action__number",
            "reservation__action__title",
            "cup",
            "status",
            "amount",
            "economies_sum",
            "liquidated_sum",
            "to_liquidate",
        )
    )
    act = act_formatter()
    statuses = {value: str(label) for value, label in CommitmentStatus.choices}
    for (
        act_type,
        act_number,
        act_date,
        number,
        article,
        year,
        call_title,
        axis,
        action_number,
        action_title,
        cup,
        status,
        *money,
    ) in rows.iterator(chunk_size=CHUNK_SIZE):
        yield (
            act(act_type, act_number, act_date),
            chapter_text(number, article, year),
            call_title or f"{axis}.{action_number} {action_title}",
            cup,
            statuses.get(status, status),
            *money,
        )


def statement_count(*, user, params) -> int:
    return _statement(user=user, params=params).count()


def statement_subtitle(params) -> list[str]:
    organisation = params["organisation"]
    lines = []
    if organisation.tax_code:
        lines.append(gettext("Tax code: %(code)s") % {"code": organisation.tax_code})
    programmes = Programme.objects.filter(
        axes__actions__reservations__commitments__beneficiary=organisation
    ).distinct()
    return lines + programme_lines(programmes.order_by("start_year", "title"))


BENEFICIARY_STATEMENT = register(
    Report(
        key="funding.beneficiary_statement",
        title=_("Beneficiary statement"),
        description=_(
            "Everything one organisation was granted and paid: per commitment, the act, the call or "
            "action, the amount committed, economies, what was liquidated and what is still to pay."
        ),
        capability=EXPORT_OWN,
        form_class=BeneficiaryStatementReportForm,
        subtitle=statement_subtitle,
        columns=(
            Column("act", _("Commitment act"), width=22),
            Column("chapter", _("Chapter"), ColumnType.CODE, width=12),
            Column("call", _("Call or action"), width=34),
            Column("cup", _("CUP"), ColumnType.CODE, width=16),
            Column("status", _("Status"), width=11),
            *money_columns(
                ("committed", _("Committed")),
                ("economies", _("Economies")),
                ("liquidated", _("Liquidated")),
                ("to_pay", _("Still to pay")),
            ),
        ),
        rows=statement_rows,
        count=statement_count,
    )
)
