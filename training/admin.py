from django.contrib import admin

from .models import Course, Enrollment, RefresherReminder, TrainingCompletion, TrainingSession


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "hours", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    raw_id_fields = ["physician", "signed_up_by"]
    readonly_fields = ["signed_up_at", "updated_at"]


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ["course", "starts_at", "ends_at", "location", "capacity", "facilitator"]
    list_filter = ["course"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["facilitator"]
    list_select_related = ["course", "facilitator"]
    inlines = [EnrollmentInline]


@admin.register(TrainingCompletion)
class TrainingCompletionAdmin(admin.ModelAdmin):
    list_display = ["physician", "course", "completed_on", "source", "recorded_at"]
    list_filter = ["course", "source"]
    date_hierarchy = "completed_on"
    search_fields = ["physician__physician_id", "physician__name"]
    raw_id_fields = ["physician", "session", "recorded_by"]
    list_select_related = ["physician"]


@admin.register(RefresherReminder)
class RefresherReminderAdmin(admin.ModelAdmin):
    list_display = ["supporter", "due_on", "remind_at", "sent_at"]
    list_filter = ["sent_at"]
    raw_id_fields = ["supporter"]
    list_select_related = ["supporter__physician"]
