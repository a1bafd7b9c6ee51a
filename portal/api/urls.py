from django.urls import path
from rest_framework.routers import DefaultRouter

from portal.api.views import ComuneViewSet, MeView, OrganisationViewSet

router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("comuni", ComuneViewSet, basename="comune")

urlpatterns = [path("me/", MeView.as_view(), name="me"), *router.urls]
