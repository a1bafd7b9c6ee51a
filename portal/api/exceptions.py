"""API errors: Django's ValidationError and PermissionDenied from services become clean 400/403s."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
            if "__all__" in detail:
                detail["non_field_errors"] = detail.pop("__all__")
        else:
            detail = {"non_field_errors": [str(m) for m in exc.messages]}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, Http404):
        _hidden_object(context)
    return drf_exception_handler(exc, context)


def _hidden_object(context) -> None:
    """A 404 on a detail route whose object exists (hidden from this caller) is a security event."""
    view, request = context.get("view"), context.get("request")
    kwargs = getattr(view, "kwargs", None) or {}
    lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
    if request is None or lookup not in kwargs or not hasattr(view, "get_queryset"):
        return
    from portal.security import hide_object

    try:
        model = view.get_queryset().model
    except Exception:  # a queryset that needs what the refused request lacked
        return
    if getattr(view, "lookup_field", "pk") in ("pk", "id"):
        hide_object(request, model, kwargs[lookup])
