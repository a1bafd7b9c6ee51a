"""Template helpers of the calls and applications pages (display only: the data come from selectors)."""

from django import template
from django.utils.translation import gettext

from funding.allocation_params import params_in_words as describe
from funding.choices import DocumentType
from funding.models import Application
from funding.services.calls import format_local
from portal.choice_display import choice_label
from portal.choices import OrganisationKind
from portal.html import each_row, format_row, row_url
from portal.models import Organisation

register = template.Library()

STATUS_BADGES = {
    "draft": "secondary",
    "published": "success",
    "closed": "dark",
    "ranked": "primary",
    "awarded": "primary",
    "closed_out": "secondary",
    "submitted": "primary",
    "admissible": "success",
    "inadmissible": "dark",
    "granted": "success",
    "not_funded": "dark",
    "withdrawn": "secondary",
    "revoked": "dark",
}


@register.filter
def kind_labels(values) -> str:
    labels = dict(OrganisationKind.choices)
    return ", ".join(str(labels.get(v, v)) for v in values or [])


@register.filter
def type_labels(values) -> str:
    labels = dict(DocumentType.choices)
    return ", ".join(str(labels.get(v, v)) for v in values or [])


@register.filter
def badge(status: str) -> str:
    """The Bootstrap Italia colour of a status badge."""
    return STATUS_BADGES.get(status, "secondary")


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(str(key))


@register.filter
def params_in_words(call) -> list[str]:
    """The call's allocation parameters as sentences (funding.allocation_params)."""
    return describe(call.allocation_params, eligible_basis=call.eligible_basis or "")


@register.simple_tag
def status_badge(status: str, label) -> str:
    """A call's or an application's status as a coloured badge. A tag, not an {% include %}: the
    application lists render one on each of their 50 rows."""
    return format_row('<span class="badge bg-{}">{}</span>', badge(status), label)


def application_row(application: dict, review_links: bool = False) -> str:
    """One row of the application lists (the officials' list and review queue, the applicant's list),
    from a row of funding.selectors.application_table, written by application_rows. Python, not a block
    of the template: 50 rows of template variables and filters cost more than the page's queries."""
    url = row_url(
        "funding:application_review" if review_links else "funding:application_detail", application["pk"]
    )
    return format_row(
        "<tr>\n"
        '      <td><a href="{}">{}</a></td>\n'
        "      <td>{}<br><small>{}</small></td>\n"
        "      <td>{}</td>\n"
        "      <td>{}</td>\n"
        "      <td>{}</td>\n"
        "    </tr>",
        url,
        application["protocol_number"] or gettext("Draft"),
        application["applicant__name"],
        choice_label(Organisation, "kind", application["applicant__kind"]),
        application["call__title"],
        status_badge(application["status"], choice_label(Application, "status", application["status"])),
        format_local(application["submitted_at"]) or "—",
    )


@register.simple_tag
def application_rows(applications, review_links: bool = False) -> str:
    """Every row of an application list, as application_row writes it: one tag (portal.html.each_row)."""
    return each_row(lambda application: application_row(application, review_links), applications)
