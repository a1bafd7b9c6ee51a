from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal import views, views_access, views_inbox, views_tax_codes, views_tokens

api_v1 = [
    path("", include("portal.api.urls")),
    path("", include("funding.api.urls")),
    path("", include("projects.api.urls")),
    path("", include("inventory.api.urls")),
    path("", include("reporting.api.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("livez", views.livez, name="livez"),
    path("readyz", views.readyz, name="readyz"),
    path("access-requests/", views_access.access_request_list_view, name="access_request_list"),
    path("access-requests/new/", views_access.access_request_new, name="access_request_new"),
    path("access-requests/<int:pk>/", views_access.access_request_detail, name="access_request_detail"),
    path("notifications/", views_inbox.inbox, name="inbox"),
    path("organisations/tax-codes/", views_tax_codes.tax_codes_view, name="tax_codes"),
    path("account/api-tokens/", views_tokens.token_list, name="api_tokens"),
    path("account/api-tokens/<int:pk>/revoke/", views_tokens.token_revoke, name="api_token_revoke"),
    path("accounts/", include("allauth.urls")),
    path("spid/", include("portal.saml.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("funding/", include("funding.urls")),
    path("projects/", include("projects.urls")),
    path("inventory/", include("inventory.urls")),
    path("reports/", include("reporting.urls")),
    path("api/v1/", include((api_v1, "v1"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

handler403 = "portal.views.error_403"
handler404 = "portal.views.error_404"
handler500 = "portal.views.error_500"
