"""URL patterns of the ledger pages (included by funding/urls.py, namespace "funding")."""

from django.urls import path

from funding.views import ledger, ledger_operations

urlpatterns = [
    path("programmes/", ledger.ProgrammeListView.as_view(), name="programme_list"),
    path("programmes/<int:pk>/", ledger.ProgrammeDetailView.as_view(), name="programme_detail"),
    path("chapters/", ledger.ChapterStatusView.as_view(), name="chapter_status"),
    path("chapters/<int:pk>/", ledger.ChapterDetailView.as_view(), name="chapter_detail"),
    path(
        "chapters/<int:pk>/reserve/",
        ledger_operations.ReservationCreateView.as_view(),
        name="reservation_create",
    ),
    path("reservations/<int:pk>/", ledger.ReservationDetailView.as_view(), name="reservation_detail"),
    path(
        "reservations/<int:pk>/commit/",
        ledger_operations.CommitmentCreateView.as_view(),
        name="commitment_create",
    ),
    path("commitments/", ledger.CommitmentListView.as_view(), name="commitment_list"),
    path("commitments/<int:pk>/", ledger.CommitmentDetailView.as_view(), name="commitment_detail"),
    path(
        "commitments/<int:pk>/liquidate/",
        ledger_operations.LiquidationCreateView.as_view(),
        name="liquidation_create",
    ),
    path(
        "commitments/<int:pk>/economy/", ledger_operations.EconomyCreateView.as_view(), name="economy_create"
    ),
    path(
        "commitments/<int:pk>/confirm/",
        ledger_operations.CommitmentConfirmView.as_view(),
        name="commitment_confirm",
    ),
    path(
        "commitments/<int:pk>/cancel/",
        ledger_operations.CommitmentCancelView.as_view(),
        name="commitment_cancel",
    ),
]
