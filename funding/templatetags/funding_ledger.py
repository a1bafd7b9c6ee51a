"""Template helpers of the ledger pages (display only). Tags, not {% include %}s: the commitment register
renders them on each of its rows, and an include costs a template lookup and a context per row."""

from django import template
from django.template.defaultfilters import date
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext

from portal.formatting import format_money
from portal.html import each_row, format_row, row_url

register = template.Library()


@register.simple_tag
def ledger_act(entry) -> str:
    """The act that authorises an entry: "DD n. 12 of 01/02/2030", the act type spelled out on hover."""
    label = entry.get_act_type_display()
    if entry.act_type == "other":
        kind = format_html("{}", label)
    else:
        kind = format_html('<abbr title="{}">{}</abbr>', label, entry.act_type.upper())
    return format_html(
        "{} n.&nbsp;{} {} {}",
        kind,
        entry.act_number,
        pgettext("act date", "of"),
        date(entry.act_date, "SHORT_DATE_FORMAT"),
    )


@register.simple_tag
def ledger_status(commitment) -> str:
    """A commitment's status, coloured by the ledger's stylesheet."""
    label = commitment.get_status_display()
    return format_html('<span class="ledger-status ledger-status-{}">{}</span>', commitment.status, label)


def commitment_register_row(commitment) -> str:
    """One row of the commitment register (commitment_register's columns): 50 a page."""
    return format_row(
        "<tr>\n"
        '      <th scope="row"><a href="{}">{} {}</a></th>\n'
        "      <td>{}</td>\n"
        '      <td class="text-nowrap">{}</td>\n'
        '      <td class="text-nowrap">{}</td>\n'
        "      <td>{}</td>\n"
        '      <td class="money">{}</td>\n'
        '      <td class="money">{}</td>\n'
        '      <td class="money">{}</td>\n'
        "    </tr>",
        row_url("funding:commitment_detail", commitment.pk),
        gettext("No."),
        commitment.pk,
        commitment.beneficiary.name,
        commitment.reservation.chapter,
        ledger_act(commitment),
        ledger_status(commitment),
        format_money(commitment.amount),
        format_money(commitment.liquidated_sum),
        format_money(commitment.to_liquidate),
    )


@register.simple_tag
def commitment_register_rows(commitments) -> str:
    """Every row of the register page, as commitment_register_row writes it: one tag (each_row)."""
    return each_row(commitment_register_row, commitments)
