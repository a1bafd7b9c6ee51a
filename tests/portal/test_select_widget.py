"""The project's select.html writes its options in Python (portal_tags.select_options) and its input,
select and textarea templates write a widget's attributes with a tag (portal_tags.widget_attrs), not
an include per field: the HTML must be Django's own, option for option and attribute for attribute
(values, labels, selected, groups, booleans, escaping)."""

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


class Inputs(forms.Form):
    text = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"data-x": 'a "b" & <c>', "placeholder": "Cerca"})
    )
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    number = forms.DecimalField(required=False, max_digits=12, decimal_places=2)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3, "disabled": True}))
    agree = forms.BooleanField(required=False)
    hidden = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"readonly": False}))


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"text": "<script>alert(1)</script>", "date": "2026-12-07", "number": "12.50", "notes": "a & b\n<c>"},
        {"agree": "on", "hidden": '"quoted"', "number": "not a number"},
    ],
)
@pytest.mark.parametrize("name", ["text", "date", "number", "notes", "agree", "hidden"])
def test_inputs_are_rendered_as_django_renders_them(data, name):
    ours = Inputs(data, renderer=BootstrapItaliaRenderer())[name].as_widget()
    django = Inputs(data, renderer=DjangoTemplates())[name].as_widget()
    assert ours == django


@pytest.mark.parametrize("widget", ["input", "select", "textarea"])
def test_the_project_widget_templates_write_attributes_with_the_tag(widget):
    template = BootstrapItaliaRenderer().get_template(f"django/forms/widgets/{widget}.html")
    assert "widget_attrs" in template.template.source
    assert "attrs.html" not in template.template.source
