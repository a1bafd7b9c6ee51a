"""API routes of the ledger (included by funding/api/urls.py under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from funding.api.ledger.views import (
    ChapterViewSet,
    CommitmentViewSet,
    EconomyViewSet,
    LiquidationViewSet,
    ProgrammeViewSet,
    ReservationViewSet,
)

router = SimpleRouter()
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register("chapters", ChapterViewSet, basename="chapter")
router.register("reservations", ReservationViewSet, basename="reservation")
router.register("commitments", CommitmentViewSet, basename="commitment")
router.register("liquidations", LiquidationViewSet, basename="liquidation")
router.register("economies", EconomyViewSet, basename="economy")

urlpatterns: list = [*router.urls]
