"""get_<field>_display() answers as Django's own, without translating every label of the choices."""

from functools import partialmethod

import pytest
from django.apps import apps
from django.db.models import Model
from django.utils import translation

from funding.models import Commitment
from portal.choice_display import _get_field_display, choice_label


def _choice_fields():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.choices and not model._meta.abstract:
                yield model, field


def test_every_model_answers_with_the_fast_display():
    fields = list(_choice_fields())
    assert len(fields) > 20
    for model, field in fields:
        name = f"get_{field.name}_display"
        method = next(c.__dict__[name] for c in model.__mro__ if name in c.__dict__)
        if isinstance(method, partialmethod):  # not one the model wrote itself
            assert method.func is _get_field_display, (model, field.name)


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_same_label_as_django_for_every_choice_and_an_unknown_value(language):
    """get_<field>_display() and choice_label (the long lists read rows as values) answer as Django."""
    with translation.override(language):
        for model, field in _choice_fields():
            instance = model()
            for value, _label in field.flatchoices:
                setattr(instance, field.attname, value)
                expected = Model._get_FIELD_display(instance, field)
                assert getattr(instance, f"get_{field.name}_display")() == expected
                assert choice_label(model, field.name, value) == expected
            setattr(instance, field.attname, "no-such-choice")
            assert getattr(instance, f"get_{field.name}_display")() == "no-such-choice"
            assert choice_label(model, field.name, "no-such-choice") == "no-such-choice"


def test_the_label_is_in_the_active_language():
    commitment = Commitment(status="provisional")
    with translation.override("it"):
        assert commitment.get_status_display() == "Provvisorio"
    with translation.override("en"):
        assert commitment.get_status_display() == "Provisional"
