from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS
from django.template.loader import render_to_string
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from portal.html import static_url

register = template.Library()


@register.simple_tag
def nav_url(viewname: str) -> str:
    """{% url viewname %} for the header's and the menu's links (no argument): reversed once per
    process (portal.html.static_url), not at each page."""
    return static_url(viewname)


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


SELECT_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _option_attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html in Python: False leaves the attribute out, True writes its name."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


@register.simple_tag
def widget_attrs(widget: dict) -> str:
    """django/forms/widgets/attrs.html as a tag: the project's input, select and textarea templates
    write a widget's attributes with it instead of including that template for every field."""
    return mark_safe(_option_attrs(widget["attrs"]))  # noqa: S308 (values escaped)


@register.simple_tag
def select_options(widget: dict) -> str:
    """The options (and groups) of a select, as Django's select.html and select_option.html write
    them, without a template include per option: a list of object types or of a region's provinces
    cost milliseconds a page. An option with another template is rendered by it."""
    parts = []
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in options:
            if option["template_name"] == SELECT_OPTION_TEMPLATE:
                parts.append(
                    format_html(
                        '\n  <option value="{}"{}>{}</option>\n',  # the template's final newline
                        str(option["value"]),
                        mark_safe(_option_attrs(option["attrs"])),  # noqa: S308 (escaped above)
                        option["label"],
                    )
                )
            else:
                parts.append("\n  " + render_to_string(option["template_name"], {"widget": option}))
        if group_name:
            parts.append("\n  </optgroup>")
    return mark_safe("".join(parts))  # noqa: S308 (each part escaped)
