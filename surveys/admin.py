"""Technical administration. Survey work happens in the app's own pages; the admin is
read-only here so that nothing bypasses the services (versions, anonymity, audit).

Invitations are deliberately absent: listing who has and has not answered is not a view the
program offers anyone.
"""

from django.contrib import admin

from .models import Answer, Campaign, Instrument, InstrumentVersion, Question, Response


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class QuestionInline(admin.TabularInline):
    model = Question
    fields = readonly_fields = (
        "position",
        "code",
        "kind",
        "text",
        "required",
        "min_value",
        "max_value",
        "scored",
    )
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Instrument)
class InstrumentAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "builtin", "is_active"]
    list_filter = ["builtin", "is_active"]
    search_fields = ["code", "name"]


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(ReadOnlyAdmin):
    list_display = ["instrument", "number", "scoring", "created_at"]
    list_select_related = ["instrument"]
    inlines = [QuestionInline]


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["name", "audience", "trigger", "opens_on", "closes_on", "status"]
    list_filter = ["status", "audience", "trigger"]
    search_fields = ["name"]


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = readonly_fields = ("question", "value_bool", "value_int", "value_text")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "version", "campaign", "department", "submitted_on", "score"]
    list_filter = ["version__instrument"]
    list_select_related = ["version__instrument", "campaign", "department__site"]
    inlines = [AnswerInline]
