"""get_<field>_display() without hashing every label of the field's choices on each call.

Django's Model._get_FIELD_display builds a dict of the field's choices at each call, and building it
hashes each (value, label) pair: every lazy label is translated (a gettext) just to be hashed. A list
page calls it two or three times a row (status, kind, outcome): on the inventory's device list, 78
calls, about a tenth of the page's time. The replacement compares the stored value with each
choice's value and translates only the label it returns; the answer is the same. The choices are
read into a dict by value once per field (a model's choices do not change while it runs).
"""

from functools import partialmethod

from django.apps import apps
from django.db.models import Model
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


def choice_label(model: type[Model], field_name: str, value):
    """What `instance.get_<field_name>_display()` returns for an instance of `model` holding `value`:
    for the long lists that read their rows as values, not model instances."""
    return _display(model._meta.get_field(field_name), value)


def _get_field_display(self, field):
    return _display(field, getattr(self, field.attname))


def _display(field, value):
    key = make_hashable(value)
    labels = _labels(field)
    if labels is not None:
        label = labels.get(key, _MISSING)
        return force_str(value if label is _MISSING else label, strings_only=True)
    for choice, label in field.flatchoices:
        if make_hashable(choice) == key:
            return force_str(label, strings_only=True)
    return force_str(value, strings_only=True)


_MISSING = object()


def _labels(field) -> dict | None:
    """A field's fixed choices (a list in the model, labels lazy: translated when returned) by value,
    made once per field; None for choices computed as they are read (a country list, sorted and
    translated in the active language), which are scanned each time. A value listed twice keeps its
    first label, as the scan does."""
    labels = field.__dict__.get("_sentinella_labels", _MISSING)
    if labels is _MISSING:
        labels = None
        if isinstance(field.choices, list | tuple):
            labels = {}
            for choice, label in field.flatchoices:
                labels.setdefault(make_hashable(choice), label)
        field.__dict__["_sentinella_labels"] = labels
    return labels


def install() -> None:
    """Rebind the get_<field>_display() that Django added to every model (not one a model wrote)."""
    for model in apps.get_models():
        for field in model._meta.get_fields():
            name = f"get_{getattr(field, 'name', '')}_display"
            method = model.__dict__.get(name)
            if isinstance(method, partialmethod) and method.func is Model._get_FIELD_display:
                setattr(model, name, partialmethod(_get_field_display, field=method.keywords["field"]))
