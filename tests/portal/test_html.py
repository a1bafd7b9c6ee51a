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
