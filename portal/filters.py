"""Filters shared by the FilterSets (HTML lists, report forms and the API alike).

`ObjectFilter` asks for an object by what people know it by (a chapter "151120/2020", an action
"3.3 Body-cam", a beneficiary by name) while the API keeps passing its id; an id that cannot exist
(not a positive 64-bit integer) is refused as an invalid choice instead of reaching the database.
`YearFilter` takes four-digit years only."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django_filters.fields import ModelChoiceField, ModelChoiceIterator

MAX_ID = 2**63 - 1


class BoundedModelChoiceField(ModelChoiceField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not self.to_field_name:
            text = str(value).strip()
            if not text.isdigit() or not 0 < int(text) <= MAX_ID:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
                )
        return super().to_python(value)


class ObjectFilter(django_filters.ModelChoiceFilter):
    field_class = BoundedModelChoiceField


class ListedModelChoiceIterator(ModelChoiceIterator):
    """The options of a short list of objects (a filter's calls or programmes) read with one plain
    query, which the field's queryset keeps. Django's iterator counts the options with COUNT(*) when a
    template loops over them and reads them through a server-side cursor: three more round trips on
    PostgreSQL on every list page, worth it for thousands of options, not for a dozen (issue 14)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in self.queryset:
            yield self.choice(obj)

    def __len__(self):
        extra = (self.field.empty_label is not None) + (self.field.null_label is not None)
        return len(self.queryset) + extra


class ListedModelChoiceField(ModelChoiceField):
    iterator = ListedModelChoiceIterator


class ListedModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A ModelChoiceFilter over a short list (ListedModelChoiceIterator)."""

    field_class = ListedModelChoiceField


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1000)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)


class NumberFilter(django_filters.NumberFilter):
    """A number people see on the pages (commitment n. 12, report n. 3): positive, within range."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
