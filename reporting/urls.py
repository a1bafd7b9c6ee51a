from django.urls import path

from reporting.views import audit, catalogue, exports

app_name = "reporting"
urlpatterns = [
    path("", catalogue.catalogue, name="catalogue"),
    path("run/<str:key>/", catalogue.run, name="run"),
    path("exports/", exports.job_list, name="job_list"),
    path("exports/<int:pk>/", exports.job_detail, name="job_detail"),
    path("exports/<int:pk>/status/", exports.job_status_json, name="job_status"),
    path("exports/<int:pk>/download/", exports.job_download, name="job_download"),
    path("audit/", audit.audit_list, name="audit_list"),
    path("audit/verify/", audit.audit_verify, name="audit_verify"),
    path("audit/verify/status/", audit.audit_verify_status, name="audit_verify_status"),
    path("audit/<int:seq>/", audit.audit_detail, name="audit_detail"),
]
