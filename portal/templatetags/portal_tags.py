from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS

register = template.Library()


AUTOCOMPLETE_FROM = 30  # options: beyond this a select is searched, not scrolled


def _searchable(widget) -> bool:
    """Organisations and comuni (about 1,190 each) are searched; other lists when they are long. A
    queryset's length is not asked (it would cost a query on every page that shows the form)."""
    if not isinstance(widget, forms.Select) or isinstance(widget, forms.SelectMultiple):
        return False
    choices = getattr(widget, "choices", ())
    queryset = getattr(choices, "queryset", None)
    if queryset is not None:
        from portal.models import Comune, Organisation

        return queryset.model in (Organisation, Comune)
    return isinstance(choices, list | tuple) and len(choices) > AUTOCOMPLETE_FROM


@register.filter
def bi_widget(bound_field):
    """Render a field's widget with Bootstrap Italia classes and accessible error wiring."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    attrs = {"class": " ".join(filter(None, [widget.attrs.get("class", ""), css]))}
    if _searchable(widget):
        attrs["data-autocomplete"] = "1"  # portal/autocomplete.js makes it searchable
    if bound_field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{bound_field.auto_id}-errors"
    return bound_field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(bound_field) -> bool:
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


@register.filter
def is_choice_group(bound_field) -> bool:
    """Radio buttons and multiple checkboxes: a fieldset whose legend is the field's label."""
    return isinstance(bound_field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple)


@register.filter
def bi_options(bound_field):
    """The options of a choice group, each an input with Bootstrap Italia's class (then its own label,
    as Bootstrap Italia's .form-check wants: Django's default label-wrapped inputs overlap there)."""
    from django.forms.boundfield import BoundWidget

    attrs = {**bound_field.build_widget_attrs({}), "class": "form-check-input"}
    if bound_field.auto_id:
        attrs["id"] = bound_field.auto_id
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{bound_field.auto_id}-errors"
    widget = bound_field.field.widget
    return [
        BoundWidget(widget, option, bound_field.form.renderer)
        for option in widget.subwidgets(bound_field.html_name, bound_field.value(), attrs=attrs)
    ]


@register.filter
def money(value):
    """€ 1.650.000,00 in Italian, €1,650,000.00 in English; empty for None. Formatting only at the edge."""
    from portal.formatting import format_money

    return format_money(value)


@register.filter
def has_error_code(form, code: str) -> bool:
    """True when the form holds an error with this code (e.g. "unpublished", to link to its remedy)."""
    return any(form.has_error(name, code) for name in [NON_FIELD_ERRORS, *form.fields])
