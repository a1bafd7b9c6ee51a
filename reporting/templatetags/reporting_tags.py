import json

from django import template
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from portal.html import each_row, format_row, join_rows, row_url

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
    rows = join_rows(
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
    return format_row(
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


def audit_event_rows(event) -> str:
    """One event of the audit trail as its table's <tbody>: the event's row and, when it recorded
    values, the row of its changes (audit_events_rows writes a page of them). Python, not template:
    the trail renders 50 events a page, and the template engine's per-variable lookups cost more
    than the rows' SQL. The events are the trail's (reporting.selectors.audit_trail_search): each
    carries its organisation's name."""
    organisation = (
        format_row('<br><small class="text-muted">{}</small>', event.organisation_name)
        if event.organisation_id
        else ""
    )
    if event.target_type_id:
        target_type = ContentType.objects.get_for_id(event.target_type_id)
        target = format_row(
            '<small class="text-muted">{}.{} #{}</small><br>{}',
            target_type.app_label,
            target_type.model,
            event.target_id,
            event.target_repr,
        )
    else:
        target = "—"
    changes = (
        format_row(
            '\n    <tr class="audit-changes-row"><td></td><td colspan="5">{}</td></tr>',
            audit_changes_table(event),
        )
        if event.before is not None or event.after is not None
        else ""
    )
    return format_row(
        "<tbody>\n    <tr>\n"
        '      <th scope="row"><a href="{}">{}</a></th>\n'
        '      <td class="text-nowrap">{}</td>\n'
        "      <td>{}{}</td>\n"
        "      <td><code>{}</code></td>\n"
        "      <td>{}</td>\n"
        "      <td>{}</td>\n"
        "    </tr>{}\n  </tbody>",
        row_url("reporting:audit_detail", event.seq),
        event.seq,
        date_format(timezone.localtime(event.created_at), "SHORT_DATETIME_FORMAT"),
        event.actor_repr or "—",
        organisation,
        event.action,
        target,
        event.get_source_display(),
        changes,
    )


@register.simple_tag
def audit_events_rows(events) -> str:
    """Every event of a page of the trail, as audit_event_rows writes it: one tag (portal.html.each_row)."""
    return each_row(audit_event_rows, events, before="\n  ")
