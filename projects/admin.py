"""Admin for EU projects: the programmes' code lists are data an administrator edits here; projects,
work plans and reports change only through the audited services (read-only here)."""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin
from projects import models


class CodeListInline(admin.TabularInline):
    extra = 0
    fields = ["code", "name", "order"]


class DeliverableTypeInline(CodeListInline):
    model = models.DeliverableType


class DisseminationLevelInline(CodeListInline):
    model = models.DisseminationLevel
    fields = ["code", "name", "order", "visibility"]


class CostCategoryInline(CodeListInline):
    model = models.CostCategory
    fields = ["code", "name", "order", "kind", "flat_rate", "in_flat_rate_base"]


@admin.register(models.FundingProgramme)
class FundingProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "managing_body", "is_active"]
    search_fields = ["name", "code"]
    inlines = [DeliverableTypeInline, DisseminationLevelInline, CostCategoryInline]

    def has_delete_permission(self, request, obj=None):
        return False  # projects refer to the programme and its codes


@admin.register(models.Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["acronym", "title", "programme", "start_date", "duration_months", "status"]
    list_filter = ["programme", "status"]
    search_fields = ["acronym", "title", "grant_agreement_number"]


@admin.register(models.Deliverable)
class DeliverableAdmin(ReadOnlyAdmin):
    list_display = ["project", "code", "title", "status", "due_date"]
    list_filter = ["status", "project"]
    list_select_related = ["project", "work_package"]


@admin.register(models.PeriodicReport)
class PeriodicReportAdmin(ReadOnlyAdmin):
    list_display = ["period", "status", "locked_on", "submitted_on", "accepted_on"]
    list_select_related = ["period__project"]


@admin.register(models.Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["target_type", "target_id", "kind", "due_date", "created_at"]
    list_filter = ["kind"]
