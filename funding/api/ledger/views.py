"""Ledger API views. Reads: the selectors, filtered by the FilterSets of funding.filtersets. Writes:
POST only, each a call to funding.services.ledger (its ValidationError and PermissionDenied become 400
and 403 in portal.api.exceptions). Money is never edited nor deleted: no PUT, PATCH or DELETE (405)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from funding.api.ledger.serializers import (
    CancelInputSerializer,
    ChapterSerializer,
    CommitmentInputSerializer,
    CommitmentSerializer,
    EconomyInputSerializer,
    EconomySerializer,
    LiquidationInputSerializer,
    LiquidationSerializer,
    ProgrammeSerializer,
    ReservationInputSerializer,
    ReservationSerializer,
)
from funding.filtersets import (
    ChapterFilterSet,
    CommitmentFilterSet,
    EconomyFilterSet,
    LiquidationFilterSet,
    ReservationFilterSet,
)
from funding.selectors import (
    chapter_rows,
    commitment_rows,
    economy_list,
    liquidation_list,
    programme_structure,
    reservation_rows,
)
from funding.services import ledger as services
from portal.permissions import APPLY, LEDGER_WRITE, READ_ALL, HasCapability, can

ERRORS = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Field errors, {field: [messages]} (non_field_errors for the others), in the "
        "user's language; the amount's message states what is still available. Nothing was written.",
    ),
    403: OpenApiResponse(OpenApiTypes.OBJECT, description="Only regional officials write the ledger."),
}


class ReadsOwnLedger(permissions.BasePermission):
    """Commitments and liquidations: the Region's readers see all, applicants their organisations' own
    (the selectors scope the rows); only officials write."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return can(user, READ_ALL) or can(user, APPLY)
        return can(user, LEDGER_WRITE)


class LedgerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List and retrieve; `create` (POST) where an input serializer is set. Nothing else: 405."""

    input_serializer_class = None

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "reader": can(self.request.user, READ_ALL)}

    def created(self, entry, response_status=status.HTTP_201_CREATED):
        """The written entry as the list shows it (with its figures), re-read through the selector."""
        instance = self.get_queryset().get(pk=entry.pk)
        return Response(self.get_serializer(instance).data, status=response_status)

    def parse(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.service_kwargs()


class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    """Programmes with their axes and actions. The structure is public law (the Council's deliberation):
    any logged-in user may read it; the money is under chapters and reservations."""

    serializer_class = ProgrammeSerializer

    def get_queryset(self):
        return programme_structure(user=self.request.user).order_by("-start_year", "pk")


class ChapterViewSet(viewsets.ReadOnlyModelViewSet):
    """Budget chapters (capitoli) with their figures, summed from the entries."""

    serializer_class = ChapterSerializer
    filterset_class = ChapterFilterSet
    # Read-only: an official's PUT/PATCH/DELETE/POST is answered 405, anyone else's 403.
    permission_classes = [HasCapability.for_(READ_ALL, write=LEDGER_WRITE)]

    def get_queryset(self):
        return chapter_rows(user=self.request.user)


@extend_schema_view(
    create=extend_schema(request=ReservationInputSerializer, responses={201: ReservationSerializer, **ERRORS})
)
class ReservationViewSet(mixins.CreateModelMixin, LedgerViewSet):
    """Reservations (prenotazioni) with committed, economies, liquidated and what is still available."""

    serializer_class = ReservationSerializer
    filterset_class = ReservationFilterSet
    permission_classes = [HasCapability.for_(READ_ALL, write=LEDGER_WRITE)]

    def get_queryset(self):
        return reservation_rows(user=self.request.user).order_by("pk")

    def create(self, request, *args, **kwargs):
        kwargs = self.parse(ReservationInputSerializer)
        return self.created(services.reservation_create(actor=request.user, **kwargs))


@extend_schema_view(
    create=extend_schema(request=CommitmentInputSerializer, responses={201: CommitmentSerializer, **ERRORS})
)
class CommitmentViewSet(mixins.CreateModelMixin, LedgerViewSet):
    """Commitments (impegni). Applicants see only their own organisations' commitments. A new
    commitment is provisional; `confirm` makes it definitive, `cancel` returns its remainder."""

    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilterSet
    permission_classes = [ReadsOwnLedger]

    def get_queryset(self):
        return commitment_rows(user=self.request.user).order_by("pk")

    def create(self, request, *args, **kwargs):
        kwargs = self.parse(CommitmentInputSerializer)
        return self.created(services.commitment_create(actor=request.user, **kwargs))

    @extend_schema(request=None, responses={200: CommitmentSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def confirm(self, request, pk=None):
        """Provisional → definitive. No money moves."""
        commitment = self.get_object()
        return self.created(
            services.commitment_confirm(actor=request.user, commitment=commitment), status.HTTP_200_OK
        )

    @extend_schema(request=CancelInputSerializer, responses={201: EconomySerializer, **ERRORS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request, pk=None):
        """Cancel the commitment: what is left to liquidate becomes an economy, which goes back to the
        reservation. Answers with that economy; the commitment then accepts no further entries."""
        commitment = self.get_object()
        kwargs = self.parse(CancelInputSerializer)
        economy = services.commitment_cancel(actor=request.user, commitment=commitment, **kwargs)
        instance = economy_list(user=request.user).get(pk=economy.pk)
        return Response(
            EconomySerializer(instance, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    create=extend_schema(request=LiquidationInputSerializer, responses={201: LiquidationSerializer, **ERRORS})
)
class LiquidationViewSet(mixins.CreateModelMixin, LedgerViewSet):
    """Liquidations. Applicants see only those of their own organisations' commitments."""

    serializer_class = LiquidationSerializer
    filterset_class = LiquidationFilterSet
    permission_classes = [ReadsOwnLedger]

    def get_queryset(self):
        return liquidation_list(user=self.request.user).order_by("pk")

    def create(self, request, *args, **kwargs):
        kwargs = self.parse(LiquidationInputSerializer)
        return self.created(services.liquidation_create(actor=request.user, **kwargs))


@extend_schema_view(
    create=extend_schema(request=EconomyInputSerializer, responses={201: EconomySerializer, **ERRORS})
)
class EconomyViewSet(mixins.CreateModelMixin, LedgerViewSet):
    """Economies (economie): committed money given back to its reservation."""

    serializer_class = EconomySerializer
    filterset_class = EconomyFilterSet
    permission_classes = [HasCapability.for_(READ_ALL, write=LEDGER_WRITE)]

    def get_queryset(self):
        return economy_list(user=self.request.user).order_by("pk")

    def create(self, request, *args, **kwargs):
        kwargs = self.parse(EconomyInputSerializer)
        return self.created(services.economy_create(actor=request.user, **kwargs))
