"""The PDF renderer's two shortcuts through WeasyPrint internals still take effect (a WeasyPrint
upgrade that changed them would make PDFs slower, not different), and change nothing a reader sees."""

import io

import pytest
import tinyhtml5
import weasyprint
from django.utils import translation
from pypdf import PdfReader

from reporting.document import build_document
from reporting.renderers import pdf

pytestmark = pytest.mark.django_db


def test_the_report_html_uses_the_reduced_user_agent_stylesheet_and_the_xml_tree(
    expenses_report, official, monkeypatch
):
    parsed = []
    real_parse = tinyhtml5.parse
    monkeypatch.setattr(
        tinyhtml5, "parse", lambda source, **kw: parsed.append(source) or real_parse(source, **kw)
    )
    with translation.override("it"):
        document = build_document(report=expenses_report, user=official, params={"rows": 40})
        html, _rows = pdf.render_html(document)
    report_html = pdf._html_class()(html=html, url_fetcher=pdf.font_fetcher())
    assert [getattr(s, "base_url", None) for s in report_html._ua_stylesheets()] == [
        pdf.UA_STYLESHEET.resolve().as_uri()
    ]
    assert all(len(str(source)) < 100 for source in parsed)  # only the empty page went through HTML5
    assert report_html.etree_element.find("body") is not None
    ours = io.BytesIO()
    report_html.write_pdf(ours)
    plain = io.BytesIO()
    weasyprint.HTML(string=html, url_fetcher=pdf.font_fetcher()).write_pdf(plain)
    texts = [[" ".join(p.extract_text().split()) for p in PdfReader(b).pages] for b in (ours, plain)]
    assert texts[0] == texts[1]  # the same words on the same pages


def test_a_page_that_is_not_xml_still_renders(monkeypatch):
    html = "<!DOCTYPE html><html><body><p>Caf&eacute; & co<br>riga</body></html>"
    assert pdf._xml_tree(html) is None
    out = io.BytesIO()
    pdf._html_class()(html=html, url_fetcher=pdf.font_fetcher()).write_pdf(out)
    assert "Café & co" in PdfReader(out).pages[0].extract_text()
