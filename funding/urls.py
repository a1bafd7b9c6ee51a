"""Funding pages. Each area keeps its patterns in funding/urlconf/<area>.py (one owner per file)."""

from funding.urlconf import allocation, calls, ledger, transparency

app_name = "funding"
urlpatterns = [*ledger.urlpatterns, *calls.urlpatterns, *allocation.urlpatterns, *transparency.urlpatterns]
