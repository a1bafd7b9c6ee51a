"""The filters' short object lists (portal.filters.ListedModelChoiceFilter): the options Django's
ModelChoiceField offers, read with one query however the template walks them."""

import pytest
from django import forms
from django_filters.fields import ModelChoiceField

from portal.filters import ListedModelChoiceField
from portal.models import Organisation
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _options(field) -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in field.choices]


@pytest.mark.parametrize(
    "labels",
    [
        {"empty_label": "All"},
        {"empty_label": None},
        {"empty_label": "All", "null_label": "None of them"},
    ],
)
def test_the_same_options_and_length_as_djangos(labels):
    for name in ("Ente B", "Ente A", "Ente <C>"):
        OrganisationFactory(name=name)
    queryset = Organisation.objects.order_by("name")
    listed = ListedModelChoiceField(queryset=queryset, to_field_name="pk", **labels)
    django = ModelChoiceField(queryset=queryset, to_field_name="pk", **labels)
    assert _options(listed) == _options(django)
    assert len(listed.choices) == len(django.choices)
    widget = forms.Select(choices=listed.choices)
    assert widget.render("org", "") == forms.Select(choices=django.choices).render("org", "")


def test_one_query_for_the_loop_and_its_length(django_assert_num_queries):
    OrganisationFactory.create_batch(3)
    expected = Organisation.objects.count() + 1  # and the empty choice

    class Form(forms.Form):
        organisation = ListedModelChoiceField(
            queryset=Organisation.objects.order_by("name"), empty_label="All"
        )

    field = Form().fields["organisation"]
    with django_assert_num_queries(1):  # Django's own: a COUNT(*), then the rows through a cursor
        choices = field.choices
        assert len(choices) == expected  # what a template's {% for %} asks first
        assert len(list(choices)) == expected
        assert len(list(field.choices)) == expected  # read again: the rows were kept
