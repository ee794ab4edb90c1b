"""Technical administration of referrals and case work: read-only, and without identities.

Referrals and interactions change only through the services (history, audit and emails); the
admin is for looking at the outbox and the deadline rows when something is stuck. Each page
lists the fields it shows: ids, states and times, never the supported physician, the referrer,
the supporter, an account, a note or an email address, and searches go by referral or
interaction ID only. The app's own pages serve the roles that may see who is involved.
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
    fields = [
        "referral_id",
        "received_at",
        "source",
        "department",
        "status",
        "outcome",
        "reason",
        "urgency",
        "assigned_at",
        "accepted_at",
        "first_contact_at",
        "first_contact_due_at",
        "closed_at",
        "version",
        "deidentified_at",
    ]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["referral", "state", "assigned_at", "accept_due_at"]
    fields = ["referral", "state", "assigned_at", "accept_due_at", "responded_at"]
    list_filter = ["state"]
    search_fields = ["referral__referral_id"]
    list_select_related = ["referral"]


@admin.register(ReferralEvent)
class ReferralEventAdmin(ReadOnlyAdmin):
    list_display = ["referral", "kind", "at", "from_status", "to_status"]
    fields = ["referral", "kind", "at", "from_status", "to_status"]
    list_filter = ["kind"]
    search_fields = ["referral__referral_id"]
    list_select_related = ["referral"]


@admin.register(DifficultEvent)
class DifficultEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_on", "category", "department", "recorded_at"]
    fields = ["occurred_on", "category", "department", "recorded_at"]
    list_filter = ["category", "department__site"]
    list_select_related = ["department__site"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["referral", "kind", "due_at", "processed_at", "result"]
    fields = ["referral", "kind", "due_at", "processed_at", "result"]
    list_filter = ["kind", "result"]
    search_fields = ["referral__referral_id"]
    list_select_related = ["referral"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "referral", "created_at", "email"]
    list_filter = ["kind", ("email__sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["referral__referral_id"]
    list_select_related = ["referral", "email"]
    fields = ["kind", "referral", "created_at", "email"]


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
    fields = [
        "interaction_id",
        "occurred_on",
        "department",
        "duration_minutes",
        "successful",
        "source",
        "modality",
        "escalated",
        "escalated_to",
        "topics",
        "follow_up_planned",
        "referral",
        "logged_at",
        "deidentified_at",
    ]


@admin.register(OutreachAttempt)
class OutreachAttemptAdmin(ReadOnlyAdmin):
    list_display = ["referral", "attempted_at", "method", "reached"]
    fields = ["referral", "attempted_at", "method", "reached", "logged_at"]
    list_filter = ["method", "reached"]
    search_fields = ["referral__referral_id"]
    list_select_related = ["referral"]


@admin.register(DebriefRequest)
class DebriefRequestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "trigger", "requested_at", "held_at"]
    fields = ["trigger", "requested_at", "held_at"]
    list_filter = ["trigger", ("held_at", admin.EmptyFieldListFilter)]
