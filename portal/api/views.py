from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from rest_framework import generics, viewsets

from portal.api.serializers import ComuneSerializer, MeSerializer, OrganisationSerializer
from portal.filtersets import ComuneFilterSet, OrganisationFilterSet
from portal.models import Membership
from portal.selectors import comune_list, organisation_list


class MeView(generics.RetrieveAPIView):
    """The logged-in user, their memberships and what they may do."""

    serializer_class = MeSerializer

    def get_object(self):
        # request.user is a SimpleLazyObject under session authentication: ask the model itself.
        return (
            get_user_model()
            .objects.prefetch_related(
                Prefetch(
                    "memberships",
                    queryset=Membership.objects.select_related(
                        "organisation__comune", "organisation__province"
                    ),
                )
            )
            .get(pk=self.request.user.pk)
        )


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """Organisations the user may see: all for officials, auditors and administrators; their own otherwise."""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet

    def get_queryset(self):
        return organisation_list(user=self.request.user)


class ComuneViewSet(viewsets.ReadOnlyModelViewSet):
    """The comuni of the region with their population figures (ISTAT, elaborazione Openpolis)."""

    serializer_class = ComuneSerializer
    filterset_class = ComuneFilterSet
    lookup_field = "istat_code"

    def get_queryset(self):
        return comune_list(user=self.request.user)
