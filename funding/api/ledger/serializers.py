"""Serializers of the ledger API. The read serializers show what the selectors computed (figures are
aggregates from the entries); the write serializers only parse input for funding.services.ledger, which
holds every rule (availability, act dates, years, status) and answers with field errors."""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from funding.choices import ActType, CommitmentStatus, LiquidationReason
from funding.models import (
    Action,
    Axis,
    BudgetChapter,
    Commitment,
    Economy,
    Liquidation,
    Programme,
    Reservation,
)
from funding.services.ledger import (
    CANCEL_INPUT,
    COMMITMENT_INPUT,
    ECONOMY_INPUT,
    LIQUIDATION_INPUT,
    RESERVATION_INPUT,
    operation_kwargs,
)
from portal.api.fields import AmountField
from portal.models import Organisation


# Status and act-type choices also exist, with other values, on other apps' fields with the same names:
# they are described as plain strings so the schema does not have to name several "StatusEnum"s.
@extend_schema_field({"type": "string", "enum": list(CommitmentStatus.values)})
class CommitmentStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=CommitmentStatus.choices, **kwargs)


@extend_schema_field({"type": "string", "enum": list(ActType.values)})
class ActTypeField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=ActType.choices, **kwargs)


@extend_schema_field({"type": "string", "enum": list(LiquidationReason.values)})
class LiquidationReasonField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=LiquidationReason.choices, **kwargs)


# --- Programme --------------------------------------------------------------------------------------
@extend_schema_serializer(component_name="ProgrammeAction")
class ActionSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)

    class Meta:
        model = Action
        fields = ["id", "code", "number", "title", "description", "start_year", "end_year"]


@extend_schema_serializer(component_name="ProgrammeAxis")
class AxisSerializer(serializers.ModelSerializer):
    actions = ActionSerializer(many=True, read_only=True)

    class Meta:
        model = Axis
        fields = ["id", "number", "title", "actions"]


@extend_schema_serializer(component_name="Programme")
class ProgrammeSerializer(serializers.ModelSerializer):
    axes = AxisSerializer(many=True, read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id",
            "title",
            "legal_basis",
            "act_label",
            "act_number",
            "act_date",
            "start_year",
            "end_year",
            "axes",
        ]


# --- Ledger, read ------------------------------------------------------------------------------------
# A label is a CharField on the object (CharField writes str() of it), not on its __str__ method: DRF
# inspects the signature of a callable source for every row it reads (issue 14).
@extend_schema_serializer(component_name="BudgetChapter")
class ChapterSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="*", read_only=True)
    reserved = AmountField(read_only=True, help_text="Sum of the reservations.")
    committed = AmountField(read_only=True, help_text="Sum of the commitments (gross of economies).")
    economies = AmountField(read_only=True, help_text="Sum of the economies given back to the reservations.")
    committed_net = AmountField(read_only=True, help_text="Committed less economies.")
    reserved_uncommitted = AmountField(read_only=True, help_text="Reserved and not (or no longer) committed.")
    liquidated = AmountField(read_only=True, help_text="Sum of the liquidations.")
    to_liquidate = AmountField(read_only=True, help_text="Committed net of economies and not yet liquidated.")
    available = AmountField(read_only=True, help_text="Appropriation not yet reserved.")

    class Meta:
        model = BudgetChapter
        fields = [
            "id",
            "label",
            "number",
            "article",
            "year",
            "missione",
            "programma",
            "titolo",
            "macroaggregato",
            "chart_of_accounts",
            "description",
            "appropriation",
            "reserved",
            "committed",
            "economies",
            "committed_net",
            "reserved_uncommitted",
            "liquidated",
            "to_liquidate",
            "available",
        ]


class EntrySerializer(serializers.ModelSerializer):
    """Common columns of the entries; who recorded one is shown to the Region's readers only."""

    act_type = ActTypeField(read_only=True)
    created_by = serializers.SerializerMethodField()

    ENTRY_FIELDS = ["amount", "act_type", "act_number", "act_date", "description", "created_at", "created_by"]

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_created_by(self, entry) -> str | None:
        if not self.context.get("reader") or entry.created_by is None:
            return None
        return entry.created_by.email


@extend_schema_serializer(component_name="LedgerReservation")
class ReservationSerializer(EntrySerializer):
    chapter_label = serializers.CharField(source="chapter", read_only=True)
    year = serializers.IntegerField(source="chapter.year", read_only=True)
    action_code = serializers.CharField(source="action.code", read_only=True)
    committed = AmountField(read_only=True)
    economies = AmountField(read_only=True)
    committed_net = AmountField(read_only=True, help_text="Committed less economies.")
    liquidated = AmountField(read_only=True)
    to_liquidate = AmountField(read_only=True)
    available = AmountField(read_only=True, help_text="Still available for commitments.")

    class Meta:
        model = Reservation
        fields = [
            "id",
            "chapter",
            "chapter_label",
            "year",
            "action",
            "action_code",
            *EntrySerializer.ENTRY_FIELDS,
            "committed",
            "economies",
            "committed_net",
            "liquidated",
            "to_liquidate",
            "available",
        ]


@extend_schema_serializer(component_name="LedgerCommitment")
class CommitmentSerializer(EntrySerializer):
    chapter = serializers.IntegerField(source="reservation.chapter_id", read_only=True)
    chapter_label = serializers.CharField(source="reservation.chapter", read_only=True)
    year = serializers.IntegerField(source="reservation.chapter.year", read_only=True)
    action = serializers.IntegerField(source="reservation.action_id", read_only=True)
    action_code = serializers.CharField(source="reservation.action.code", read_only=True)
    beneficiary_name = serializers.CharField(source="beneficiary.name", read_only=True)
    beneficiary_tax_code = serializers.CharField(source="beneficiary.tax_code", read_only=True)
    status = CommitmentStatusField(read_only=True)
    liquidated = AmountField(read_only=True, source="liquidated_sum")
    economies = AmountField(read_only=True, source="economies_sum")
    net = AmountField(read_only=True, help_text="Amount less economies.")
    to_liquidate = AmountField(read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "reservation",
            "chapter",
            "chapter_label",
            "year",
            "action",
            "action_code",
            "beneficiary",
            "beneficiary_name",
            "beneficiary_tax_code",
            "cup",
            "status",
            *EntrySerializer.ENTRY_FIELDS,
            "liquidated",
            "economies",
            "net",
            "to_liquidate",
        ]


@extend_schema_serializer(component_name="LedgerLiquidation")
class LiquidationSerializer(EntrySerializer):
    beneficiary = serializers.IntegerField(source="commitment.beneficiary_id", read_only=True)
    beneficiary_name = serializers.CharField(source="commitment.beneficiary.name", read_only=True)
    chapter_label = serializers.CharField(source="commitment.reservation.chapter", read_only=True)
    reason = LiquidationReasonField(read_only=True)

    class Meta:
        model = Liquidation
        fields = [
            "id",
            "commitment",
            "beneficiary",
            "beneficiary_name",
            "chapter_label",
            "date",
            "reason",
            "payment_date",
            *EntrySerializer.ENTRY_FIELDS,
        ]


@extend_schema_serializer(component_name="LedgerEconomy")
class EconomySerializer(EntrySerializer):
    beneficiary = serializers.IntegerField(source="commitment.beneficiary_id", read_only=True)
    beneficiary_name = serializers.CharField(source="commitment.beneficiary.name", read_only=True)
    chapter_label = serializers.CharField(source="commitment.reservation.chapter", read_only=True)

    class Meta:
        model = Economy
        fields = [
            "id",
            "commitment",
            "beneficiary",
            "beneficiary_name",
            "chapter_label",
            "date",
            *EntrySerializer.ENTRY_FIELDS,
        ]


# --- Ledger, write: input only ------------------------------------------------------------------------
class ActInputSerializer(serializers.Serializer):
    """The act that authorises the entry."""

    act_type = ActTypeField(default=ActType.DD)
    act_number = serializers.CharField(max_length=50)
    act_date = serializers.DateField()

    service_fields: tuple[str, ...] = ()

    def service_kwargs(self) -> dict:
        return operation_kwargs(self.validated_data, fields=self.service_fields)


@extend_schema_serializer(component_name="LedgerReservationInput")
class ReservationInputSerializer(ActInputSerializer):
    service_fields = RESERVATION_INPUT
    action = serializers.PrimaryKeyRelatedField(queryset=Action.objects.all())
    chapter = serializers.PrimaryKeyRelatedField(queryset=BudgetChapter.objects.all())
    amount = AmountField()
    description = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


@extend_schema_serializer(component_name="LedgerCommitmentInput")
class CommitmentInputSerializer(ActInputSerializer):
    service_fields = COMMITMENT_INPUT
    reservation = serializers.PrimaryKeyRelatedField(queryset=Reservation.objects.all())
    beneficiary = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.filter(is_active=True))
    amount = AmountField()
    cup = serializers.CharField(max_length=15, required=False, default="", allow_blank=True)
    description = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


@extend_schema_serializer(component_name="LedgerLiquidationInput")
class LiquidationInputSerializer(ActInputSerializer):
    service_fields = LIQUIDATION_INPUT
    commitment = serializers.PrimaryKeyRelatedField(queryset=Commitment.objects.all())
    amount = AmountField()
    date = serializers.DateField()
    reason = LiquidationReasonField()
    payment_date = serializers.DateField(required=False, allow_null=True, default=None)
    description = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


@extend_schema_serializer(component_name="LedgerEconomyInput")
class EconomyInputSerializer(ActInputSerializer):
    service_fields = ECONOMY_INPUT
    commitment = serializers.PrimaryKeyRelatedField(queryset=Commitment.objects.all())
    amount = AmountField()
    date = serializers.DateField()
    description = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


@extend_schema_serializer(component_name="LedgerCancelInput")
class CancelInputSerializer(ActInputSerializer):
    """Cancelling records the whole remainder as an economy: only the date and the act are needed."""

    service_fields = CANCEL_INPUT
    date = serializers.DateField()
    description = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
