"""The audit trail's filters for people: portal's AuditEventFilterSet with labels and date pickers.

The filtering itself stays in portal.filtersets.AuditEventFilterSet (the API uses it as it is);
only the object type becomes a list of the portal's models instead of free text.
"""

import functools

import django_filters
from django import forms
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.filtersets import AuditEventFilterSet

# The portal's own apps: Django's and the libraries' models (sessions, permissions, tokens, MFA
# authenticators) are machinery, not objects an auditor looks for.
PROJECT_APPS = ("portal", "funding", "projects", "inventory", "reporting")


def object_type_choices():
    """The kinds of object the audit trail holds events about, by their name in the user's language."""
    from portal.models import AuditEvent

    types = ContentType.objects.filter(
        app_label__in=PROJECT_APPS, pk__in=AuditEvent.objects.values("target_type")
    ).order_by("app_label", "model")
    return _named_types(tuple(types.values_list("app_label", "model")), get_language())


@functools.lru_cache(maxsize=64)
def _named_types(types: tuple[tuple[str, str], ...], language: str) -> list[tuple[str, str]]:
    """The choices for these (app label, model) pairs in `language`: the same pairs name the same
    choices, so the page's search form builds them once per process and language."""
    named: dict[str, list[str]] = {}
    for app_label, model_name in types:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:  # a content type left behind by a removed model
            continue
        label = str(model._meta.verbose_name)
        named.setdefault(model_name, []).append(f"{label[:1].upper()}{label[1:]}")
    choices = [(value, " / ".join(dict.fromkeys(labels))) for value, labels in named.items()]
    return sorted(choices, key=lambda choice: choice[1].lower())


class AuditTrailFilterSet(AuditEventFilterSet):
    target_type = django_filters.ChoiceFilter(
        field_name="target_type__model",
        lookup_expr="iexact",
        choices=object_type_choices,
        label=_("Object type"),
        empty_label=_("All"),
    )

    class Meta(AuditEventFilterSet.Meta):
        pass

    LABELS = {
        "action": (_("Action (starts with)"), _("e.g. export. or funding.commitment")),
        "actor": (_("Actor (e-mail contains)"), ""),
        "target_id": (_("Object id"), ""),
        "date_from": (_("From (date)"), ""),
        "date_to": (_("To (date)"), ""),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, help_text) in self.LABELS.items():
            self.filters[name].label = label
            if help_text:
                self.filters[name].extra["help_text"] = help_text
        for name in ("date_from", "date_to"):
            self.filters[name].extra["widget"] = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
