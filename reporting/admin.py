"""Read-only admin for export jobs: operators see stuck or failed jobs; files go through the views."""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin
from reporting.models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = ["pk", "report_key", "format", "status", "progress", "attempts", "requested_by"]
    list_filter = ["status", "format", "report_key"]
    list_select_related = ["requested_by"]
    search_fields = ["requested_by__email", "report_key"]
    exclude = ["file", "lease_token"]
