"""Admin for accounts and reference data. Role changes go through the audited service."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from portal import services
from portal.models import (
    ApiToken,
    AuditEvent,
    Comune,
    ComunePopulation,
    Membership,
    Organisation,
    Province,
    User,
)
from portal.tokens import api_token_revoke


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["organisation", "role", "is_active"]
    autocomplete_fields = ["organisation"]
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False  # role changes are audited: use the Membership page


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    inlines = [MembershipInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "tax_code", "country", "pic", "comune", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "tax_code", "licence_number", "pic"]
    autocomplete_fields = ["comune"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]

    def save_model(self, request, obj, form, change):
        if change:
            services.membership_update(
                actor=request.user, membership=obj, role=obj.role, is_active=obj.is_active
            )
        else:
            services.membership_set_role(
                actor=request.user,
                user=obj.user,
                organisation=obj.organisation,
                role=obj.role,
                is_active=obj.is_active,
            )

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the audit trail keeps who held which role


@admin.register(Province)
class ProvinceAdmin(ReadOnlyAdmin):
    list_display = ["code", "sigla", "name"]


@admin.register(Comune)
class ComuneAdmin(ReadOnlyAdmin):
    list_display = ["istat_code", "name", "province", "is_provincial_capital"]
    list_filter = ["province", "is_provincial_capital"]
    search_fields = ["name", "istat_code"]


@admin.register(ComunePopulation)
class ComunePopulationAdmin(ReadOnlyAdmin):
    list_display = ["comune", "reference_date", "population"]
    list_filter = ["reference_date"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "created_at", "action", "actor_repr", "target_repr", "source"]
    list_filter = ["action", "source"]
    search_fields = ["action", "actor_repr", "target_repr", "target_id"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Personal API tokens: listed with their owner and expiry; never shown, only revoked (audited)."""

    list_display = ["prefix", "name", "user", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["prefix", "name", "user__email"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        revoked = [api_token_revoke(actor=request.user, token=token) for token in queryset]
        self.message_user(request, _("%(count)d tokens revoked.") % {"count": len(revoked)}, messages.SUCCESS)
