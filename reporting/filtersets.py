"""The audit trail's filters for people: portal's AuditEventFilterSet with labels and date pickers.

The filtering itself stays in portal.filtersets.AuditEventFilterSet (the API uses it as it is);
only the object type becomes a list of the portal's models instead of free text.
"""

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from portal.filtersets import AuditEventFilterSet


def object_type_choices():
    choices = []
    for ct in ContentType.objects.order_by("app_label", "model"):
        model = ct.model_class()
        label = str(model._meta.verbose_name) if model is not None else ct.model
        choices.append((ct.model, f"{label[:1].upper()}{label[1:]} ({ct.app_label})"))
    return choices


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
