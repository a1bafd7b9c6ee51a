"""Funding API under /api/v1/. Each area keeps its routes in funding/api/urlconf/<area>.py."""

from funding.api.urlconf import allocation, calls, ledger

urlpatterns = [*ledger.urlpatterns, *calls.urlpatterns, *allocation.urlpatterns]
