import json

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


def _text(value) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@register.filter
def audit_changes(event) -> list[dict]:
    """Before and after of an audit event, key by key, marking what changed."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    rows = []
    for key in sorted(set(before) | set(after)):
        rows.append(
            {
                "key": key,
                "before": _text(before[key]) if key in before else None,
                "after": _text(after[key]) if key in after else None,
                "changed": before.get(key) != after.get(key) or (key in before) != (key in after),
            }
        )
    if event.before is not None and not isinstance(event.before, dict):
        rows.append({"key": "", "before": _text(event.before), "after": None, "changed": True})
    if event.after is not None and not isinstance(event.after, dict):
        rows.append({"key": "", "before": None, "after": _text(event.after), "changed": True})
    return rows


DASH = mark_safe('<span class="text-muted">—</span>')


@register.simple_tag
def audit_changes_table(event) -> str:
    """audit_changes as a table (a dash when there are none). A tag, not an {% include %}: the audit
    trail renders it for each of the 50 events of a page, and an include costs a template per event."""
    changes = audit_changes(event)
    if not changes:
        return DASH
    rows = format_html_join(
        "\n",
        '    <tr{}><th scope="row"><code>{}</code></th>\n'
        '      <td class="text-break">{}</td>\n'
        '      <td class="text-break">{}</td></tr>',
        (
            (
                mark_safe(' class="table-warning"')
                if c["changed"] and c["before"] is not None and c["after"] is not None
                else "",
                c["key"],
                DASH if c["before"] is None else c["before"],
                DASH if c["after"] is None else c["after"],
            )
            for c in changes
        ),
    )
    return format_html(
        '\n<table class="table table-sm mb-0 audit-changes">\n'
        '  <caption class="visually-hidden">{}</caption>\n'
        '  <thead><tr><th scope="col" class="w-25">{}</th><th scope="col">{}</th>'
        '<th scope="col">{}</th></tr></thead>\n'
        "  <tbody>\n{}\n  </tbody>\n</table>",
        gettext("Before and after"),
        gettext("Field"),
        gettext("Before"),
        gettext("After"),
        rows,
    )
