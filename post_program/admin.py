from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import (
    AuditEvent,
    Department,
    OutboxEmail,
    PeerSupporter,
    Physician,
    RoleAssignment,
    Site,
    User,
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["name"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    def get_readonly_fields(self, request, obj=None):
        """Only a superuser gives admin rights: staff cannot raise their own."""
        if request.user.is_superuser:
            return self.readonly_fields
        return [*self.readonly_fields, "is_staff", "is_superuser", "groups"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "site", "launched_on", "ended_on"]
    list_filter = ["site", "launched_on"]
    search_fields = ["name", "site__name"]
    list_select_related = ["site"]


@admin.register(Physician)
class PhysicianAdmin(admin.ModelAdmin):
    list_display = ["physician_id", "name", "department", "started_on", "ended_on"]
    list_filter = ["department__site", "department"]
    search_fields = ["physician_id", "name", "email"]
    list_select_related = ["department__site"]
    raw_id_fields = ["user"]


@admin.register(PeerSupporter)
class PeerSupporterAdmin(admin.ModelAdmin):
    list_display = ["physician", "status", "accepting_referrals", "caseload_cap", "activated_on"]
    list_filter = ["status", "accepting_referrals", "physician__department__site"]
    search_fields = ["physician__name", "physician__physician_id"]
    list_select_related = ["physician"]
    raw_id_fields = ["physician"]
    filter_horizontal = ["conflicts"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "site", "department", "granted_at"]
    list_filter = ["role", "site"]
    search_fields = ["user__email", "department__name", "site__name"]
    raw_id_fields = ["user"]
    audit_detail_fields = ("role", "user_id", "site_id", "department_id")

    # Granting a role gives access to identities or to the whole program: only a superuser
    # (who, like every admin account, has signed in with MFA) may do it here.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = ["at", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["action", "object_type", "object_id", "actor__email"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxEmail)
class OutboxEmailAdmin(AuditEventAdmin):
    """Read-only, for finding emails that could not be sent (pending after many attempts).
    The body is not shown: until it is sent it may hold a password-reset link."""

    list_display = ["pk", "kind", "created_at", "sent_at", "attempts", "last_error"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["kind"]
    date_hierarchy = "created_at"
    fields = [
        "kind",
        "to_email",
        "subject",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "attempts",
        "last_error",
    ]
