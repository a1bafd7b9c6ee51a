"""The project's select.html writes its options in Python (portal_tags.select_options): the HTML must
be Django's own, option for option (values, labels, selected, groups, escaping)."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from portal.forms import BootstrapItaliaRenderer

CHOICES = [
    ("", "—"),
    ("a", "Alfa & <Beta>"),
    (3, "Tre"),
    ('Gruppo "uno"', [("x", "Ics"), ("y", "Ipsilon")]),
    ("z", "Zeta"),
]


class OtherOption(forms.Select):
    option_template_name = "django/forms/widgets/input_option.html"


class Choices(forms.Form):
    one = forms.ChoiceField(choices=CHOICES, required=False)
    many = forms.MultipleChoiceField(choices=CHOICES, required=False)
    custom = forms.ChoiceField(choices=CHOICES, widget=forms.Select(attrs={"data-x": "1", "disabled": True}))
    other = forms.ChoiceField(choices=CHOICES, widget=OtherOption)  # rendered by its own template


@pytest.mark.parametrize(
    "data", [None, {"one": "y", "many": ["a", "3", "z"], "custom": "x"}, {"one": "<script>"}]
)
@pytest.mark.parametrize("name", ["one", "many", "custom", "other"])
def test_select_is_rendered_as_django_renders_it(data, name):
    ours = Choices(data, renderer=BootstrapItaliaRenderer())[name].as_widget()
    django = Choices(data, renderer=DjangoTemplates())[name].as_widget()
    assert ours == django
    assert "Alfa &amp; &lt;Beta&gt;" in ours


def test_the_project_select_template_is_the_one_used():
    template = BootstrapItaliaRenderer().get_template("django/forms/widgets/select.html")
    assert "select_options" in template.template.source
