"""Renderers turn a ReportDocument into a file: `write(document, binary_file, progress=...) -> rows`.

Each module keeps memory flat whatever the number of rows (XLSX in openpyxl's write-only mode,
CSV line by line); PDF is a document to read and is capped (reporting.conf.EXPORT_PDF_MAX_ROWS).
"""

from dataclasses import dataclass

from reporting.choices import ExportFormat


@dataclass(frozen=True)
class Renderer:
    format: str
    extension: str
    content_type: str

    def write(self, document, fileobj, *, progress=None) -> int:
        module = _module(self.format)
        return module.write(document, fileobj, progress=progress)


def _module(fmt: str):
    if fmt == ExportFormat.PDF:
        from reporting.renderers import pdf

        return pdf
    if fmt == ExportFormat.XLSX:
        from reporting.renderers import xlsx

        return xlsx
    from reporting.renderers import csv

    return csv


RENDERERS = {
    ExportFormat.PDF: Renderer(ExportFormat.PDF, "pdf", "application/pdf"),
    ExportFormat.XLSX: Renderer(
        ExportFormat.XLSX, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    ExportFormat.CSV: Renderer(ExportFormat.CSV, "csv", "text/csv; charset=utf-8"),
}


def get_renderer(fmt: str) -> Renderer:
    return RENDERERS[ExportFormat(fmt)]
