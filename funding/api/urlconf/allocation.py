"""API routes of the allocation (included by funding/api/urls.py under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from funding.api.allocation.views import AllocationViewSet
from funding.api.expenses.views import ExpenseReportViewSet, GrantViewSet

router = SimpleRouter()
router.register("allocations", AllocationViewSet, basename="allocation")
router.register("expense-reports", ExpenseReportViewSet, basename="expense-report")
router.register("grants", GrantViewSet, basename="grant")

urlpatterns: list = [*router.urls]
