from django.urls import path

from projects.views import deliverables, manage, pages, plan, plan_edits, reports

app_name = "projects"
urlpatterns = [
    path("", pages.project_list_view, name="project_list"),
    path("new/", manage.project_create, name="project_create"),
    path("deliverables/", pages.deliverable_register, name="deliverable_register"),
    path("calendar/<str:token>.ics", pages.feed_ics, name="feed_ics"),
    path("workbook-template.xlsx", pages.workbook_template, name="workbook_template"),
    path("<str:acronym>/", pages.project_detail, name="project_detail"),
    path("<str:acronym>/public/", pages.project_public, name="project_public"),
    path("<str:acronym>/edit/", manage.project_edit, name="project_edit"),
    path("<str:acronym>/partners/", manage.partners, name="partners"),
    path("<str:acronym>/partners/<int:pk>/edit/", manage.partner_edit, name="partner_edit"),
    path("<str:acronym>/budget/", manage.budget, name="budget"),
    path("<str:acronym>/plan/", plan.work_plan, name="work_plan"),
    path("<str:acronym>/plan/wp/<int:number>/", plan.work_package_edit, name="work_package_edit"),
    path("<str:acronym>/plan/task/<int:pk>/", plan_edits.task_edit, name="task_edit"),
    path("<str:acronym>/plan/milestone/<int:pk>/", plan_edits.milestone_edit, name="milestone_edit"),
    path("<str:acronym>/plan/period/<int:pk>/", plan_edits.period_edit, name="period_edit"),
    path("<str:acronym>/plan/<str:kind>/<int:pk>/delete/", plan_edits.plan_delete, name="plan_delete"),
    path("<str:acronym>/deliverables/<int:pk>/edit/", plan.deliverable_edit, name="deliverable_edit"),
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
