from django.urls import path

from projects.views import deliverables, pages, reports

app_name = "projects"
urlpatterns = [
    path("", pages.project_list_view, name="project_list"),
    path("deliverables/", pages.deliverable_register, name="deliverable_register"),
    path("calendar/<str:token>.ics", pages.feed_ics, name="feed_ics"),
    path("workbook-template.xlsx", pages.workbook_template, name="workbook_template"),
    path("<str:acronym>/", pages.project_detail, name="project_detail"),
    path("<str:acronym>/public/", pages.project_public, name="project_public"),
    path("<str:acronym>/workbook.xlsx", pages.workbook_download, name="workbook_download"),
    path("<str:acronym>/workbook/import/", pages.workbook_upload, name="workbook_import"),
    path("<str:acronym>/calendar/", pages.feed_create, name="feed_create"),
    path("<str:acronym>/calendar/<int:pk>/revoke/", pages.feed_revoke, name="feed_revoke"),
    path("<str:acronym>/deliverables/<int:pk>/", deliverables.deliverable_detail, name="deliverable_detail"),
    path(
        "<str:acronym>/deliverables/<int:pk>/files/<int:version>/",
        deliverables.deliverable_file_download,
        name="deliverable_file",
    ),
    path("<str:acronym>/periods/<int:number>/", reports.report_detail, name="report_detail"),
]
