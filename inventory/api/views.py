"""Inventory API. Reads: the selectors, filtered by inventory.filtersets. Writes: POST/PATCH, each a
call to inventory.services (their ValidationError and PermissionDenied become 400 and 403 in
portal.api.exceptions). Nothing is deleted: a device ends decommissioned, with its history."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory import conf
from inventory.api.serializers import (
    AssignmentSerializer,
    DeployInputSerializer,
    DeviceInputSerializer,
    DeviceModelInputSerializer,
    DeviceModelSerializer,
    DeviceSerializer,
    DeviceUpdateSerializer,
    GrantFiguresSerializer,
    SiteInputSerializer,
    SiteSerializer,
    StatusChangeSerializer,
    TransitionInputSerializer,
)
from inventory.filtersets import AssignmentFilterSet, DeviceFilterSet, DeviceModelFilterSet, SiteFilterSet
from inventory.geojson import sites_feature_collection
from inventory.selectors import (
    assignment_list,
    device_calls,
    device_history,
    device_list,
    device_model_list,
    funded_vs_deployed,
    site_list,
)
from inventory.services import deployment, devices
from portal.permissions import READ_INVENTORY, can, can_manage_any_inventory

ERRORS = {
    400: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Field errors, {field: [messages]}, in the user's language. Nothing was written.",
    ),
    403: OpenApiResponse(
        OpenApiTypes.OBJECT,
        description="Only the Region's inventory manager, or the device owner's staff, change devices.",
    ),
}


class InventoryAccess(permissions.BasePermission):
    """Reading: whoever may open the inventory (the selectors scope the rows). Writing: whoever
    manages some organisation's devices; the service then checks the organisation."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return can(user, READ_INVENTORY)
        return can_manage_any_inventory(user)


class InventoryViewSet(viewsets.GenericViewSet):
    permission_classes = [InventoryAccess]

    def parse(self, serializer_class, **kwargs):
        serializer = serializer_class(data=self.request.data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.service_kwargs()

    def answer(self, instance, response_status=status.HTTP_200_OK, serializer_class=None):
        instance = self.get_queryset().get(pk=instance.pk)
        serializer_class = serializer_class or self.get_serializer_class()
        return Response(
            serializer_class(instance, context=self.get_serializer_context()).data, status=response_status
        )


@extend_schema_view(
    create=extend_schema(request=DeviceModelInputSerializer, responses={201: DeviceModelSerializer, **ERRORS})
)
class DeviceModelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, InventoryViewSet):
    """Device models: make, model, kind and conformity standards."""

    serializer_class = DeviceModelSerializer
    filterset_class = DeviceModelFilterSet

    def get_queryset(self):
        return device_model_list(user=self.request.user).order_by("manufacturer", "name")

    def create(self, request, *args, **kwargs):
        model = devices.device_model_create(actor=request.user, **self.parse(DeviceModelInputSerializer))
        return self.answer(model, status.HTTP_201_CREATED)


@extend_schema_view(
    create=extend_schema(request=DeviceInputSerializer, responses={201: DeviceSerializer, **ERRORS}),
    partial_update=extend_schema(request=DeviceUpdateSerializer, responses={200: DeviceSerializer, **ERRORS}),
)
class DeviceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, InventoryViewSet):
    """Funded devices, their lifecycle and deployment. Each one sees the devices of the organisations
    it acts for; officials, auditors and the Region's inventory manager see all."""

    serializer_class = DeviceSerializer
    filterset_class = DeviceFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return device_list(user=self.request.user).order_by("pk")

    def create(self, request, *args, **kwargs):
        device = devices.device_register(actor=request.user, **self.parse(DeviceInputSerializer))
        return self.answer(device, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        device = self.get_object()
        updated = devices.device_update(
            actor=request.user, device=device, **self.parse(DeviceUpdateSerializer)
        )
        return self.answer(updated)

    @extend_schema(request=TransitionInputSerializer, responses={200: DeviceSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def transition(self, request, pk=None):
        """Move the device along its lifecycle (deploying goes through `deploy`). Leaving "deployed"
        closes the open deployment."""
        device = self.get_object()
        changed = devices.device_transition(
            actor=request.user, device=device, **self.parse(TransitionInputSerializer)
        )
        return self.answer(changed)

    @extend_schema(request=DeployInputSerializer, responses={201: AssignmentSerializer, **ERRORS})
    @action(detail=True, methods=["post"], filter_backends=[])
    def deploy(self, request, pk=None):
        """Deploy the device to an officer, a taxi vehicle or a site; a deployed device moves, and its
        open deployment is closed the day the new one starts."""
        device = self.get_object()
        assignment = deployment.device_deploy(
            actor=request.user, device=device, **self.parse(DeployInputSerializer)
        )
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: StatusChangeSerializer(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request, pk=None):
        """Every status the device went through: who, when, from, to, why."""
        device = self.get_object()
        rows = device_history(user=request.user, device=device).order_by("changed_at", "pk")
        return Response(StatusChangeSerializer(rows, many=True).data)


@extend_schema_view(
    create=extend_schema(request=SiteInputSerializer, responses={201: SiteSerializer, **ERRORS})
)
class SiteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, InventoryViewSet):
    """Sites where cameras stand; coordinates are checked to fall in Piedmont and the comune's province."""

    serializer_class = SiteSerializer
    filterset_class = SiteFilterSet

    def get_queryset(self):
        return site_list(user=self.request.user).order_by("comune__name", "name")

    def create(self, request, *args, **kwargs):
        site = deployment.site_create(actor=request.user, **self.parse(SiteInputSerializer))
        return self.answer(site, status.HTTP_201_CREATED)


class AssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, InventoryViewSet):
    """Deployments, open and past (read-only: they are written by deploying and moving devices)."""

    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilterSet

    def get_queryset(self):
        return assignment_list(user=self.request.user).order_by("-started_on", "-pk")


class FundedVsDeployedView(APIView):
    """Per grant of a call: granted, liquidated, devices declared, registered, deployed, faulty,
    decommissioned, cost per device and flags (paid_not_deployed, not_registered, out_of_warranty,
    silent). Beneficiaries see their own grants."""

    permission_classes = [InventoryAccess]

    @extend_schema(
        parameters=[OpenApiParameter("call", str, required=True, description="The call's code.")],
        responses={200: GrantFiguresSerializer(many=True)},
    )
    def get(self, request):
        call = get_object_or_404(device_calls(user=request.user), code=request.query_params.get("call", ""))
        rows = funded_vs_deployed(user=request.user, call=call)
        return Response(GrantFiguresSerializer(rows, many=True).data)


class OpenDataOrInventory(permissions.BasePermission):
    def has_permission(self, request, view):
        if conf.get("INVENTORY_OPEN_DATA_SITES"):
            return True
        return bool(request.user and request.user.is_authenticated and can(request.user, READ_INVENTORY))


class SitesGeoJSONView(APIView):
    """The sites as a GeoJSON FeatureCollection (WGS 84): name, address, comune, what it watches and
    how many devices stand there. Public open data where the Region allows it
    (INVENTORY_OPEN_DATA_SITES); otherwise for inventory users, scoped like the site list."""

    permission_classes = [OpenDataOrInventory]

    @extend_schema(
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="GeoJSON FeatureCollection")}
    )
    def get(self, request):
        data = sites_feature_collection(user=request.user)
        return Response(data, content_type="application/geo+json")
