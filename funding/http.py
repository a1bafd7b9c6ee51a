"""HTTP responses that the funding pages and the API send alike. No rules here: who may download
what is the selectors' question, asked before."""

from django.http import FileResponse, Http404

from funding.models import Document


def document_response(document: Document) -> FileResponse:
    """An uploaded document as an attachment with its sanitised name: never sniffed nor rendered by
    the browser, never cached; a file missing from storage is a 404."""
    try:
        handle = document.file.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
