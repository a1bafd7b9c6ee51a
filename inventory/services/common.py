"""Messages, permission checks and small helpers shared by the inventory services."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from portal.constants import MONEY_MAX_DIGITS
from portal.models import User
from portal.money import quantize_money
from portal.permissions import can_manage_any_inventory, require_inventory_of

ERROR_COST_INVALID = _("Enter an amount in euros, zero or more, with at most two decimals (e.g. 349.90).")
ERROR_REQUIRED = _("This field is required.")


def field_error(field: str, message, *, code: str, **params) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


class Errors:
    """Collects field errors so that a form or an import row reports every problem at once."""

    def __init__(self):
        self.errors: dict[str, list[ValidationError]] = {}

    def add(self, field: str, message, *, code: str, **params) -> None:
        self.errors.setdefault(field, []).append(ValidationError(message, code=code, params=params or None))

    def merge(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, messages in exc.error_dict.items():
                self.errors.setdefault(field, []).extend(messages)
        else:
            self.errors.setdefault("__all__", []).extend(exc.error_list)

    def check(self, field: str, clean):
        """Run `clean()`; on ValidationError record it under `field` and return None."""
        try:
            return clean()
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                self.merge(exc)
            else:
                self.errors.setdefault(field, []).extend(exc.error_list)
            return None

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def require_owner(actor: User | None, organisation_id: int | None) -> None:
    """actor=None is the system (demo data, imports run by a command)."""
    if actor is not None:
        require_inventory_of(actor, organisation_id)


def require_any(actor: User | None) -> None:
    if actor is not None and not can_manage_any_inventory(actor):
        raise PermissionDenied


def clean_cost(value) -> Decimal:
    """Euros to the cent, zero allowed (a device given for free), never negative, never a float."""
    if isinstance(value, float | bool) or value is None or str(value).strip() == "":
        raise ValidationError(ERROR_COST_INVALID, code="invalid")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(ERROR_COST_INVALID, code="invalid") from exc
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(ERROR_COST_INVALID, code="invalid")
    amount = quantize_money(amount)
    if len(amount.as_tuple().digits) > MONEY_MAX_DIGITS:
        raise ValidationError(ERROR_COST_INVALID, code="invalid")
    return amount


def clean_text(value, max_length: int) -> str:
    return " ".join(str(value or "").split())[:max_length]
