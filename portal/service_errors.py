"""A service's ValidationError shown back to the user: on a form's fields (unknown fields go to the
top of the form), or as error messages on the next page. The one helper every view uses."""

from django.contrib import messages
from django.core.exceptions import ValidationError


def apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (unknown fields go to the top)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def error_texts(exc: ValidationError) -> list[str]:
    """Every message of the error, in order, whatever field it names."""
    return list(exc.messages)


def error_messages(request, exc: ValidationError) -> None:
    """Each message of the error as a message of the next page."""
    for message in exc.messages:
        messages.error(request, message)
