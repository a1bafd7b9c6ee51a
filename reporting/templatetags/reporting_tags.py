import json

from django import template

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
