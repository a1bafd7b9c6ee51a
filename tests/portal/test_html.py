"""portal.html writes what Django's format_html and format_html_join write."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from portal.html import format_row, join_rows

VALUES = [
    "plain",
    "<b>&\"quotes'</b>",
    mark_safe("<i>kept</i>"),
    gettext_lazy("Draft"),
    3,
    None,
    12.5,
    "",
]


def test_format_row_escapes_as_format_html():
    template = "<td>{}</td>" * len(VALUES)
    with override("it"):
        assert format_row(template, *VALUES) == format_html(template, *VALUES)
        assert "Bozza" in format_row(template, *VALUES)
    assert format_row("{}", "<x>").__html__() == "&lt;x&gt;"


def test_join_rows_escapes_as_format_html_join():
    rows = [(v, "<&>") for v in VALUES]
    assert join_rows("\n", "<tr><td>{}</td><td>{}</td></tr>", rows) == format_html_join(
        "\n", "<tr><td>{}</td><td>{}</td></tr>", rows
    )


def test_row_url_is_reverse():
    from django.urls import reverse, set_script_prefix

    from portal.html import row_url

    names = [
        "reporting:audit_detail",
        "funding:commitment_detail",
        "funding:application_detail",
        "funding:application_review",
        "inventory:device_detail",
    ]
    for name in names:
        for pk in (1, 42, 987654321, 10**12):
            assert row_url(name, pk) == reverse(name, args=[pk])
    set_script_prefix("/sentinella/")  # deployed under a path: the prefix is part of the cache's key
    try:
        assert row_url(names[0], 7) == reverse(names[0], args=[7]) == "/sentinella/reports/audit/7/"
    finally:
        set_script_prefix("/")
