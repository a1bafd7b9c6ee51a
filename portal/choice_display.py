"""get_<field>_display() without hashing every label of the field's choices on each call.

Django's Model._get_FIELD_display builds a dict of the field's choices at each call, and building it
hashes each (value, label) pair: every lazy label is translated (a gettext) just to be hashed. A list
page calls it two or three times a row (status, kind, outcome): on the inventory's device list, 78
calls, about a tenth of the page's time. The replacement compares the stored value with each
choice's value and translates only the label it returns; the answer is the same.
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
    for choice, label in field.flatchoices:
        if make_hashable(choice) == key:
            return force_str(label, strings_only=True)
    return force_str(value, strings_only=True)


def install() -> None:
    """Rebind the get_<field>_display() that Django added to every model (not one a model wrote)."""
    for model in apps.get_models():
        for field in model._meta.get_fields():
            name = f"get_{getattr(field, 'name', '')}_display"
            method = model.__dict__.get(name)
            if isinstance(method, partialmethod) and method.func is Model._get_FIELD_display:
                setattr(model, name, partialmethod(_get_field_display, field=method.keywords["field"]))
