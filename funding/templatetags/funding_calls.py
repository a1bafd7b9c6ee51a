"""Template helpers of the calls and applications pages (display only: the data come from selectors)."""

from django import template

from funding.choices import DocumentType
from funding.selectors import applicant_dashboard as applicant_dashboard_selector
from portal.choices import OrganisationKind

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


@register.simple_tag(takes_context=True)
def applicant_dashboard(context):
    """{% applicant_dashboard as dashboard %}: the applicant's open calls and applications."""
    return applicant_dashboard_selector(user=context["request"].user)


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
