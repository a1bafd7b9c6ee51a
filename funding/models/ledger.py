"""The budget ledger: reservations (prenotazioni), commitments (impegni), liquidations, economies.

Entries are append-only: corrections are new entries. Reservations and commitments carry running
totals (moved with F() under a row lock by funding.services.ledger); CHECK constraints make the
database refuse any state that breaks an invariant of DOMAIN.md, whatever the code path.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

from funding.acts import act_text, validate_act_number
from funding.choices import ActType, CommitmentStatus, LiquidationReason
from funding.models.programme import Action, BudgetChapter
from portal.constants import CUP_PATTERN, MONEY_DECIMAL_PLACES
from portal.fields import MoneyField
from portal.models.base import ERROR_APPEND_ONLY, AppendOnlyError, AppendOnlyQuerySet


class figure:
    """A figure computed from the model's running totals. A selector that sums the same figure from the
    entries annotates it under the same name, and the annotation takes its place on that instance:
    one name per figure, whichever way it was computed."""

    def __init__(self, compute):
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        if self.name in instance.__dict__:
            return instance.__dict__[self.name]
        return self.compute(instance)

    def __set__(self, instance, value):
        instance.__dict__[self.name] = value


class LedgerQuerySet(AppendOnlyQuerySet):
    """Only the model's MUTABLE_FIELDS (running totals, status) may change after the insert."""

    def update(self, **kwargs):
        if not set(kwargs) <= set(self.model.MUTABLE_FIELDS):
            raise AppendOnlyError(str(ERROR_APPEND_ONLY))
        return models.QuerySet.update(self, **kwargs)


class LedgerEntry(models.Model):
    """Common columns of every ledger entry: the act that authorises it and who recorded it."""

    MUTABLE_FIELDS: tuple[str, ...] = ()

    amount = MoneyField(_("amount"))
    act_type = models.CharField(_("act type"), max_length=8, choices=ActType.choices, default=ActType.DD)
    act_number = models.CharField(_("act number"), max_length=50, validators=[validate_act_number])
    act_date = models.DateField(_("act date"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects = LedgerQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            update_fields = kwargs.get("update_fields")
            if update_fields is None or not set(update_fields) <= set(self.MUTABLE_FIELDS):
                raise AppendOnlyError(str(ERROR_APPEND_ONLY))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(str(ERROR_APPEND_ONLY))

    @property
    def act(self) -> str:
        return act_text(self.act_type, self.act_number, self.act_date)


def _positive(name: str):
    return models.CheckConstraint(
        condition=Q(amount__gt=0),
        name=f"%(app_label)s_%(class)s_{name}",
        violation_error_message=_("The amount must be positive."),
    )


class Reservation(LedgerEntry):
    """Prenotazione: money of a chapter set aside for an action."""

    MUTABLE_FIELDS = ("committed_total", "economies_total")

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="reservations")
    chapter = models.ForeignKey(BudgetChapter, on_delete=models.PROTECT, related_name="reservations")
    committed_total = MoneyField(_("committed (gross)"), default=0, editable=False)
    economies_total = MoneyField(_("economies"), default=0, editable=False)

    class Meta:
        ordering = ["chapter", "pk"]
        verbose_name = _("reservation (prenotazione)")
        verbose_name_plural = _("reservations (prenotazioni)")
        constraints = [
            _positive("amount_positive"),
            models.CheckConstraint(
                condition=Q(committed_total__gte=0)
                & Q(economies_total__gte=0)
                & Q(economies_total__lte=F("committed_total"))
                & Q(committed_total__lte=Round(F("amount") + F("economies_total"), MONEY_DECIMAL_PLACES)),
                name="%(app_label)s_%(class)s_committed_within_reservation",
                violation_error_message=_("Commitments less economies cannot exceed the reservation."),
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Reservation')} {self.pk} · {self.chapter} · {self.action.code}"

    @figure
    def committed_net(self):
        """Committed less economies."""
        return self.committed_total - self.economies_total

    @figure
    def available(self):
        """Still available for commitments."""
        return self.amount - self.committed_net


cup_validator = RegexValidator(
    CUP_PATTERN, _("A CUP has 15 characters: a letter, 2 digits, a letter, 11 digits.")
)


class Commitment(LedgerEntry):
    """Impegno: money of a reservation committed to a named beneficiary."""

    MUTABLE_FIELDS = ("liquidated_total", "economies_total", "status")

    reservation = models.ForeignKey(Reservation, on_delete=models.PROTECT, related_name="commitments")
    beneficiary = models.ForeignKey(
        "portal.Organisation",
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name=_("beneficiary"),
    )
    cup = models.CharField(_("CUP"), max_length=15, blank=True, validators=[cup_validator])
    status = models.CharField(
        _("status"), max_length=16, choices=CommitmentStatus.choices, default=CommitmentStatus.PROVISIONAL
    )
    liquidated_total = MoneyField(_("liquidated"), default=0, editable=False)
    economies_total = MoneyField(_("economies"), default=0, editable=False)

    class Meta:
        ordering = ["reservation", "pk"]
        verbose_name = _("commitment (impegno)")
        verbose_name_plural = _("commitments (impegni)")
        constraints = [
            _positive("amount_positive"),
            models.CheckConstraint(
                condition=Q(liquidated_total__gte=0)
                & Q(economies_total__gte=0)
                & Q(amount__gte=Round(F("liquidated_total") + F("economies_total"), MONEY_DECIMAL_PLACES)),
                name="%(app_label)s_%(class)s_liquidated_within_commitment",
                violation_error_message=_("Liquidations and economies cannot exceed the commitment."),
            ),
        ]
        indexes = [models.Index(fields=["beneficiary", "reservation"], name="funding_commit_benef_idx")]

    def __str__(self) -> str:
        return f"{_('Commitment')} {self.pk} · {self.beneficiary_id} · {self.amount}"

    @figure
    def net(self):
        """The amount less economies."""
        return self.amount - self.economies_total

    @figure
    def to_liquidate(self):
        """What is still to be liquidated."""
        return self.amount - self.economies_total - self.liquidated_total


class Liquidation(LedgerEntry):
    """Liquidazione: the payable amount fixed after the expense report is verified."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="liquidations")
    date = models.DateField(_("date"))
    reason = models.CharField(_("payment type"), max_length=8, choices=LiquidationReason.choices)
    payment_date = models.DateField(_("payment date"), null=True, blank=True)

    class Meta:
        ordering = ["commitment", "pk"]
        verbose_name = _("liquidation (liquidazione)")
        verbose_name_plural = _("liquidations (liquidazioni)")
        constraints = [
            _positive("amount_positive"),
            models.CheckConstraint(
                condition=Q(payment_date__isnull=True) | Q(payment_date__gte=F("date")),
                name="%(app_label)s_%(class)s_paid_after_liquidated",
                violation_error_message=_("The payment date cannot be before the liquidation date."),
            ),
        ]

    def __str__(self) -> str:
        label = _("Liquidation")
        return f"{label} {self.pk} · {self.amount}"


class Economy(LedgerEntry):
    """Economia: unspent commitment given back to its reservation."""

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="economies")
    date = models.DateField(_("date"))

    class Meta:
        ordering = ["commitment", "pk"]
        verbose_name = _("economy (economia)")
        verbose_name_plural = _("economies (economie)")
        constraints = [_positive("amount_positive")]

    def __str__(self) -> str:
        label = _("Economy")
        return f"{label} {self.pk} · {self.amount}"
