"""Technical administration of referrals and case work: read-only, without names or notes.

Referrals and interactions change only through the services (history, audit and emails); the
admin is for looking at the outbox and the deadline rows when something is stuck.
"""

from django.contrib import admin

from .models import (
    Assignment,
    DebriefRequest,
    DifficultEvent,
    Interaction,
    Notification,
    OutreachAttempt,
    Referral,
    ReferralEvent,
    Reminder,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    list_display = ["referral_id", "status", "outcome", "source", "department", "received_at"]
    list_filter = ["status", "outcome", "source", "urgency", "department__site"]
    search_fields = ["referral_id"]
    list_select_related = ["department__site"]
    date_hierarchy = "received_at"
    exclude = ["note", "named_colleague"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["referral", "supporter_id", "state", "assigned_at", "accept_due_at"]
    list_filter = ["state"]
    search_fields = ["referral__referral_id"]
    list_select_related = ["referral"]


@admin.register(ReferralEvent)
class ReferralEventAdmin(ReadOnlyAdmin):
    list_display = ["referral", "kind", "at", "from_status", "to_status"]
    list_filter = ["kind"]
    search_fields = ["referral__referral_id"]
    list_select_related = ["referral"]


@admin.register(DifficultEvent)
class DifficultEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_on", "category", "department", "recorded_at"]
    list_filter = ["category", "department__site"]
    list_select_related = ["department__site"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["referral", "kind", "due_at", "processed_at", "result"]
    list_filter = ["kind", "result"]
    search_fields = ["referral__referral_id"]
    list_select_related = ["referral"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "referral", "created_at", "sent_at", "attempts", "last_error"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["referral__referral_id"]
    list_select_related = ["referral"]
    exclude = ["to_email"]


@admin.register(Interaction)
class InteractionAdmin(ReadOnlyAdmin):
    list_display = [
        "interaction_id",
        "occurred_on",
        "source",
        "successful",
        "duration_minutes",
        "escalated",
        "department",
    ]
    list_filter = ["source", "successful", "escalated", "modality", "department__site"]
    search_fields = ["interaction_id", "referral__referral_id"]
    list_select_related = ["department__site"]
    date_hierarchy = "occurred_on"
    exclude = ["follow_up_note", "physician"]


@admin.register(OutreachAttempt)
class OutreachAttemptAdmin(ReadOnlyAdmin):
    list_display = ["referral", "attempted_at", "method", "reached"]
    list_filter = ["method", "reached"]
    search_fields = ["referral__referral_id"]
    list_select_related = ["referral"]


@admin.register(DebriefRequest)
class DebriefRequestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "supporter_id", "trigger", "requested_at", "held_at"]
    list_filter = ["trigger", ("held_at", admin.EmptyFieldListFilter)]
