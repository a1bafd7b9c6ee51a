"""An allocation's rows on its page: each row written by a tag, twice (the list of small screens and
the table of larger ones). Tags, not template blocks: a page of 50 rows resolved some 2,000 template
variables and filters, more than the rest of the page."""

from django import template
from django.utils.translation import get_language, gettext

from funding.models import AllocationRow
from portal.choice_display import choice_label
from portal.formatting import format_money, format_number
from portal.html import each_row, format_row

register = template.Library()


def _cells(row: dict) -> dict[str, str]:
    """A row's figures as the page writes them (a row of funding.selectors.allocation_table),
    formatted once for both of its renderings."""
    cells = row.get("_cells")
    if cells is None:
        language = get_language() or "it"  # once a row, not once a figure
        cells = row["_cells"] = {
            # The application's protocol number, or the ISTAT code of a comune split by population.
            "code": row["application__protocol_number"]
            if row["application_id"]
            else row["beneficiary__comune__istat_code"] or "",
            "weight": format_number(row["weight"], 2, integer_bare=True, language=language),  # "-2g"
            "exact_quota": format_number(row["exact_quota"], 6, language=language),  # floatformat:"6g"
            "amount": format_money(row["amount"], language=language),
            "requested": format_money(row["requested"], language=language),
            "granted_before": format_money(row["granted_before"], language=language),
            "outcome": choice_label(AllocationRow, "outcome", row["outcome"]),
        }
    return cells


def allocation_table_row(row, rule, *, requested: bool, granted_before: bool) -> str:
    cells = _cells(row)
    optional = [
        format_row('<td class="money">{}</td>', cells["requested"]) if requested else "",
        format_row('<td class="money">{}</td>', cells["granted_before"]) if granted_before else "",
    ]
    return format_row(
        "<tr>\n"
        "      <td>{}</td>\n"
        '      <th scope="row" class="fw-normal">{}</th>\n'
        "      <td>{}</td>\n"
        '      <td class="money">{}</td>\n'
        '      <td class="money">{}</td>\n'
        "      {}{}\n"
        '      <td class="money fw-bold">{}</td>\n'
        "      <td>{}</td>\n"
        '      <td class="small">{}</td>\n'
        "    </tr>",
        row["position"],
        row["beneficiary__name"],
        cells["code"],
        cells["weight"],
        cells["exact_quota"],
        *optional,
        cells["amount"],
        cells["outcome"],
        rule,
    )


def allocation_list_item(row, rule, *, granted_before: bool) -> str:
    cells = _cells(row)
    extra = [
        format_row(
            '<dt class="col-5">{}</dt><dd class="col-7">{}</dd>',
            gettext("Requested"),
            cells["requested"],
        )
        if row["requested"] is not None
        else "",
        format_row(
            '<dt class="col-5">{}</dt><dd class="col-7">{}</dd>',
            gettext("Already granted"),
            cells["granted_before"],
        )
        if granted_before
        else "",
    ]
    return format_row(
        '<li class="border-bottom py-2">\n'
        '    <div class="d-flex justify-content-between gap-2">\n'
        '      <span><span class="text-muted">{}.</span> {}\n'
        '        <small class="text-muted">{}</small></span>\n'
        '      <strong class="money">{}</strong>\n'
        "    </div>\n"
        '    <details class="small mt-1">\n'
        "      <summary>{} · {}</summary>\n"
        '      <dl class="row mb-0 mt-1">\n'
        '        <dt class="col-5">{}</dt><dd class="col-7">{}</dd>\n'
        '        <dt class="col-5">{}</dt><dd class="col-7">{}</dd>\n'
        "        {}\n"
        "        {}\n"
        "      </dl>\n"
        '      <p class="mb-0">{}</p>\n'
        "    </details>\n"
        "  </li>",
        row["position"],
        row["beneficiary__name"],
        cells["code"],
        cells["amount"],
        cells["outcome"],
        gettext("how"),
        gettext("Weight"),
        cells["weight"],
        gettext("Exact quota"),
        cells["exact_quota"],
        *extra,
        rule,
    )


@register.simple_tag
def allocation_table_rows(rows, *, requested: bool, granted_before: bool) -> str:
    """Every (row, rule) of the page, as allocation_table_row writes it: one tag (portal.html.each_row)."""
    return each_row(
        lambda r: allocation_table_row(*r, requested=requested, granted_before=granted_before), rows
    )


@register.simple_tag
def allocation_list_items(rows, *, granted_before: bool) -> str:
    """Every (row, rule) of the page, as allocation_list_item writes it: one tag."""
    return each_row(lambda r: allocation_list_item(*r, granted_before=granted_before), rows, before="\n  ")
