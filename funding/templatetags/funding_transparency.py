"""The public register of published grants (art. 26-27): each row written by a tag, not by eleven
template variables and filters a row (a page of 50 grants resolved some 600 of them: issue 14)."""

from django import template
from django.utils.translation import gettext

from portal.formatting import format_date, format_money
from portal.html import each_row, format_row

register = template.Library()


def transparency_table_row(row: dict) -> str:
    """A row of funding.selectors.transparency.transparency_row as the register's table shows it."""
    url = row["project_url"]
    link = format_row('<a href="{}">{}</a>', url, gettext("Call")) if url else ""
    return format_row(
        "<tr>\n"
        "      <td>{}</td><td>{}</td><td>{}</td>\n"
        '      <td class="money">{}</td><td>{}</td><td>{}</td>\n'
        "      <td>{}</td><td>{}</td><td>{}</td>\n"
        "      <td>{}</td>\n"
        "      <td>{}</td>\n"
        "    </tr>",
        row["year"],
        row["beneficiary"],
        row["tax_code"],
        format_money(row["amount"]),
        row["legal_basis"],
        row["office"],
        row["official"],
        row["selection_method"],
        row["act"],
        link,
        format_date(row["published_at"]),
    )


@register.simple_tag
def transparency_table_rows(rows) -> str:
    """Every row of the register page, as transparency_table_row writes it: one tag (each_row)."""
    return each_row(transparency_table_row, rows)
