"""Allocations (riparti, graduatorie, scorrimento): read by officials, auditors and administrators;
proposed, adopted and scrolled by officials through funding.services.allocation."""

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from funding.api.allocation.serializers import (
    ActPdfsSerializer,
    ActSerializer,
    AllocationDetailSerializer,
    AllocationRowSerializer,
    AllocationSerializer,
    CancelGrantSerializer,
    EconomySerializer,
    EffectSerializer,
    ProposeSerializer,
)
from funding.filtersets import AllocationFilterSet
from funding.selectors import (
    allocation_documents,
    allocation_list,
    allocation_rows,
)
from funding.services import allocation as allocation_services
from funding.services.allocation import act_pdfs
from portal.permissions import READ_ALL, REVIEW_APPLICATIONS, HasCapability
from reporting.api.views import DownloadRenderer
from reporting.http import stored_pdf_response


class AllocationViewSet(viewsets.ReadOnlyModelViewSet):
    """Allocations of the calls: proposals with every row and the rule applied, adopted ones with
    the act. Read by officials, auditors and administrators; proposed, adopted and scrolled by
    officials."""

    permission_classes = [HasCapability.for_(READ_ALL, write=REVIEW_APPLICATIONS)]
    filterset_class = AllocationFilterSet
    PDF_ACTIONS = frozenset({"annex_pdf", "ranking_pdf", "pdf_regenerate"})

    def get_queryset(self):
        if self.action in self.PDF_ACTIONS:  # no count of the rows, no stored inputs: a quick read
            return allocation_documents(user=self.request.user).order_by("-pk")
        return allocation_list(user=self.request.user).order_by("-computed_at", "-pk")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return AllocationDetailSerializer
        return AllocationSerializer

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="beneficiary name, ISTAT code or protocol")],
        responses=AllocationRowSerializer(many=True),
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def rows(self, request, pk=None, version=None):
        """The rows in order, paginated; `q` searches by name, ISTAT code or protocol number."""
        allocation = self.get_object()
        rows = allocation_rows(allocation=allocation, q=request.query_params.get("q", ""))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(AllocationRowSerializer(page, many=True).data)

    @extend_schema(request=ProposeSerializer, responses={201: AllocationDetailSerializer})
    @action(detail=False, methods=["post"])
    def propose(self, request, version=None):
        """Compute a proposal from the call's candidates (older proposals of the round are superseded)."""
        serializer = ProposeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        allocation = allocation_services.allocation_propose(
            actor=request.user, call=serializer.validated_data["call"]
        )
        return self._created(allocation)

    @extend_schema(request=ProposeSerializer, responses={201: AllocationDetailSerializer})
    @action(detail=False, methods=["post"])
    def rerank(self, request, version=None):
        """Scorrimento: propose the next round, giving the freed money to the next in the ranking."""
        serializer = ProposeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        allocation = allocation_services.allocation_rerank(
            actor=request.user, call=serializer.validated_data["call"]
        )
        return self._created(allocation)

    @extend_schema(responses=EffectSerializer)
    @action(detail=True, methods=["get"])
    def effect(self, request, pk=None, version=None):
        """What adopting would write: commitments and the reservation's availability before and after."""
        effect = allocation_services.allocation_effect(allocation=self.get_object())
        return Response(EffectSerializer(effect).data)

    @extend_schema(request=ActSerializer, responses=AllocationDetailSerializer)
    @action(detail=True, methods=["post"])
    def adopt(self, request, pk=None, version=None):
        """Adopt the proposal with the act (determinazione): every commitment in one transaction."""
        allocation = self.get_object()
        serializer = ActSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        allocation_services.allocation_adopt(
            actor=request.user, allocation=allocation, **serializer.validated_data
        )
        return Response(AllocationDetailSerializer(self.get_queryset().get(pk=allocation.pk)).data)

    @extend_schema(request=CancelGrantSerializer, responses={201: EconomySerializer})
    @action(detail=False, methods=["post"], url_path="cancel-grant")
    def cancel_grant(self, request, version=None):
        """A granted application withdrawn or revoked: its commitment is cancelled (money back to the
        reservation, ready for the scorrimento). Revokes it first when a reason is given."""
        serializer = CancelGrantSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        economy = allocation_services.grant_cancel(actor=request.user, **serializer.validated_data)
        return Response(EconomySerializer(economy).data, status=status.HTTP_201_CREATED)

    def _created(self, allocation):
        allocation = self.get_queryset().get(pk=allocation.pk)
        return Response(AllocationDetailSerializer(allocation).data, status=status.HTTP_201_CREATED)

    def _pdf(self, document: str):
        allocation = self.get_object()
        try:
            stored = act_pdfs.annex_download(user=self.request.user, allocation=allocation, document=document)
        except ValidationError as exc:
            retry = {"Retry-After": "60"} if exc.code == "pending" else {}
            return Response(
                {"detail": " ".join(exc.messages), "code": exc.code, "status": allocation.annex_status},
                status=status.HTTP_404_NOT_FOUND,
                headers=retry,
            )
        return stored_pdf_response(stored)

    @extend_schema(
        summary="Download the annex of the adopted act (PDF)",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: OpenApiResponse(
                description="No such allocation, not adopted, or its PDF is not generated yet "
                "(code pending, Retry-After) or failed (code failed)."
            ),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="annex-pdf",
        renderer_classes=[JSONRenderer, DownloadRenderer],
        filter_backends=[],
    )
    def annex_pdf(self, request, pk=None, version=None):
        """The annex generated once when the allocation was adopted (in Italian, the act's language),
        served from storage. Every download is recorded in the audit trail."""
        return self._pdf(act_pdfs.ANNEX)

    @extend_schema(
        summary="Download the ranking of the adopted act (PDF, ranked calls)",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            404: OpenApiResponse(description="Not a ranked call, not adopted, or not generated yet."),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="ranking-pdf",
        renderer_classes=[JSONRenderer, DownloadRenderer],
        filter_backends=[],
    )
    def ranking_pdf(self, request, pk=None, version=None):
        """The ranking (graduatoria) as it stood when this round was adopted, served from storage."""
        return self._pdf(act_pdfs.RANKING)

    @extend_schema(request=None, responses={202: ActPdfsSerializer})
    @action(detail=True, methods=["post"], url_path="pdf-regenerate", filter_backends=[])
    def pdf_regenerate(self, request, pk=None, version=None):
        """Officials: generate the act's PDFs again after they failed (or if they never were)."""
        allocation = act_pdfs.annex_regenerate(actor=request.user, allocation=self.get_object())
        data = ActPdfsSerializer(allocation, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_202_ACCEPTED)
