"""Read-only admin for funding: money and acts change only through the audited services."""

from django.contrib import admin

from funding import models
from portal.admin import ReadOnlyAdmin


@admin.register(models.Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["title", "act_label", "start_year", "end_year"]


@admin.register(models.Action)
class ActionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "start_year", "end_year"]
    list_select_related = ["axis"]


@admin.register(models.BudgetChapter)
class BudgetChapterAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "missione", "programma", "appropriation", "reserved_total"]
    list_filter = ["year"]


@admin.register(models.Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ["pk", "chapter", "action", "amount", "committed_total", "economies_total", "act_number"]
    list_select_related = ["chapter", "action__axis"]


@admin.register(models.Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "beneficiary",
        "amount",
        "liquidated_total",
        "economies_total",
        "status",
        "act_number",
    ]
    list_filter = ["status"]
    search_fields = ["beneficiary__name", "act_number", "cup"]
    list_select_related = ["beneficiary"]


@admin.register(models.Liquidation)
class LiquidationAdmin(ReadOnlyAdmin):
    list_display = ["pk", "commitment", "amount", "date", "reason", "act_number"]


@admin.register(models.Economy)
class EconomyAdmin(ReadOnlyAdmin):
    list_display = ["pk", "commitment", "amount", "date", "act_number"]


@admin.register(models.Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "status", "allocation_method", "opens_at", "closes_at"]
    list_filter = ["status", "allocation_method"]


@admin.register(models.Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["protocol_number", "call", "applicant", "status", "granted_amount"]
    list_filter = ["status", "call"]
    search_fields = ["protocol_number", "applicant__name"]


@admin.register(models.Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ["call", "round", "method", "status", "total", "allocated_total", "act_number"]


@admin.register(models.ExpenseReport)
class ExpenseReportAdmin(ReadOnlyAdmin):
    list_display = ["pk", "commitment", "status", "eligible_total", "payable_amount"]


@admin.register(models.GrantPublication)
class GrantPublicationAdmin(ReadOnlyAdmin):
    list_display = ["commitment", "published_at", "published_by"]
