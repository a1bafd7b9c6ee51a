"""Calls (avvisi): the public reads the published ones without logging in (list and detail);
officials create, edit and move them through funding.services.calls."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from funding.api.calls.serializers import CallSerializer, CallWriteSerializer, RequiredDocumentSerializer
from funding.filtersets import CallFilterSet
from funding.models import RequiredDocument
from funding.selectors import (
    call_list,
)
from funding.services import calls as call_services
from portal.permissions import MANAGE_PROGRAMME, HasCapability


class CallViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Calls for contributions. Anyone may list and read the published ones (and those closed,
    ranked, awarded or closed out); officials and auditors see drafts too. Officials write."""

    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filterset_class = CallFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [permissions.AllowAny()]
        return [HasCapability.for_(MANAGE_PROGRAMME, write=MANAGE_PROGRAMME)()]

    def get_queryset(self):
        return call_list(user=self.request.user)

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return CallWriteSerializer
        return CallSerializer

    def _read(self, call, status_code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=call.pk)
        return Response(CallSerializer(fresh, context=self.get_serializer_context()).data, status=status_code)

    @extend_schema(request=CallWriteSerializer, responses={201: CallSerializer})
    def create(self, request, *args, **kwargs):
        serializer = CallWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        call = call_services.call_create(actor=request.user, **serializer.validated_data)
        return self._read(call, status.HTTP_201_CREATED)

    @extend_schema(request=CallWriteSerializer, responses={200: CallSerializer})
    def partial_update(self, request, *args, **kwargs):
        call = self.get_object()
        serializer = CallWriteSerializer(call, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        call = call_services.call_update(actor=request.user, call=call, **serializer.validated_data)
        return self._read(call)

    @extend_schema(exclude=True)
    def update(self, request, *args, **kwargs):  # PUT is not offered: use PATCH
        raise Http404

    @extend_schema(request=None, responses={200: CallSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def publish(self, request, code=None):
        """Draft → published, once money, dates, eligibility and required documents are in order."""
        call = call_services.call_publish(actor=request.user, call=self.get_object())
        return self._read(call)

    @extend_schema(request=None, responses={200: CallSerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request, code=None):
        """Published → closed: no more submissions."""
        call = call_services.call_close(actor=request.user, call=self.get_object())
        return self._read(call)

    @extend_schema(request=RequiredDocumentSerializer, responses={201: RequiredDocumentSerializer})
    @action(detail=True, methods=["post"], url_path="required-documents", filter_backends=[])
    def required_documents(self, request, code=None):
        """Add a required document to a draft call."""
        call = self.get_object()
        serializer = RequiredDocumentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        document = call_services.required_document_add(
            actor=request.user, call=call, **serializer.validated_data
        )
        return Response(RequiredDocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("document_code", str, OpenApiParameter.PATH)],
        request=None,
        responses={204: None},
    )
    @action(
        detail=True,
        methods=["delete"],
        url_path=r"required-documents/(?P<document_code>[-a-zA-Z0-9_]+)",
        filter_backends=[],
    )
    def remove_required_document(self, request, code=None, document_code=None):
        """Remove a required document from a draft call."""
        call = self.get_object()
        document = get_object_or_404(RequiredDocument, call=call, code=document_code)
        call_services.required_document_remove(actor=request.user, required_document=document)
        return Response(status=status.HTTP_204_NO_CONTENT)
