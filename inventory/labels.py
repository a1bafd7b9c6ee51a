"""Asset labels: an A4 sheet of 3 by 7 labels (63.5 by 38.1 mm), each with a QR code holding the
asset tag and the device's URL, rendered by WeasyPrint with the portal's fonts only."""

import html
import io

import segno
from django.conf import settings
from django.urls import reverse

from inventory.models import Device

LABELS_PER_SHEET = 21
MAX_LABELS = 21 * 20  # twenty sheets: a selection to print, not the whole inventory

CSS = """
@page { size: A4; margin: 15mm 7mm; }
body { font-family: "Titillium Web", sans-serif; margin: 0; }
.sheet { display: flex; flex-wrap: wrap; break-after: page; }
.sheet:last-child { break-after: auto; }
.label { box-sizing: border-box; width: 63.5mm; height: 38.1mm; margin-right: 2.5mm; padding: 2mm;
         display: flex; align-items: center; overflow: hidden; border: 0.2mm dashed #bbb; }
.label:nth-child(3n) { margin-right: 0; }
.qr { width: 30mm; height: 30mm; flex: none; }
.qr svg { width: 30mm; height: 30mm; }
.text { padding-left: 2mm; font-size: 7pt; line-height: 1.25; }
.tag { font-size: 10pt; font-weight: 700; }
.region { font-size: 6pt; text-transform: uppercase; color: #333; }
"""


def device_url(device: Device) -> str:
    return f"{settings.SITE_URL}{reverse('inventory:device_detail', args=[device.pk])}"


def qr_payload(device: Device) -> str:
    """What the QR code holds: the asset tag (the serial when there is none) and the device's URL."""
    return f"{device.asset_tag or device.serial_number}\n{device_url(device)}"


def _label(device: Device) -> str:
    svg = segno.make(qr_payload(device), error="m").svg_inline(scale=4, border=2, omitsize=True)
    e = html.escape
    return (
        f'<div class="label"><div class="qr">{svg}</div><div class="text">'
        f'<div class="region">{e(settings.REGION_NAME)}</div>'
        f'<div class="tag">{e(device.asset_tag or device.serial_number)}</div>'
        f"<div>{e(str(device.model))}</div><div>S/N {e(device.serial_number)}</div>"
        f"<div>{e(device.owner.name)}</div></div></div>"
    )


def labels_html(devices) -> str:
    devices = list(devices)
    sheets = "".join(
        '<div class="sheet">'
        + "".join(_label(d) for d in devices[start : start + LABELS_PER_SHEET])
        + "</div>"
        for start in range(0, len(devices), LABELS_PER_SHEET)
    )
    head = f'<head><meta charset="utf-8"><style>{CSS}</style></head>'
    return f"<!DOCTYPE html><html>{head}<body>{sheets}</body></html>"


def labels_pdf(devices) -> bytes:
    from weasyprint import CSS as WeasyCSS
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from reporting.renderers.pdf import font_faces, font_fetcher

    faces = "".join(
        f'@font-face {{ font-family: "Titillium Web"; font-weight: {w}; font-style: {s}; src: url("{u}"); }}'
        for w, s, u in font_faces()
    )
    fonts = FontConfiguration()
    out = io.BytesIO()
    HTML(string=labels_html(devices), url_fetcher=font_fetcher()).write_pdf(
        out,
        stylesheets=[WeasyCSS(string=faces, font_config=fonts, url_fetcher=font_fetcher())],
        font_config=fonts,
    )
    return out.getvalue()
